package dev.upsert.spring.shop;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

/**
 * A plain entity with a SEQUENCE id: its insert waits for the flush (or the commit). A test makes its constraint
 * deferrable for a while to see what a duplicate found only at COMMIT looks like.
 */
@Entity
@Table(uniqueConstraints = @UniqueConstraint(name = "ticket_code_key", columnNames = "code"))
public class Ticket {
    @Id @GeneratedValue Long id;
    String code;

    protected Ticket() {
    }

    public Ticket(String code) {
        this.code = code;
    }
}
