package dev.upsert.sample;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/** Scenario 10: the subscriber table as it is today, without a unique key, in the demo's persistence unit. */
@Entity
class Subscriber {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    String email;
    String name;

    protected Subscriber() {
    }
}
