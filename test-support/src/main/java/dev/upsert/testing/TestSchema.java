package dev.upsert.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A schema of its own on the test server, with the JDBC URL and Hibernate settings that point at it, and a few
 * helpers for asserting what the tables hold. Created by {@link PostgresExtension}; dropped with everything in
 * it when the test class is done.
 */
public final class TestSchema implements ExtensionContext.Store.CloseableResource {

    private final TestDatabase database;
    private final String name;

    private TestSchema(TestDatabase database, String name) {
        this.database = database;
        this.name = name;
    }

    static TestSchema create(TestDatabase database, String hint) {
        String clean = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String name = "t_" + clean.substring(0, Math.min(clean.length(), 40)) + "_"
                + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        TestSchema schema = new TestSchema(database, name);
        schema.execute("create schema " + name);
        return schema;
    }

    /** The schema's name, unquoted (lower case, safe as an identifier). */
    public String name() {
        return name;
    }

    /** The server this schema lives on. */
    public TestDatabase database() {
        return database;
    }

    /** A JDBC URL whose connections resolve unqualified names in this schema first. */
    public String jdbcUrl() {
        return jdbcUrl("");
    }

    /** {@link #jdbcUrl()} with extra pgjdbc properties, e.g. {@code "reWriteBatchedInserts=true"}. */
    public String jdbcUrl(String extraProperties) {
        String base = database.jdbcUrl();
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + name;
        return extraProperties.isEmpty() ? url : url + "&" + extraProperties;
    }

    public String user() {
        return database.user();
    }

    public String password() {
        return database.password();
    }

    /**
     * JPA / Hibernate settings for a persistence unit in this schema: URL, credentials and
     * {@code hibernate.default_schema}. Callers add the schema-generation action they want.
     */
    public Map<String, Object> jpaProperties() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("jakarta.persistence.jdbc.url", jdbcUrl());
        settings.put("jakarta.persistence.jdbc.user", user());
        settings.put("jakarta.persistence.jdbc.password", password());
        settings.put("hibernate.default_schema", name);
        return settings;
    }

    /**
     * Spring Boot properties for an application on this schema: {@code spring.datasource.url}, {@code .username} and
     * {@code .password}. Callers add {@code spring.jpa.hibernate.ddl-auto} and whatever else the test sets.
     */
    public Map<String, Object> springProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", jdbcUrl());
        properties.put("spring.datasource.username", user());
        properties.put("spring.datasource.password", password());
        return properties;
    }

    /** A new connection into this schema; the caller closes it. */
    public Connection connection() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user());
        props.setProperty("password", password());
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /** Runs one or more statements (separated by {@code ;}) in auto-commit mode. */
    public void execute(String sql) {
        try (Connection c = connection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed in schema " + name + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** Every row of a query, each as a list of column values in select order. */
    public List<List<Object>> query(String sql) {
        try (Connection c = connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<List<Object>> rows = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>(meta.getColumnCount());
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("Query failed in schema " + name + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** The single value of a single-row, single-column query, as a long. */
    public long queryLong(String sql) {
        return ((Number) queryValue(sql)).longValue();
    }

    /** The single value of a single-row, single-column query (null for SQL NULL). */
    public Object queryValue(String sql) {
        List<List<Object>> rows = query(sql);
        if (rows.size() != 1 || rows.get(0).size() != 1) {
            throw new IllegalStateException("Expected one row with one column from: " + sql + ", got " + rows);
        }
        return rows.get(0).get(0);
    }

    /**
     * Drops the schema. A test that failed inside a transaction can leave its connection open with locks in the
     * schema (Hibernate's built-in pool does not roll back what it is handed back): after ten seconds of waiting, those
     * sessions are ended, so the run reports the test's failure instead of hanging here.
     */
    @Override
    public void close() {
        try {
            execute("set lock_timeout = '10s'; drop schema if exists " + name + " cascade");
        } catch (IllegalStateException failed) {
            if (!(failed.getCause() instanceof SQLException e) || !"55P03".equals(e.getSQLState())) {
                throw failed;  // not the lock timeout: nothing to end
            }
            execute("select pg_terminate_backend(l.pid) from pg_locks l join pg_class c on c.oid = l.relation "
                    + "join pg_namespace n on n.oid = c.relnamespace where n.nspname = '" + name + "' and l.pid <> pg_backend_pid()");
            execute("drop schema if exists " + name + " cascade");
        }
    }

    @Override
    public String toString() {
        return name + " on " + database;
    }
}
