package dev.upsert.ops;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import dev.upsert.PersistenceUnit;

import dev.upsert.testing.TestSchema;

/** Boot and transaction helpers of the production-operations tests. */
final class OpsJpa {

    private OpsJpa() {
    }

    /** A persistence unit over the test schema; the tables are the test's own SQL unless {@code settings} say otherwise. */
    static EntityManagerFactory boot(TestSchema db, Map<String, Object> settings, Class<?>... entities) {
        Map<String, Object> all = new HashMap<>(db.jpaProperties());
        all.put("jakarta.persistence.schema-generation.database.action", "none");
        all.putAll(settings);
        return PersistenceUnit.create("ops", all, entities);
    }

    static <T> T tx(EntityManagerFactory emf, Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
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

    static void run(EntityManagerFactory emf, Consumer<EntityManager> work) {
        tx(emf, em -> {
            work.accept(em);
            return null;
        });
    }

    /** What {@code work} threw, or an AssertionError if it did not. */
    static Throwable failing(EntityManagerFactory emf, Consumer<EntityManager> work) {
        try {
            run(emf, work);
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    /** Every log record written while {@code work} runs (JBoss Logging uses java.util.logging in this build). */
    static String log(Runnable work) {
        Logger root = Logger.getLogger("");
        StringBuilder captured = new StringBuilder();
        Handler handler = new Handler() {
            @Override
            public synchronized void publish(LogRecord record) {
                captured.append(record.getLevel()).append(' ').append(record.getLoggerName()).append(' ')
                        .append(record.getMessage()).append('\n');
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        try {
            work.run();
        } finally {
            root.removeHandler(handler);
        }
        return captured.toString();
    }
}
