package dev.upsert.testing.jpa;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.upsert.testing.TestSchema;

/**
 * A persistence unit whose connections come from a HikariCP pool, as in an application; closing it closes the
 * factory, then the pool.
 *
 * <pre>{@code
 * try (PooledPersistenceUnit unit = PooledPersistenceUnit.boot(
 *         PooledPersistenceUnit.pool(db, "busy-pool", 2, "", config -> {}),
 *         "busy-pool", Map.of("hibernate.default_schema", db.name()), Account.class)) {
 *     unit.run(em -> em.persist(new Account("ann@example.com", "Ann")));
 * }
 * }</pre>
 */
public record PooledPersistenceUnit(HikariDataSource pool, EntityManagerFactory factory) implements AutoCloseable {

    /**
     * A pool into the test schema named {@code applicationName}: its connections carry
     * {@code ApplicationName=<applicationName>}, so a test finds (and terminates) exactly its own backends in
     * {@code pg_stat_activity} on a server other tests share. A 10 s connection timeout unless {@code config} says
     * otherwise.
     *
     * @param urlProperties extra pgjdbc URL properties ({@code ""} for none)
     */
    public static HikariDataSource pool(TestSchema db, String applicationName, int size, String urlProperties,
                                        Consumer<HikariConfig> config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(applicationName);
        hikari.setJdbcUrl(db.jdbcUrl("ApplicationName=" + applicationName + (urlProperties.isEmpty() ? "" : "&" + urlProperties)));
        hikari.setUsername(db.user());
        hikari.setPassword(db.password());
        hikari.setMaximumPoolSize(size);
        hikari.setConnectionTimeout(10_000);
        config.accept(hikari);
        return new HikariDataSource(hikari);
    }

    /** A unit over {@code pool} (which it then owns: closed with it, or at once if the boot fails). */
    public static PooledPersistenceUnit boot(HikariDataSource pool, String name, Map<String, ?> settings, Class<?>... entities) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("hibernate.connection.datasource", pool);
        all.putAll(settings);
        try {
            return new PooledPersistenceUnit(pool, PersistenceUnit.create(name, all, entities));
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** A new EntityManager; the caller closes it. */
    public EntityManager open() {
        return factory.createEntityManager();
    }

    /** See {@link Transactions#inTransaction}. */
    public <T> T inTransaction(Function<EntityManager, T> work) {
        return Transactions.inTransaction(factory, work);
    }

    /** See {@link Transactions#runInTransaction}. */
    public void run(Consumer<EntityManager> work) {
        Transactions.runInTransaction(factory, work);
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
