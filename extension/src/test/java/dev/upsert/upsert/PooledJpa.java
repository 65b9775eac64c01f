package dev.upsert.upsert;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import com.zaxxer.hikari.HikariConfig;

import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PooledPersistenceUnit;

/**
 * A persistence unit over the test schema whose connections come from a HikariCP pool, as in an application. The
 * pool's connections carry {@code ApplicationName=<applicationName>}, so a test can find (and terminate) exactly its
 * own backends in {@code pg_stat_activity} on a server other tests share.
 */
final class PooledJpa implements AutoCloseable {

    final PooledPersistenceUnit unit;
    final EntityManagerFactory factory;
    final String applicationName;

    /**
     * @param urlProperties extra pgjdbc URL properties ({@code ""} for none)
     * @param schemaAction  {@code jakarta.persistence.schema-generation.database.action}
     */
    PooledJpa(TestSchema db, String applicationName, int poolSize, String urlProperties, Consumer<HikariConfig> poolConfig,
              String schemaAction, Map<String, Object> settings, Class<?>... entities) {
        this.applicationName = applicationName;
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("hibernate.default_schema", db.name());
        all.put("jakarta.persistence.schema-generation.database.action", schemaAction);
        all.putAll(settings);
        this.unit = PooledPersistenceUnit.boot(PooledPersistenceUnit.pool(db, applicationName, poolSize, urlProperties, poolConfig),
                applicationName, all, entities);
        this.factory = unit.factory();
    }

    EntityManager open() {
        return unit.open();
    }

    /** Runs {@code work} in a transaction of its own; see {@link dev.upsert.testing.jpa.Transactions#inTransaction}. */
    void run(Consumer<EntityManager> work) {
        unit.run(work);
    }

    /**
     * Rolls back what is still open and closes; on a connection the test killed the rollback fails too, and the first
     * failure is what matters (the server rolled the transaction back when the backend ended).
     */
    static void end(EntityManager em) {
        try {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
        } catch (RuntimeException ignored) {
            // the connection is gone
        } finally {
            em.close();
        }
    }

    @Override
    public void close() {
        unit.close();
    }
}
