package dev.upsert.sample;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

import dev.upsert.Upsert;

//tag::quickstart-entity[]
/** Scenario 1: signing up twice with one email updates the name and keeps the id and {@code created_at}. */
@Entity
@Upsert(on = "email")
class Account {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    @Column(unique = true) String email;   // the conflict target needs a unique index or constraint
    String name;
    @Column(updatable = false) Instant createdAt;   // never overwritten by an upsert
//end::quickstart-entity[]

    protected Account() {
        // for Hibernate; entity classes cannot be final
    }

    Account(String email, String name, Instant createdAt) {
        this.email = email;
        this.name = name;
        this.createdAt = createdAt;
    }
//tag::quickstart-entity[]
}
//end::quickstart-entity[]
