package dev.upsert.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The limit, set-based: one {@code INSERT ... SELECT FROM unnest(arrays) ON CONFLICT} per transaction. */
final class JdbcUnnestUpsert implements Contender {

    private static final String SQL = "insert into account (email, name, balance, created_at, updated_at)"
            + " select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[]::timestamptz[], ?::text[]::timestamptz[])"
            + " on conflict (email) do update set name = excluded.name, balance = excluded.balance,"
            + " updated_at = excluded.updated_at";

    private final DataSource dataSource;

    JdbcUnnestUpsert(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public String name() {
        return "JDBC unnest, 1 stmt/tx";
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
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SQL)) {
            try {
                for (List<AccountRow> rows : transactions) {
                    // one statement cannot touch a row twice (21000): each W1 transaction has distinct keys
                    BenchDatabase.bindArrays(c, ps, rows);
                    ps.executeUpdate();
                    c.commit();
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return null;
    }

    @Override
    public void upsertOne(AccountRow row) throws SQLException {
        upsertAll(List.of(List.of(row)));
    }
}
