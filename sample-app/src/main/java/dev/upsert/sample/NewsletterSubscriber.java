package dev.upsert.sample;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.upsert.Upsert;

/** Scenario 10: the same table as the next release wants it, upserted by email; it boots once the index exists. */
@Entity
@Table(name = "subscriber")
@Upsert(on = "email")
class NewsletterSubscriber {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    String email;
    String name;

    protected NewsletterSubscriber() {
    }

    NewsletterSubscriber(String email, String name) {
        this.email = email;
        this.name = name;
    }
}
