package dev.upsert.internal.catalog;

import dev.upsert.internal.compat.HibernateAccess;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * A connection for a diagnosis that runs after a statement failed, taken only if the pool can hand one out at once:
 * the caller is on its way to an exception and must not stall behind a busy pool. JDBC has no "try to borrow", so
 * this knows two pools: Hibernate's built-in one, which never waits (it throws when exhausted), and HikariCP, asked
 * for its idle count first (read reflectively: HikariCP is the application's dependency, not ours). Any other
 * provider gives no connection.
 */
public final class FreeConnection {

    private FreeConnection() {
    }

    /** A connection to release with {@link #release}, or null when none is free at once. */
    public static Connection obtain(SessionFactoryImplementor factory) {
        try {
            ConnectionProvider provider = factory.getServiceRegistry().getService(ConnectionProvider.class);
            if (provider == null) {
                return null;  // multi-tenant connection providers: which tenant is unknown here
            }
            if (HibernateAccess.get().isBuiltInPool(provider) || hikariHasIdle(provider)) {
                return provider.getConnection();
            }
            return null;
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    public static void release(SessionFactoryImplementor factory, Connection connection) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();  // only read; leave no transaction open on a pooled connection
            }
            factory.getServiceRegistry().requireService(ConnectionProvider.class).closeConnection(connection);
        } catch (SQLException | RuntimeException ignored) {
            // the diagnosis is done; a connection that cannot be returned is the pool's to evict
        }
    }

    private static boolean hikariHasIdle(ConnectionProvider provider) {
        try {
            Object source = provider.isUnwrappableAs(DataSource.class) ? provider.unwrap(DataSource.class) : provider;
            if (source instanceof DataSource dataSource && !isHikari(source)) {
                ClassLoader loader = dataSource.getClass().getClassLoader();
                Class<?> hikari = Class.forName("com.zaxxer.hikari.HikariDataSource", false, loader);
                source = dataSource.isWrapperFor(hikari) ? dataSource.unwrap(hikari) : null;
            }
            if (source == null || !isHikari(source)) {
                return false;
            }
            Object pool = source.getClass().getMethod("getHikariPoolMXBean").invoke(source);
            if (pool == null) {
                return false;
            }
            Class<?> poolBean = Class.forName("com.zaxxer.hikari.HikariPoolMXBean", false, source.getClass().getClassLoader());
            Method idle = poolBean.getMethod("getIdleConnections");
            return ((Number) idle.invoke(pool)).intValue() > 0;
        } catch (ReflectiveOperationException | SQLException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static boolean isHikari(Object source) {
        for (Class<?> c = source.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals("com.zaxxer.hikari.HikariDataSource")) {
                return true;
            }
        }
        return false;
    }
}
