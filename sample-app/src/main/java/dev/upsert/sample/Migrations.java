package dev.upsert.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import javax.sql.DataSource;

/**
 * Applies the demo's schema from {@code db/V<n>__<name>.sql}, each file once, in order, in its own transaction,
 * and records it in {@code schema_migration}: the schema is real DDL a reader can open, not Hibernate's guess.
 */
final class Migrations {

    /** In order. A new file is appended here; an applied one is never edited. */
    private static final List<String> FILES = List.of("V1__schema.sql", "V2__soft_delete.sql", "V3__operations.sql");

    private Migrations() {
    }

    /** Applies the files not yet applied and returns how many that was. */
    static int apply(DataSource dataSource) throws SQLException {
        int applied = 0;
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("create table if not exists schema_migration ("
                        + "version int primary key, file text not null, applied_at timestamptz not null default now())");
            }
            c.setAutoCommit(false);
            for (int i = 0; i < FILES.size(); i++) {
                int version = i + 1;
                if (isApplied(c, version)) {
                    continue;
                }
                try (Statement s = c.createStatement();
                     PreparedStatement record = c.prepareStatement("insert into schema_migration (version, file) values (?, ?)")) {
                    s.execute(read(FILES.get(i))); // pgjdbc runs a script of several statements in one call
                    record.setInt(1, version);
                    record.setString(2, FILES.get(i));
                    record.executeUpdate();
                    c.commit();
                    applied++;
                } catch (SQLException e) {
                    c.rollback();
                    throw new SQLException("migration " + FILES.get(i) + " failed: " + e.getMessage(), e.getSQLState(), e);
                }
            }
        }
        return applied;
    }

    private static boolean isApplied(Connection c, int version) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select 1 from schema_migration where version = ?")) {
            s.setInt(1, version);
            return s.executeQuery().next();
        }
    }

    private static String read(String file) {
        try (InputStream in = Migrations.class.getResourceAsStream("/db/" + file)) {
            if (in == null) {
                throw new IllegalStateException("db/" + file + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
