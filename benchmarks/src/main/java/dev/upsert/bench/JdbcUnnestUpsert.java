package dev.upsert.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The limit, set-based: one {@code INSERT ... SELECT FROM unnest(arrays) ON CONFLICT} per transaction; optionally
 * {@code RETURNING email, id, created_at}, which is what a persister sending one multi-row statement per batch
 * would need to write every stored row back (returned rows are verified like an entity's).
 */
final class JdbcUnnestUpsert extends JdbcAccountUpsert {

    private final boolean returning;

    JdbcUnnestUpsert(DataSource dataSource, AccountTable table, boolean returning) {
        super(dataSource, table);
        this.returning = returning;
    }

    @Override
    public String name() {
        return "JDBC unnest, 1 stmt/tx" + (returning ? ", returning" : "");
    }

    @Override
    public boolean inContention() {
        return false;
    }

    @Override
    boolean returnsRows() {
        return returning;
    }

    @Override
    PreparedStatement prepare(Connection c) throws SQLException {
        return c.prepareStatement(table.unnestUpsert() + (returning ? " returning email, id, created_at" : ""));
    }

    @Override
    void send(Connection c, PreparedStatement ps, List<AccountRow> rows, Map<String, Held> held) throws SQLException {
        // one statement cannot touch a row twice (21000): each W1 transaction has distinct keys
        table.bindArrays(c, ps, rows);
        if (held == null) {
            ps.executeUpdate();
            return;
        }
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                held.put(rs.getString(1), new Held(rs.getLong(2), rs.getObject(3, OffsetDateTime.class)));
            }
        }
    }

    @Override
    public void upsertOne(AccountRow row) throws SQLException {
        upsertAll(List.of(List.of(row)));
    }
}
