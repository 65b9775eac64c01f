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
 * The limit: a JDBC batch of {@code INSERT ... ON CONFLICT DO UPDATE}, one {@code executeBatch} per transaction,
 * optionally with {@code RETURNING} (what a persister needs to write the stored row back into the entity; the
 * returned rows are verified like an entity's). pgjdbc never rewrites a batch that returns rows, and when a
 * returned column has no fixed width (text, numeric, ...) it cannot bound the reply size and sends each statement
 * with its own Sync, one round trip per row ({@code QueryExecutorImpl.flushIfDeadlockRisk}).
 */
final class JdbcBatchUpsert extends JdbcAccountUpsert {

    /** What comes back per row. */
    enum Returning {
        NOTHING(""),
        /** Only fixed-width columns: pgjdbc still pipelines the batch. */
        FIXED_WIDTH(", returning id, created_at", "id", "created_at"),
        /** Every column, as a write-back of all attributes does: text columns make it one round trip per row. */
        EVERY_COLUMN(", returning every column", "id", "created_at", "email", "name", "balance", "updated_at");

        final String label;
        final String[] columns;

        Returning(String label, String... columns) {
            this.label = label;
            this.columns = columns;
        }
    }

    private final boolean rewrite;
    private final Returning returning;

    JdbcBatchUpsert(DataSource dataSource, AccountTable table, boolean rewrite, Returning returning) {
        super(dataSource, table);
        this.rewrite = rewrite;
        this.returning = returning;
    }

    @Override
    public String name() {
        return "JDBC batch" + returning.label + (rewrite ? ", rewrite" : "");
    }

    @Override
    public boolean inContention() {
        return !rewrite && returning == Returning.NOTHING;
    }

    @Override
    boolean returnsRows() {
        return returning != Returning.NOTHING;
    }

    @Override
    PreparedStatement prepare(Connection c) throws SQLException {
        return returnsRows() ? c.prepareStatement(table.valuesUpsert(), returning.columns) : c.prepareStatement(table.valuesUpsert());
    }

    @Override
    void send(Connection c, PreparedStatement ps, List<AccountRow> rows, Map<String, Held> held) throws SQLException {
        for (AccountRow row : rows) {
            table.bind(ps, row);
            ps.addBatch();
        }
        ps.executeBatch();
        if (held != null) {
            readReturned(ps, rows, held);
        }
    }

    @Override
    public void upsertOne(AccountRow row) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(table.valuesUpsert())) {
            try {
                table.bind(ps, row);
                ps.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** DO UPDATE returns one row per statement, in batch order: the i-th returned row is the i-th upsert's. */
    private static void readReturned(PreparedStatement ps, List<AccountRow> rows, Map<String, Held> held)
            throws SQLException {
        int i = 0;
        try (ResultSet keys = ps.getGeneratedKeys()) {
            while (keys.next()) {
                if (i < rows.size()) {
                    held.put(rows.get(i).email(), new Held(keys.getLong("id"), keys.getObject("created_at", OffsetDateTime.class)));
                }
                i++;
            }
        }
        if (i != rows.size()) {
            throw new SQLException("expected " + rows.size() + " returned rows, got " + i);
        }
    }
}
