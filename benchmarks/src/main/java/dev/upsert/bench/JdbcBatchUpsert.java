package dev.upsert.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The limit: a JDBC batch of {@code INSERT ... ON CONFLICT DO UPDATE}, one {@code executeBatch} per transaction. */
final class JdbcBatchUpsert implements Contender {

    static final String SQL = "insert into account (email, name, balance, created_at, updated_at) values (?, ?, ?, ?, ?)"
            + " on conflict (email) do update set name = excluded.name, balance = excluded.balance,"
            + " updated_at = excluded.updated_at";

    private final DataSource dataSource;
    private final boolean rewrite;

    JdbcBatchUpsert(DataSource dataSource, boolean rewrite) {
        this.dataSource = dataSource;
        this.rewrite = rewrite;
    }

    @Override
    public String name() {
        return rewrite ? "JDBC batch, rewrite" : "JDBC batch";
    }

    @Override
    public boolean rawJdbc() {
        return true;
    }

    @Override
    public boolean inContention() {
        return !rewrite;
    }

    @Override
    public Map<String, Held> upsertAll(List<List<AccountRow>> transactions) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SQL)) {
            try {
                for (List<AccountRow> rows : transactions) {
                    for (AccountRow row : rows) {
                        bind(ps, row);
                        ps.addBatch();
                    }
                    ps.executeBatch();
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
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SQL)) {
            try {
                bind(ps, row);
                ps.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void bind(PreparedStatement ps, AccountRow row) throws SQLException {
        ps.setString(1, row.email());
        ps.setString(2, row.name());
        ps.setLong(3, row.balance());
        ps.setObject(4, row.createdAt());
        ps.setObject(5, row.updatedAt());
    }
}
