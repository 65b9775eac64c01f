package dev.upsert.quarkus.it;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepository;

@ApplicationScoped
public class SubscriptionRepository implements PanacheRepository<Subscription> {
}
