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
 * The limit: a JDBC batch of {@code INSERT ... ON CONFLICT DO UPDATE}, one {@code executeBatch} per transaction.
 * With {@code returning}, every row's id and {@code created_at} come back (what an entity needs to hold the row's
 * truth): pgjdbc then never rewrites the batch into multi-row statements.
 */
final class JdbcBatchUpsert implements Contender {

    static final String SQL = "insert into account (email, name, balance, created_at, updated_at) values (?, ?, ?, ?, ?)"
            + " on conflict (email) do update set name = excluded.name, balance = excluded.balance,"
            + " updated_at = excluded.updated_at";

    private static final String[] RETURNED = {"id", "created_at", "email"};

    private final DataSource dataSource;
    private final boolean rewrite;
    private final boolean returning;

    JdbcBatchUpsert(DataSource dataSource, boolean rewrite, boolean returning) {
        this.dataSource = dataSource;
        this.rewrite = rewrite;
        this.returning = returning;
    }

    @Override
    public String name() {
        return "JDBC batch" + (returning ? ", returning" : "") + (rewrite ? ", rewrite" : "");
    }

    @Override
    public boolean rawJdbc() {
        return true;
    }

    @Override
    public boolean inContention() {
        return !rewrite && !returning;
    }

    @Override
    public Map<String, Held> upsertAll(List<List<AccountRow>> transactions) throws SQLException {
        Map<String, Held> held = returning ? new HashMap<>() : null;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = returning ? c.prepareStatement(SQL, RETURNED) : c.prepareStatement(SQL)) {
            try {
                for (List<AccountRow> rows : transactions) {
                    for (AccountRow row : rows) {
                        bind(ps, row);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    if (held != null) {
                        readReturned(ps, held);
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

    /** Reads the returned rows, as an entity persister would to write them back; verified like an entity's. */
    private static void readReturned(PreparedStatement ps, Map<String, Held> held) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            while (keys.next()) {
                held.put(keys.getString(3), new Held(keys.getLong(1), keys.getObject(2, OffsetDateTime.class)));
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
