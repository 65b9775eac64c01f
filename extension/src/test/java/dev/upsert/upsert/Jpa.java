package dev.upsert.upsert;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

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
