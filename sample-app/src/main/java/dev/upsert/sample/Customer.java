package dev.upsert.sample;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/** Scenario 6: a plain entity, no {@code @Upsert}, with two unique keys: email and username. */
@Entity
class Customer {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    String email;
    String username;

    protected Customer() {
    }

    Customer(String email, String username) {
        this.email = email;
        this.username = username;
    }
}
