package dev.upsert.upsert;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import dev.upsert.testing.jpa.PersistenceUnit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.upsert.testing.TestSchema;

/**
 * A persistence unit over the test schema whose connections come from a HikariCP pool, as in an application. The
 * pool's connections carry {@code ApplicationName=<applicationName>}, so a test can find (and terminate) exactly its
 * own backends in {@code pg_stat_activity} on a server other tests share.
 */
final class PooledJpa implements AutoCloseable {

    final HikariDataSource pool;
    final EntityManagerFactory factory;
    final String applicationName;

    /**
     * @param urlProperties extra pgjdbc URL properties ({@code ""} for none)
     * @param schemaAction  {@code jakarta.persistence.schema-generation.database.action}
     */
    PooledJpa(TestSchema db, String applicationName, int poolSize, String urlProperties, Consumer<HikariConfig> poolConfig,
              String schemaAction, Map<String, Object> settings, Class<?>... entities) {
        this.applicationName = applicationName;
        HikariConfig config = new HikariConfig();
        config.setPoolName(applicationName);
        config.setJdbcUrl(db.jdbcUrl("ApplicationName=" + applicationName + (urlProperties.isEmpty() ? "" : "&" + urlProperties)));
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(10_000);
        poolConfig.accept(config);
        this.pool = new HikariDataSource(config);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("hibernate.connection.datasource", pool);
        all.put("hibernate.default_schema", db.name());
        all.put("jakarta.persistence.schema-generation.database.action", schemaAction);
        all.putAll(settings);
        try {
            this.factory = PersistenceUnit.create(applicationName, all, entities);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    EntityManager open() {
        return factory.createEntityManager();
    }

    @Override
    public void close() {
        try {
            factory.close();
        } finally {
            pool.close();
        }
    }
}
