package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.zaxxer.hikari.HikariConfig;

import dev.upsert.DuplicateKeyException;
import dev.upsert.Upsert;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.upsert.Entities.Member;

/**
 * Server-side faults during {@code @Upsert} work through a HikariCP pool: a backend terminated in the middle of a
 * batched flush, every backend of the pool terminated between transactions, a statement timeout inside a batch. Each
 * fails cleanly (an exception, never a hang, never a duplicate key), leaves nothing of the failed transaction in the
 * table, and the pool serves the next transaction. Both kinds of action are covered, each one statement of column
 * arrays per 1,000-row chunk: an unconditional DO UPDATE ({@link Member}, whose statement has no stored-row join) and
 * {@code skipUnchanged} ({@link CheckedContact}, whose statement reads the rows it leaves alone).
 * <p>
 * The pools carry {@code ApplicationName}, so only this class's own backends are terminated on a shared server, and
 * otherwise pgjdbc's defaults: no message of Hibernate's, JPA's, the extension's or the driver's exceptions under
 * them may hold a key value (docs/duplicate-keys.md).
 */
@PostgresTest
class UpsertFaultsIT {

    /** {@link Member}'s columns, with {@code skipUnchanged}: the statements that return the stored row. */
    @Entity @Table(name = "checked_contact", uniqueConstraints = @UniqueConstraint(name = "checked_contact_email_key", columnNames = "email"))
    @Upsert(on = "email", skipUnchanged = true)
    static class CheckedContact extends Entities.Audited {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "checked_contact_ids")
        @SequenceGenerator(name = "checked_contact_ids", sequenceName = "checked_contact_ids", allocationSize = 50)
        Long id;
        CheckedContact() { }
        CheckedContact(String email, String name) { super(email, name, name); }
    }

    /** The two kinds of action (the enum names are those of the statement shapes they once chose). */
    enum Shape {
        MULTI_ROW("member"),
        ONE_ROW_STATEMENTS("checked_contact");

        final String table;

        Shape(String table) {
            this.table = table;
        }

        Object entity(String email, String name) {
            return this == MULTI_ROW ? new Member(email, name) : new CheckedContact(email, name);
        }
    }

    static final int ROWS = 1_000;
    /** The row (in key order, which is the order the flush sends them) whose insert trigger stalls: batch 11 of 20. */
    static final int STALLED_ROW = 500;
    static final Map<String, Object> SETTINGS = Map.of("hibernate.jdbc.batch_size", "50", "hibernate.order_inserts", "true");

    static TestSchema db;
    @AutoClose("shutdownNow") static final ExecutorService executor = Executors.newCachedThreadPool();

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
    }

    static String email(String prefix, int i) {
        return String.format("%s%04d@faults.example", prefix, i);
    }

    /**
     * A pool of its own per test (its own ApplicationName) over freshly created tables, each with a BEFORE INSERT
     * trigger that runs {@code stall} for the row whose name is {@code 'stall'}.
     */
    static PooledJpa pool(String test, int size, String urlProperties, Consumer<HikariConfig> config, String stall) {
        PooledJpa jpa = new PooledJpa(db, "upsert-faults-" + test + "-" + db.name(), size, urlProperties, config,
                "drop-and-create", SETTINGS, Member.class, CheckedContact.class);
        db.execute("create or replace function stall() returns trigger language plpgsql as $$ begin "
                + "if new.name = 'stall' then " + stall + "; end if; return new; end $$");
        for (Shape shape : Shape.values()) {
            db.execute("create trigger stall before insert on " + shape.table + " for each row execute function stall()");
        }
        return jpa;
    }

    /** 1,000 upserts in one transaction, committed; row {@link #STALLED_ROW} (when {@code stall}) fires the trigger. */
    static void upsertAll(PooledJpa jpa, Shape shape, String prefix, String name, boolean stall) {
        EntityManager em = jpa.open();
        try {
            em.getTransaction().begin();
            for (int i = ROWS - 1; i >= 0; i--) {
                em.persist(shape.entity(email(prefix, i), stall && i == STALLED_ROW ? "stall" : name));
            }
            em.getTransaction().commit();
        } finally {
            PooledJpa.end(em);
        }
    }

    /** Runs {@code work} on another thread and returns what it threw (null: it succeeded); a hang fails the test. */
    static Throwable failureOf(Callable<?> work, long seconds) throws InterruptedException, java.util.concurrent.ExecutionException {
        Future<?> future = executor.submit(work);
        try {
            future.get(seconds, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("the transaction did not finish within " + seconds + " s", e);
        }
    }

    /**
     * A terminated or timed-out upsert is a failure of its own kind, never a duplicate key, and no exception of the
     * chain names a key value, the driver's included.
     */
    static void assertCleanFailure(Throwable failure, String prefix) {
        assertThat(failure).isNotNull();
        assertThat(DuplicateKeyException.find(failure)).isEmpty();
        for (Throwable t : chain(failure)) {
            assertThat(t).isNotInstanceOf(DuplicateKeyException.class);
            assertThat(String.valueOf(t.getMessage())).as("message of " + t.getClass().getName())
                    .doesNotContain(prefix).doesNotContain("@faults.example");
        }
    }

    /** Every throwable reachable through causes, suppressed exceptions and {@link SQLException#getNextException()}. */
    static List<Throwable> chain(Throwable root) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> out = new ArrayList<>();
        List<Throwable> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            Throwable t = todo.remove(todo.size() - 1);
            if (t == null || !seen.add(t)) {
                continue;
            }
            out.add(t);
            todo.add(t.getCause());
            todo.addAll(List.of(t.getSuppressed()));
            if (t instanceof SQLException sql) {
                todo.add(sql.getNextException());
            }
        }
        return out;
    }

    /** The SQLSTATE of the first driver exception along the causes (suppressed ones, e.g. a failed rollback, aside). */
    static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    static List<Integer> backends(Connection control, String applicationName, String condition) throws SQLException {
        try (PreparedStatement s = control.prepareStatement("select pid from pg_stat_activity where application_name = ? and "
                + "datname = current_database() and pid <> pg_backend_pid()" + condition)) {
            s.setString(1, applicationName);
            List<Integer> pids = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
            return pids;
        }
    }

    static void terminate(Connection control, List<Integer> pids) throws SQLException {
        for (int pid : pids) {
            try (Statement s = control.createStatement()) {
                s.execute("select pg_terminate_backend(" + pid + ")");
            }
        }
    }

    /** Polls until {@code condition} holds for some backend of the pool (never a fixed sleep): at most 30 s. */
    static List<Integer> awaitBackends(Connection control, String applicationName, String condition, boolean present)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<Integer> pids = backends(control, applicationName, condition);
            if (pids.isEmpty() != present) {
                return pids;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no backend of " + applicationName + (present ? " became " : " stopped being ") + condition);
    }

    /**
     * A backend terminated while it executes batch 11 of 20 of a 1,000-row upsert flush (it waits for an advisory lock
     * in the insert trigger of row 500, so the 500 rows before it are written in the transaction): the commit fails,
     * none of the 1,000 rows (new or updates of 10 seeded ones) is in the table, and the pool serves the next
     * transaction.
     */
    @ParameterizedTest
    @EnumSource(Shape.class)
    void backendTerminatedMidFlushLeavesNoRowAndThePoolRecovers(Shape shape) throws Exception {
        try (PooledJpa jpa = pool("kill-" + shape.ordinal(), 2, "", c -> { },
                "perform pg_advisory_xact_lock_shared(hashtext(tg_table_schema))");
             Connection control = db.connection()) {
            db.execute("insert into " + shape.table + " (id, email, name, created_by, version) select -i, format('kill%s@faults.example', "
                    + "lpad(i::text, 4, '0')), 'seed', 'seed', 0 from generate_series(0, 9) i");
            try (Statement s = control.createStatement()) {
                s.execute("select pg_advisory_lock(hashtext('" + db.name() + "'))");
            }
            Throwable failure;
            try {
                Future<Throwable> flush = executor.submit(() -> failureOf(() -> {
                    upsertAll(jpa, shape, "kill", "killed", true);
                    return null;
                }, 60));
                List<Integer> waiting = awaitBackends(control, jpa.applicationName, " and wait_event = 'advisory'", true);
                assertThat(waiting).hasSize(1);
                // the stalled transaction has written rows 0-499 by now: it is their rollback this test checks
                assertThat(db.queryLong("select count(*) from pg_locks where pid = " + waiting.get(0)
                        + " and locktype = 'transactionid' and granted")).isEqualTo(1);
                terminate(control, waiting);
                failure = flush.get(60, TimeUnit.SECONDS);
            } finally {
                try (Statement s = control.createStatement()) {
                    s.execute("select pg_advisory_unlock_all()");
                }
            }
            assertCleanFailure(failure, "kill");
            // commit() flushes: Hibernate maps 57P01 (admin_shutdown) to GenericJDBCException, JPA wraps it
            assertThat(failure).isExactlyInstanceOf(jakarta.persistence.RollbackException.class)
                    .hasCauseExactlyInstanceOf(org.hibernate.exception.GenericJDBCException.class)
                    .hasRootCauseInstanceOf(SQLException.class);
            assertThat(sqlState(failure)).isEqualTo("57P01");
            System.out.println("[faults] terminated mid-flush, " + shape + ": " + describe(failure));

            assertThat(db.query("select count(*), count(*) filter (where name = 'seed' and version = 0) from " + shape.table))
                    .containsExactly(List.of(10L, 10L));

            upsertAll(jpa, shape, "kill", "after", false);
            assertThat(db.query("select count(*), count(*) filter (where name = 'after'), "
                    + "count(*) filter (where created_by = 'seed' and version = 1) from " + shape.table))
                    .containsExactly(List.of((long) ROWS, (long) ROWS, 10L));
        }
    }

    static final int POOL = 4;

    /**
     * Every backend of a 4-connection pool terminated between transactions, as a server restart would, with Hikari's
     * defaults: each following transaction fails cleanly or succeeds, none hangs, and the table holds exactly the
     * committed rows. Hikari validates a connection only when it was idle for more than 500 ms
     * ({@code com.zaxxer.hikari.aliveBypassWindowMs}), so right after the restart it may hand out each dead connection
     * once: up to 4 transactions fail at their first statement (57P01), each evicting its connection, and the next one
     * gets a new connection. After a pause of over 500 ms the first transaction succeeds.
     */
    @Test
    void everyBackendTerminatedBetweenTransactionsFailsCleanlyThenRecovers() throws Exception {
        try (PooledJpa jpa = pool("restart", POOL, "", c -> c.setMinimumIdle(POOL), "null");
             Connection control = db.connection()) {
            upsertFew(jpa, "before");
            List<Integer> pids = backends(control, jpa.applicationName, "");
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); pids.size() < POOL && System.nanoTime() < deadline; ) {
                Thread.sleep(10);     // Hikari opens the idle connections in the background
                pids = backends(control, jpa.applicationName, "");
            }
            assertThat(pids).hasSize(POOL);
            terminate(control, pids);
            awaitBackends(control, jpa.applicationName, " and pid in (" + join(pids) + ")", false);

            List<String> outcomes = new ArrayList<>();
            int succeeded = -1;
            for (int attempt = 1; attempt <= POOL + 1 && succeeded < 0; attempt++) {
                int n = attempt;
                Throwable failure = failureOf(() -> {
                    upsertFew(jpa, "attempt" + n + "-");
                    return null;
                }, 30);
                if (failure == null) {
                    succeeded = attempt;
                    outcomes.add("attempt " + attempt + ": committed");
                } else {
                    assertCleanFailure(failure, "attempt");
                    assertThat(sqlState(failure)).isEqualTo("57P01");
                    // the first statement of a transaction meets the dead connection: the upsert at commit, since
                    // the ids come from the SessionFactory's shared block (or, when that block ran dry, its fetch at
                    // persist, and the upsert never starts)
                    org.hibernate.JDBCException jdbc = failure instanceof org.hibernate.JDBCException direct ? direct
                            : (org.hibernate.JDBCException) failure.getCause();
                    if (jdbc == failure) {
                        assertThat(failure).isExactlyInstanceOf(org.hibernate.exception.GenericJDBCException.class);
                        assertThat(jdbc.getSQL()).startsWith("select nextval(");
                    } else {
                        assertThat(failure).isExactlyInstanceOf(jakarta.persistence.RollbackException.class);
                        assertThat(jdbc.getSQL()).contains(" from unnest(");
                    }
                    outcomes.add("attempt " + attempt + ": " + describe(failure));
                }
            }
            System.out.println("[faults] after terminating " + pids.size() + " backends: " + outcomes);
            // each dead connection fails at most one transaction (Hikari evicts it on 57P01); then a new one is opened
            assertThat(succeeded).as(outcomes.toString()).isBetween(1, POOL + 1);
            assertThat(db.query("select split_part(email, '0', 1), count(*) from member group by 1 order by 1"))
                    .containsExactly(List.of("attempt" + succeeded + "-", (long) FEW), List.of("before", 10L));
        }
    }

    /** Rows per transaction after the restart. */
    static final int FEW = 8;

    /**
     * A few new rows in one transaction: ids from the SessionFactory's block (fetched when it runs dry), then one
     * upsert batch at commit.
     */
    static void upsertFew(PooledJpa jpa, String prefix) {
        EntityManager em = jpa.open();
        try {
            em.getTransaction().begin();
            for (int i = 0; i < (prefix.equals("before") ? 10 : FEW); i++) {
                em.persist(new Member(email(prefix, i), "ok"));
            }
            em.getTransaction().commit();
        } finally {
            PooledJpa.end(em);
        }
    }

    /**
     * {@code statement_timeout} (1.5 s, set for the pool's sessions in the JDBC URL) cancels a 1,000-row upsert flush
     * whose row 500 sleeps in its insert trigger: a clean 57014 failure, nothing written, the pool works afterwards.
     */
    @ParameterizedTest
    @EnumSource(Shape.class)
    void statementTimeoutInsideABatchFailsCleanlyAndThePoolWorksAfterwards(Shape shape) throws Exception {
        try (PooledJpa jpa = pool("timeout-" + shape.ordinal(), 2, "options=-c%20statement_timeout%3D1500", c -> { }, "perform pg_sleep(120)")) {
            Throwable failure = failureOf(() -> {
                upsertAll(jpa, shape, "slow", "slow", true);
                return null;
            }, 60);
            assertCleanFailure(failure, "slow");
            // Hibernate maps 57014 to its QueryTimeoutException; 7.3 and newer report it to JPA as a PersistenceException
            // because the transaction is marked for rollback, 7.2 and 6.6 as JPA's QueryTimeoutException; commit() wraps either
            assertThat(failure).isExactlyInstanceOf(jakarta.persistence.RollbackException.class)
                    .hasCauseExactlyInstanceOf(dev.upsert.testing.jpa.PersistenceUnit.hibernate66() || hibernateMinor() < 3
                            ? jakarta.persistence.QueryTimeoutException.class : jakarta.persistence.PersistenceException.class);
            assertThat(failure.getCause()).hasCauseExactlyInstanceOf(org.hibernate.QueryTimeoutException.class);
            assertThat(sqlState(failure)).isEqualTo("57014");
            System.out.println("[faults] statement timeout, " + shape + ": " + describe(failure));
            assertThat(db.queryLong("select count(*) from " + shape.table)).isZero();

            upsertAll(jpa, shape, "slow", "after", false);
            assertThat(db.query("select count(*), count(*) filter (where name = 'after') from " + shape.table))
                    .containsExactly(List.of((long) ROWS, (long) ROWS));
        }
    }

    static String join(List<Integer> pids) {
        return pids.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("0");
    }

    static String describe(Throwable failure) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            out.append(out.isEmpty() ? "" : " <- ").append(t.getClass().getName());
            if (t instanceof SQLException sql) {
                out.append("(").append(sql.getSQLState()).append(")");
            }
        }
        for (Throwable t : chain(failure)) {
            for (Throwable suppressed : t.getSuppressed()) {
                out.append(" (suppressed: ").append(suppressed.getClass().getName()).append(")");
            }
        }
        return out.toString();
    }

    /** The minor version of the Hibernate ORM 7 this suite runs on (-Dupsert.test.hibernate), e.g. 2 for 7.2.24 */
    private static int hibernateMinor() {
        return Integer.parseInt(org.hibernate.Version.getVersionString().split("\\.")[1]);
    }
}
