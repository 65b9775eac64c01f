package dev.upsert.testing.jpa;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.upsert.testing.TestSchema;

/**
 * A login role for a test schema that may use the schema and its sequences and nothing else, as an application's own
 * database user: the test grants it the rest. Role names are cluster-wide, so the name carries the schema's random
 * suffix; closing drops the role and what it owns.
 *
 * <pre>{@code
 * LoginRole role = LoginRole.create(db, "dke_");
 * db.execute("grant insert, select (id) on member to " + role.name());
 * EntityManagerFactory emf = PersistenceUnit.create("as-role", role.jpaProperties(), Member.class);
 * }</pre>
 */
public record LoginRole(TestSchema db, String name, String password) implements AutoCloseable {

    /** A role named {@code prefix} + the schema's name, with usage on the schema and on its sequences. */
    public static LoginRole create(TestSchema db, String prefix) {
        LoginRole role = new LoginRole(db, prefix + db.name(), UUID.randomUUID().toString());
        db.execute("create role " + role.name + " login password '" + role.password + "';"
                + "grant usage on schema " + db.name() + " to " + role.name + ";"
                + "grant usage on all sequences in schema " + db.name() + " to " + role.name);
        return role;
    }

    /**
     * A URL into the schema as this role, named {@code ApplicationName=<role>} (so a test finds its backends in
     * {@code pg_stat_activity}); the credentials are in the URL too, because pgjdbc lets a URL's {@code user} win and
     * the embedded server's URL names {@code user=postgres}.
     */
    public String jdbcUrl() {
        return db.jdbcUrl("ApplicationName=" + name + "&user=" + name + "&password=" + password);
    }

    /** {@link TestSchema#jpaProperties()} as this role, over tables that exist (schema generation {@code none}). */
    public Map<String, Object> jpaProperties() {
        Map<String, Object> settings = new LinkedHashMap<>(db.jpaProperties());
        settings.put("jakarta.persistence.jdbc.url", jdbcUrl());
        settings.put("jakarta.persistence.jdbc.user", name);
        settings.put("jakarta.persistence.jdbc.password", password);
        settings.put("jakarta.persistence.schema-generation.database.action", "none");
        return settings;
    }

    @Override
    public void close() {
        db.execute("drop owned by " + name + "; drop role " + name);
    }
}
