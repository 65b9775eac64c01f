package dev.upsert.upsert;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import dev.upsert.PersistenceUnit;

import dev.upsert.testing.TestSchema;

/** A persistence unit over the test schema, bootstrapped through JPA, with the given entities and settings. */
final class Jpa implements AutoCloseable {

    final EntityManagerFactory factory;

    Jpa(TestSchema db, Map<String, Object> settings, Class<?>... entities) {
        Map<String, Object> all = new LinkedHashMap<>(db.jpaProperties());
        all.put("jakarta.persistence.schema-generation.database.action", "drop-and-create");
        all.putAll(settings);
        this.factory = PersistenceUnit.create("upsert-it", all, entities);
    }

    Jpa(TestSchema db, Class<?>... entities) {
        this(db, Map.of(), entities);
    }

    <T> T tx(Function<EntityManager, T> work) {
        EntityManager em = factory.createEntityManager();
        try {
            em.getTransaction().begin();
            T result = work.apply(em);
            em.getTransaction().commit();
            return result;
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }

    void run(Consumer<EntityManager> work) {
        tx(em -> {
            work.accept(em);
            return null;
        });
    }

    @Override
    public void close() {
        factory.close();
    }
}
