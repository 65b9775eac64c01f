package dev.upsert.internal.outcome;

import org.hibernate.service.spi.SessionFactoryServiceContributor;
import org.hibernate.service.spi.SessionFactoryServiceRegistryBuilder;

/** Gives every SessionFactory its own {@link UpsertListeners}; found through {@code META-INF/services}. */
public final class UpsertListenersContributor implements SessionFactoryServiceContributor {

    @Override
    public void contribute(SessionFactoryServiceRegistryBuilder registry) {
        registry.addService(UpsertListeners.class, new UpsertListeners());
    }
}
