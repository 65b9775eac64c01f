package dev.upsert.sample;

import java.math.BigDecimal;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/** Scenario 9: a plain entity with an identity id, in a table restored with its ids. */
@Entity
class Invoice {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    String number;
    BigDecimal amount;

    protected Invoice() {
    }

    Invoice(String number, BigDecimal amount) {
        this.number = number;
        this.amount = amount;
    }
}
