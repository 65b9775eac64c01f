package dev.upsert.quarkus.it;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import dev.upsert.Upsert;

/** An {@code @Upsert} entity written through a Panache repository ({@link SubscriptionRepository}). */
@Entity
@Table(name = "subscription", uniqueConstraints = @UniqueConstraint(name = "subscription_key_uq", columnNames = {"email", "topic"}))
@Upsert(on = {"email", "topic"})
public class Subscription {

    @Id
    @GeneratedValue
    public Long id;

    public String email;

    public String topic;

    public String frequency;

    public static Subscription of(String email, String topic, String frequency) {
        Subscription subscription = new Subscription();
        subscription.email = email;
        subscription.topic = topic;
        subscription.frequency = frequency;
        return subscription;
    }
}
