package dev.upsert.sample;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/** Scenario 5, the problem: a plain entity saved with find-then-save, as most services do it today. */
@Entity
class NaiveSignup {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    String email;
    String name;
    Instant createdAt;

    protected NaiveSignup() {
    }

    NaiveSignup(String email, String name, Instant createdAt) {
        this.email = email;
        this.name = name;
        this.createdAt = createdAt;
    }
}
