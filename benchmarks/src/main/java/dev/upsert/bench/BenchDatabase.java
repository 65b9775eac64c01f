package dev.upsert.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import dev.upsert.testing.CitusCluster;

/**
 * The server the benchmark runs on: embedded PostgreSQL (zonky) unless {@code BENCH_JDBC_URL} names one; with
 * {@code --citus} a Citus cluster the benchmark starts (coordinator and two workers, {@link CitusCluster}) or the
 * coordinator {@code BENCH_JDBC_URL} names, holding {@link AccountTable#DISTRIBUTED}. Everything lives in schema
 * {@value #SCHEMA}, dropped and recreated at start, so an external database is not touched elsewhere. Two pools: one
 * plain, one with pgjdbc's {@code reWriteBatchedInserts=true}.
 */
final class BenchDatabase implements AutoCloseable {

    static final String SCHEMA = "upsert_bench";
    static final String URL_ENV = "BENCH_JDBC_URL";

    private final AutoCloseable server;
    private final AccountTable table;
    private final String description;
    private final HikariDataSource plain;
    private final HikariDataSource rewrite;
    private final String serverVersion;
    private final String statementStatsView;
    private final String statementStatsProblem;
    private final String url;
    private final String user;
    private final String password;

    private BenchDatabase(AutoCloseable server, AccountTable table, String url, String user, String password,
                          String description) throws SQLException {
        this.server = server;
        this.table = table;
        this.description = description;
        this.url = url;
        this.user = user;
        this.password = password;
        try (HikariDataSource setup = pool(url, user, password, false, "setup", 1, false)) {
            try (Connection c = setup.getConnection(); Statement s = c.createStatement()) {
                s.execute("drop schema if exists " + SCHEMA + " cascade");
                s.execute("create schema " + SCHEMA);
                c.commit();
            }
        }
        this.plain = pool(url, user, password, false, "plain", 10, true);
        this.rewrite = pool(url, user, password, true, "rewrite", 10, true);
        try (Connection c = plain.getConnection(); Statement s = c.createStatement()) {
            s.execute(table.ddl());
            try (ResultSet rs = s.executeQuery("show server_version")) {
                rs.next();
                serverVersion = rs.getString(1);
            }
            c.commit();
        }
        String[] stats = locateStatementStats();
        this.statementStatsView = stats[0];
        this.statementStatsProblem = stats[1];
    }

    static BenchDatabase start() throws IOException, SQLException {
        String url = System.getenv(URL_ENV);
        if (url != null && !url.isBlank()) {
            return new BenchDatabase(null, AccountTable.LOCAL, url, externalUser(), externalPassword(),
                    "external (" + URL_ENV + "=" + url + ")");
        }
        EmbeddedPostgres pg;
        String note = "";
        try {
            pg = EmbeddedPostgres.builder().setServerConfig("shared_preload_libraries", "pg_stat_statements").start();
        } catch (IOException | RuntimeException e) {
            note = ", without pg_stat_statements: " + oneLine(e);
            pg = EmbeddedPostgres.builder().start();
        }
        return new BenchDatabase(pg, AccountTable.LOCAL, pg.getJdbcUrl("postgres", "postgres"), "postgres", "",
                "embedded (zonky" + note + ")");
    }

