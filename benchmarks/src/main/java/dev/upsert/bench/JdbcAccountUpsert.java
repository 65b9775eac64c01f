package dev.upsert.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A raw-JDBC contender of W1: one connection and one prepared statement for the whole run, the rows of each
 * transaction sent by {@link #send}, then a commit; a failure rolls back and ends the run.
 */
abstract class JdbcAccountUpsert implements Contender {

    final DataSource dataSource;
    final AccountTable table;

    JdbcAccountUpsert(DataSource dataSource, AccountTable table) {
        this.dataSource = dataSource;
        this.table = table;
    }

    @Override
    public boolean rawJdbc() {
        return true;
    }

    /** Whether the statement returns rows, whose id and {@code created_at} are then verified like an entity's. */
    abstract boolean returnsRows();

    abstract PreparedStatement prepare(Connection c) throws SQLException;

    /** Sends one transaction's rows; with {@link #returnsRows()} puts what came back into {@code held}. */
    abstract void send(Connection c, PreparedStatement ps, List<AccountRow> rows, Map<String, Held> held) throws SQLException;

    @Override
    public final Map<String, Held> upsertAll(List<List<AccountRow>> transactions) throws SQLException {
        Map<String, Held> held = returnsRows() ? new HashMap<>() : null;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c)) {
            JdbcTransactions.commitEach(c, transactions, rows -> send(c, ps, rows, held));
        }
        return held;
    }
}
