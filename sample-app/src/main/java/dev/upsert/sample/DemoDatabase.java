package dev.upsert.sample;

import java.io.IOException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL the demo runs on, behind a HikariCP pool: the server named on the command line, or an embedded
 * one started for this run and stopped (data directory deleted) on {@link #close()}.
 */
final class DemoDatabase implements AutoCloseable {

    /** The server cannot be reached or refuses us; the message is one line for the user. */
    static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final EmbeddedPostgres embedded;
    private final HikariDataSource pool;
    private final String description;

    private DemoDatabase(EmbeddedPostgres embedded, HikariDataSource pool, String description) {
        this.embedded = embedded;
        this.pool = pool;
        this.description = description;
    }

    static DemoDatabase open(Options options, int poolSize) throws Unavailable {
        if (!options.embedded()) {
            return new DemoDatabase(null, pool(options.jdbcUrl(), options.user(), options.password(), poolSize),
                    Redaction.url(options.jdbcUrl()));
        }
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (IOException | RuntimeException e) {
            throw new Unavailable("embedded PostgreSQL did not start (" + e.getMessage()
                    + "); point --jdbc-url at a running server instead", e);
        }
        try {
            return new DemoDatabase(postgres, pool(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "", poolSize),
                    "embedded PostgreSQL on port " + postgres.getPort());
        } catch (Unavailable | RuntimeException e) {
            closeQuietly(postgres);
            throw e;
        }
    }

    private static HikariDataSource pool(String url, String user, String password, int size) throws Unavailable {
        HikariConfig config = new HikariConfig();
        config.setPoolName("sample");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(10_000);
        // Unless the URL says otherwise: give up on an unreachable host in seconds, and let pgjdbc send a
        // batch of upserts as multi-row statements.
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        try {
            return new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new Unavailable("cannot connect to " + Redaction.url(url) + " as " + user + ": "
                    + firstLine(cause.getMessage()) + reason(cause), e);
        } catch (RuntimeException e) {
            throw new Unavailable("cannot use " + Redaction.url(url) + ": " + firstLine(e.getMessage()), e);
        }
    }

    DataSource dataSource() {
        return pool;
    }

    /** For the report's first line: where we are, and which server version. */
    String describe() {
        try (Connection c = pool.getConnection()) {
            return description + ", PostgreSQL " + c.getMetaData().getDatabaseProductVersion();
        } catch (SQLException e) {
            return description;
        }
    }

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            closeQuietly(embedded);
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException ignored) {
            // we are on the way out; zonky's shutdown hook removes the data directory anyway
        }
    }

    /** pgjdbc says only "The connection attempt failed." for an unknown host; the cause says which. */
    private static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root == failure) {
            return "";
        }
        return root instanceof UnknownHostException ? " (unknown host " + root.getMessage() + ")" : " (" + firstLine(root.getMessage()) + ")";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int end = message.indexOf('\n');
        return Redaction.text(end < 0 ? message : message.substring(0, end));
    }
}
