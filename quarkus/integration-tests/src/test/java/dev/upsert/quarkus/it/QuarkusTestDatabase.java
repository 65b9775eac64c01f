package dev.upsert.quarkus.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.upsert.testing.TestDatabase;

/**
 * The application's datasource on the project's test database (a local server, Docker or embedded PostgreSQL, as
 * {@link TestDatabase} chooses), in a schema of its own: the test JVM's server is given to the application, in JVM
 * mode and to the launched {@code quarkus-run.jar} alike.
 */
public class QuarkusTestDatabase implements QuarkusTestResourceLifecycleManager {

    /** A system property, not a field: Quarkus may load this class in more than one class loader. */
    private static final String SCHEMA_PROPERTY = "upsert.test.quarkus.schema";

    @Override
    public synchronized Map<String, String> start() {
        TestDatabase db = TestDatabase.get();
        String schema = "quarkus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("create schema " + schema);
        System.setProperty(SCHEMA_PROPERTY, schema);
        String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return Map.of(
                "quarkus.datasource.jdbc.url", url,
                "quarkus.datasource.username", db.user(),
                "quarkus.datasource.password", db.password());
    }

    @Override
    public synchronized void stop() {
        String schema = System.clearProperty(SCHEMA_PROPERTY);
        if (schema != null) {
            execute("drop schema " + schema + " cascade");
        }
    }

    /** Runs SQL in the application's schema, from the test, as an operator would with psql. */
    public static synchronized void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The first column of the first row of {@code sql}, as text. */
    public static synchronized String queryString(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static Connection connect() throws SQLException {
        TestDatabase db = TestDatabase.get();
        Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        String schema = System.getProperty(SCHEMA_PROPERTY);
        if (schema != null) {
            c.setSchema(schema);
        }
        return c;
    }
}
