package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import org.hibernate.engine.spi.SelfDirtinessTracker;

import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PersistenceUnit;
import dev.upsert.testing.jpa.Transactions;

/**
 * A persistence unit over the test schema, bootstrapped through JPA, with the given entities and settings; its tables
 * are created from the mapping. (The build copies this file next to the enhanced copy of UpsertLifecycleIT.)
 */
final class Jpa implements AutoCloseable {

    final EntityManagerFactory factory;

    Jpa(TestSchema db, Map<String, Object> settings, Class<?>... entities) {
        this.factory = PersistenceUnit.inSchema(db, "drop-and-create", settings, entities);
    }

    Jpa(TestSchema db, Class<?>... entities) {
        this(db, Map.of(), entities);
    }

    /**
     * The copy of {@code test} in the enhanced package ({@code dev.upsert.upsert.enhanced}) must really run on
     * bytecode-enhanced entities, the original on plain ones: fails when {@code entity} says otherwise.
     */
    static void assertEnhancedExactlyInTheEnhancedCopy(Class<?> test, Class<?> entity) {
        assertThat(SelfDirtinessTracker.class.isAssignableFrom(entity))
                .as("entities of " + test.getName() + " enhanced")
                .isEqualTo(test.getPackageName().endsWith(".enhanced"));
    }

    <T> T tx(Function<EntityManager, T> work) {
        return Transactions.inTransaction(factory, work);
    }

    void run(Consumer<EntityManager> work) {
        Transactions.runInTransaction(factory, work);
    }

    @Override
    public void close() {
        factory.close();
    }
}
