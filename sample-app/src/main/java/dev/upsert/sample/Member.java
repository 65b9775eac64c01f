package dev.upsert.sample;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

import dev.upsert.Upsert;

/**
 * Scenario 4: the email is unique among live members only (partial index {@code member_email_live_key}), so the
 * conflict target repeats the index predicate.
 */
@Entity
@Upsert(on = "email", where = "deleted_at is null")
class Member {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    String email;
    String name;
    Instant deletedAt;

    protected Member() {
    }

    Member(String email, String name) {
        this.email = email;
        this.name = name;
    }
}
