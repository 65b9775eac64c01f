package dev.upsert.quarkus.runtime;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManagerFactory;

import dev.upsert.micrometer.UpsertMetrics;

/**
 * {@link UpsertMetrics} of the default persistence unit as a {@code MeterBinder} bean, which quarkus-micrometer binds
 * to its registry. Registered by the deployment module only when the application has quarkus-micrometer.
 */
@Singleton
public class UpsertMetricsProducer {

    @Produces
    @Singleton
    UpsertMetrics upsertMetrics(EntityManagerFactory emf) {
        return new UpsertMetrics(emf);
    }

    void close(@Disposes UpsertMetrics metrics) {
        metrics.close();
    }
}