    /**
     * A Citus coordinator: the one {@code BENCH_JDBC_URL} names (Citus must be installed in its database), else a
     * cluster started under {@code scratch} and stopped by {@link #close()}.
     */
    static BenchDatabase startCitus(Path scratch) throws SQLException {
        String url = System.getenv(URL_ENV);
        if (url != null && !url.isBlank()) {
            return new BenchDatabase(null, AccountTable.DISTRIBUTED, url, externalUser(), externalPassword(),
                    "Citus coordinator (" + URL_ENV + "=" + url + ")");
        }
        CitusCluster cluster = CitusCluster.start(scratch);
        try {
            return new BenchDatabase(cluster::close, AccountTable.DISTRIBUTED, cluster.jdbcUrl(), cluster.user(), "",
                    "Citus " + cluster.citusVersion() + " started by the benchmark: a coordinator and 2 workers on loopback"
                            + " (fsync off), table account hash-distributed by tenant_id over "
                            + AccountRow.TENANTS + " tenants");
        } catch (SQLException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static String externalUser() {
        return System.getenv().getOrDefault("BENCH_JDBC_USER", "postgres");
    }

    private static String externalPassword() {
        return System.getenv().getOrDefault("BENCH_JDBC_PASSWORD", "");
    }

    private static HikariDataSource pool(String url, String user, String password, boolean rewrite, String name,
                                         int size, boolean inSchema) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setAutoCommit(false);
        // a String: DriverManager-based pools pass java.util.Properties, whose getProperty ignores other types
        config.addDataSourceProperty("reWriteBatchedInserts", String.valueOf(rewrite));
        if (inSchema) {
            config.addDataSourceProperty("currentSchema", SCHEMA);
        }
        return new HikariDataSource(config);
    }

    /** {@code [qualified view name or null, why not]}: statement counts come from pg_stat_statements if it works. */
    private String[] locateStatementStats() {
        try (Connection c = plain.getConnection(); Statement s = c.createStatement()) {
            try {
                s.execute("create extension if not exists pg_stat_statements");
                c.commit();
            } catch (SQLException e) {
                c.rollback();
            }
            String view;
            try (ResultSet rs = s.executeQuery("select extnamespace::regnamespace::text from pg_extension"
                    + " where extname = 'pg_stat_statements'")) {
                if (!rs.next()) {
                    return new String[] {null, "pg_stat_statements is not installed"};
                }
                view = rs.getString(1) + ".pg_stat_statements";
            }
            s.executeQuery("select count(*) from " + view).close();
            s.execute("select " + view + "_reset()");
            c.commit();
            return new String[] {view, null};
        } catch (SQLException e) {
            return new String[] {null, oneLine(e)};
        }
    }

    /** A further pool of {@code size} connections in the benchmark's schema (W4 measures with a pool of 8); the caller closes it. */
    HikariDataSource newPool(String name, int size) {
        return pool(url, user, password, false, name, size, true);
    }

    /** The sequence's {@code last_value}: ids drawn, for counting sequence values per transaction. */
    long sequenceValue(String sequence) throws SQLException {
        return queryLong("select last_value from " + sequence);
    }

    /** Whether the server is the embedded one this benchmark started (its processes run on this machine). */
    boolean embedded() {
        return server instanceof EmbeddedPostgres;
    }

    /** The table's shape, which the raw contenders' SQL follows. */
    AccountTable table() {
        return table;
    }

    DataSource dataSource(boolean rewriteBatchedInserts) {
        return rewriteBatchedInserts ? rewrite : plain;
    }

    String description() {
        return description;
    }

    String serverVersion() {
        return serverVersion;
    }

    /** Null when statement counts are available, else why not. */
    String statementStatsProblem() {
        return statementStatsProblem;
    }

    /** Empties the table and inserts {@code seed}; returns the seeded rows' ids by email. */
    Map<String, Long> reset(List<AccountRow> seed) throws SQLException {
        try (Connection c = plain.getConnection()) {
            return JdbcTransactions.reseed(c, "account", "email", seeding -> {
                if (!seed.isEmpty()) {
                    try (PreparedStatement ps = seeding.prepareStatement(table.unnestInsert())) {
                        table.bindArrays(seeding, ps, seed);
                        ps.executeUpdate();
                    }
                }
            });
        }
    }

    /** Every row of the table, by email. */
    Map<String, StoredRow> rows() throws SQLException {
        Map<String, StoredRow> rows = new HashMap<>();
        try (Connection c = plain.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select id, email, name, balance, created_at, updated_at from account")) {
            while (rs.next()) {
                StoredRow row = new StoredRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getObject(5, OffsetDateTime.class), rs.getObject(6, OffsetDateTime.class));
                rows.put(row.email(), row);
            }
            c.commit();
        }
        return rows;
    }

    long rowCount() throws SQLException {
        return queryLong("select count(*) from account");
    }

    /** The one number {@code sql} selects, in a transaction of its own. */
    long queryLong(String sql) throws SQLException {
        try (Connection c = plain.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            long n = rs.getLong(1);
            c.commit();
            return n;
        }
    }

    /** Starts counting server statements; a no-op without pg_stat_statements. */
    void resetStatementCounts() throws SQLException {
        if (statementStatsView == null) {
            return;
        }
        try (Connection c = plain.getConnection(); Statement s = c.createStatement()) {
            s.execute("select " + statementStatsView + "_reset()");
            c.commit();
        }
    }

    /** Statements executed on the account table or its sequence since the last reset; empty if not available. */
    OptionalLong statementCount() throws SQLException {
        if (statementStatsView == null) {
            return OptionalLong.empty();
        }
        try (Connection c = plain.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select coalesce(sum(calls), 0) from " + statementStatsView
                     + " where dbid = (select oid from pg_database where datname = current_database())"
                     + " and query ~* '\\maccount' and query !~* 'pg_stat_statements'")) {
            rs.next();
            long n = rs.getLong(1);
            c.commit();
            return OptionalLong.of(n);
        }
    }

    @Override
    public void close() throws IOException {
        rewrite.close();
        try (Connection c = plain.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
            c.commit();
        } catch (SQLException e) {
            System.err.println("could not drop schema " + SCHEMA + ": " + oneLine(e));
        }
        plain.close();
        if (server != null) {
            try {
                server.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    /** An exception as one short line, with the SQLSTATE of the first SQLException in the chain. */
    static String oneLine(Throwable e) {
        String state = null;
        for (Throwable t = e; t != null && state == null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                state = sql.getSQLState();
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getClass().getSimpleName() + ": " + String.valueOf(root.getMessage()).replaceAll("\\s+", " ");
        if (message.length() > 160) {
            message = message.substring(0, 157) + "...";
        }
        return (state != null ? "SQLSTATE " + state + ", " : "") + message;
    }
}
