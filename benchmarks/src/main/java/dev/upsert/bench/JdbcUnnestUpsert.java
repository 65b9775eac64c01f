package dev.upsert.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The limit, set-based: one {@code INSERT ... SELECT FROM unnest(arrays) ON CONFLICT} per transaction; optionally
 * {@code RETURNING email, id, created_at}, which is what a persister sending one multi-row statement per batch
 * would need to write every stored row back (returned rows are verified like an entity's).
 */
final class JdbcUnnestUpsert implements Contender {

    private static final String SQL = "insert into account (email, name, balance, created_at, updated_at)"
            + " select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[]::timestamptz[], ?::text[]::timestamptz[])"
            + " on conflict (email) do update set name = excluded.name, balance = excluded.balance,"
            + " updated_at = excluded.updated_at";

    private final DataSource dataSource;
    private final boolean returning;

    JdbcUnnestUpsert(DataSource dataSource, boolean returning) {
        this.dataSource = dataSource;
        this.returning = returning;
    }

    @Override
    public String name() {
        return "JDBC unnest, 1 stmt/tx" + (returning ? ", returning" : "");
    }

    @Override
    public boolean rawJdbc() {
        return true;
    }

    @Override
    public boolean inContention() {
        return false;
    }

    @Override
    public Map<String, Held> upsertAll(List<List<AccountRow>> transactions) throws SQLException {
        Map<String, Held> held = returning ? new HashMap<>() : null;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(returning ? SQL + " returning email, id, created_at" : SQL)) {
            try {
                for (List<AccountRow> rows : transactions) {
                    // one statement cannot touch a row twice (21000): each W1 transaction has distinct keys
                    BenchDatabase.bindArrays(c, ps, rows);
                    if (held == null) {
                        ps.executeUpdate();
                    } else {
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                held.put(rs.getString(1), new Held(rs.getLong(2), rs.getObject(3, OffsetDateTime.class)));
                            }
                        }
                    }
                    c.commit();
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return held;
    }

    @Override
    public void upsertOne(AccountRow row) throws SQLException {
        upsertAll(List.of(List.of(row)));
    }
}
