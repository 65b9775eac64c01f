package dev.upsert.sample;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

import dev.upsert.Upsert;

/** Scenario 5, the fix: concurrent sign-ups with one email meet in one atomic statement. */
@Entity
@Upsert(on = "email")
class Signup {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    String email;
    String name;
    @Column(updatable = false) Instant createdAt;

    protected Signup() {
    }

    Signup(String email, String name, Instant createdAt) {
        this.email = email;
        this.name = name;
        this.createdAt = createdAt;
    }
}
