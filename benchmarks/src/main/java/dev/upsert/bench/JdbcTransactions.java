package dev.upsert.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The JDBC steps the harness and the raw contenders of W1 and W3 share; each runs the statements it is given, no others. */
final class JdbcTransactions {

    /** One transaction's work on an open connection. */
    interface Work<T> {
        void send(T transaction) throws SQLException;
    }

    /** What fills a freshly emptied table. */
    interface Seed {
        void insert(Connection c) throws SQLException;
    }

    private JdbcTransactions() {
    }

    /** Sends each transaction and commits it; the first failure rolls back and ends the run. */
    static <T> void commitEach(Connection c, List<T> transactions, Work<T> work) throws SQLException {
        try {
            for (T transaction : transactions) {
                work.send(transaction);
                c.commit();
            }
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
    }

    /**
     * Truncates {@code table} (no RESTART IDENTITY: the entity factories' pooled optimizers keep their id blocks across
     * runs), seeds it, refreshes its statistics and returns the seeded rows' ids by {@code keyColumn}.
     */
    static Map<String, Long> reseed(Connection c, String table, String keyColumn, Seed seed) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("truncate " + table);
        }
        seed.insert(c);
        try (Statement s = c.createStatement()) {
            s.execute("analyze " + table);
        }
        c.commit();
        Map<String, Long> ids = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select " + keyColumn + ", id from " + table)) {
            while (rs.next()) {
                ids.put(rs.getString(1), rs.getLong(2));
            }
        }
        c.commit();
        return ids;
    }
}
