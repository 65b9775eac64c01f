package dev.upsert.quarkus.it;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * Its code is unique through a {@code DEFERRABLE INITIALLY DEFERRED} constraint (import.sql): a duplicate is refused
 * by the database's COMMIT itself, after Hibernate has flushed, inside the transaction manager's commit.
 */
@Entity
@Table(name = "ticket")
public class Ticket {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String code;

    public static Ticket of(String code) {
        Ticket ticket = new Ticket();
        ticket.code = code;
        return ticket;
    }
}
