package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;

import dev.upsert.testing.jpa.PersistenceUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


import dev.upsert.DuplicateKeyException;
import dev.upsert.Upsert;
import dev.upsert.testing.FailoverCluster;
import dev.upsert.testing.FailoverTest;
import dev.upsert.testing.jpa.PooledPersistenceUnit;
import dev.upsert.upsert.Entities.Badge;
import dev.upsert.upsert.Entities.Member;

/**
 * A real failover (pg_auto_failover: a primary, a synchronous standby, {@code pg_autoctl perform failover}) while
 * {@code @Upsert} and plain inserts run through a HikariCP pool over pgjdbc's multi-host URL.
 * <p>
 * Every transaction writes a {@link Receipt} with its own id under a unique constraint, in the same transaction as
 * its upserts: the receipts on the new primary are the server's ledger, compared with the client's. A transaction
 * that failed is retried in a new transaction that first looks for its receipt, because a commit can fail on the
 * client after the server committed it (the connection dropped while the commit waited for the standby).
 */
@FailoverTest
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UpsertFailoverIT {

    /** A plain entity: its duplicates raise {@link DuplicateKeyException}. */
    @Entity(name = "Receipt") @Table(name = "receipt", uniqueConstraints = @UniqueConstraint(name = "receipt_tx_key", columnNames = "tx_id"))
    static class Receipt {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "receipt_ids")
        @SequenceGenerator(name = "receipt_ids", sequenceName = "receipt_ids", allocationSize = 50)
        Long id;
        @Column(name = "tx_id") String txId;
        int worker;
        int seq;
        Receipt() { }
        Receipt(String txId, int worker, int seq) { this.txId = txId; this.worker = worker; this.seq = seq; }
    }

    static final int THREADS = 4;
    static final int MEMBERS = 12;
    static final int BADGES = 6;
    /** Transactions each thread commits before the failover starts, and again after it ended. */
    static final int PER_PHASE = 15;
    static final Duration PHASE_LIMIT = Duration.ofSeconds(60);

    static FailoverCluster cluster;
    @AutoClose("shutdownNow") static final ExecutorService executor = Executors.newCachedThreadPool();

    @BeforeAll
    static void start(FailoverCluster formation) {
        cluster = formation;
    }

    /** A persistence unit over a pool of its own on the multi-host URL; drops and creates the three tables. */
    static PooledPersistenceUnit unit(String name, int poolSize) {
        // socketTimeout: a read that never returns fails (08006) instead of hanging the test
        return PooledPersistenceUnit.boot(cluster.pool(name, poolSize, "socketTimeout=30"), name, Map.of(
                        "jakarta.persistence.schema-generation.database.action", "drop-and-create",
                        "hibernate.jdbc.batch_size", "50", "hibernate.order_inserts", "true"),
                Member.class, Badge.class, Receipt.class);
    }

    /** One unit of work: its receipt and the keys it upserts (badges in key order, see {@link UpsertConcurrencyIT}). */
    record Work(String txId, int worker, int seq, List<String> badges, List<String> members) {

        static Work random(int worker, int seq, Random random) {
            List<String> badges = pick(random, "B-", BADGES, 2);
            List<String> members = pick(random, "m", MEMBERS, 3);
            return new Work("w" + worker + "-" + seq, worker, seq, badges, members);
        }

        private static List<String> pick(Random random, String prefix, int of, int count) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < of; i++) {
                all.add(i);
            }
            Collections.shuffle(all, random);
            return all.subList(0, count).stream().sorted().map(i -> String.format("%s%02d", prefix, i)).toList();
        }
    }

    /** How a unit of work ended: on which attempt, whether a failed attempt had in fact committed, the ids it saw. */
    record Done(Work work, int attempts, boolean foundCommitted, Map<String, Long> ids) {
    }

    /**
     * Issue 15: four threads upsert overlapping keys (SEQUENCE and IDENTITY ids) and insert receipts; the standby is
     * promoted in the middle. Every transaction whose commit returned is on the new primary once, no upsert is lost
     * or doubled (each key's version counts exactly the receipts that name it), every failure is connection-class,
     * every retry in a new transaction succeeds, and every entity held its row's id.
     */
    @Test
    void fourThreadsOfUpsertsSurviveAFailoverWithNothingLostOrDoubled() throws Exception {
        try (PooledPersistenceUnit unit = unit("failover-load", THREADS + 1)) {
            Queue done = new Queue();
            AtomicIntegerArray committed = new AtomicIntegerArray(THREADS);
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < THREADS; w++) {
                int worker = w;
                workers.add(executor.submit(() -> {
                    Random random = new Random(worker);
                    for (int seq = 0; !stop.get(); seq++) {
                        done.results.add(complete(unit, Work.random(worker, seq, random), done));
                        committed.incrementAndGet(worker);
                    }
                    return null;
                }));
            }

            awaitEachThread(committed, PER_PHASE, workers);
            FailoverCluster.Failover failover;
            try {
                failover = cluster.failover();
            } finally {
                done.settled.countDown();
            }
            int[] atFailover = snapshot(committed);
            awaitEachThread(committed, PER_PHASE, workers, atFailover);
            stop.set(true);
            for (Future<?> worker : workers) {
                worker.get(PHASE_LIMIT.toSeconds(), TimeUnit.SECONDS);
            }

            assertThat(failover.toPort()).isNotEqualTo(failover.fromPort());
            assertFailuresAreConnectionClass(done.failures);
            List<Done> results = new ArrayList<>(done.results);
            long retried = results.stream().filter(d -> d.attempts() > 1).count();
            long foundCommitted = results.stream().filter(Done::foundCommitted).count();
            assertThat(done.failures).as("a failover under load fails some transactions").isNotEmpty();
            assertThat(retried).isPositive();

            // the primary now, read from the monitor: a second, unplanned failover would show here, not as lost rows
            int primary = cluster.primaryPort();
            try (Connection c = connect(primary)) {
                assertThat(query(c, "select pg_is_in_recovery()::text")).as("%s, planned failover to %d", cluster, failover.toPort())
                        .containsExactly(List.of("false"));
                assertLedgerMatches(c, results);
                assertVersionsCountEveryApplicationOnce(c, "member", "email",
                        results.stream().flatMap(d -> d.work().members().stream()).toList());
                assertVersionsCountEveryApplicationOnce(c, "badge", "code",
                        results.stream().flatMap(d -> d.work().badges().stream()).toList());
                assertEntitiesHeldStoredIds(c, results);
            }
            System.out.printf("[upsert-failover] %d transactions committed (%d after a retry, %d of them found already"
                            + " committed), %d attempts failed (connection-class: %s), %d member and %d badge keys with one"
                            + " row each, %.1f s without a primary (failover %d -> %d)%n",
                    results.size(), retried, foundCommitted, done.failures.size(), sqlStates(done.failures), MEMBERS, BADGES,
                    failover.withoutPrimary().toMillis() / 1000.0, failover.fromPort(), failover.toPort());
        }
    }

    /**
     * The catalog the extension read before the failover describes the new primary's constraints, and a constraint
     * created only after the failover is read from the new primary: each {@link DuplicateKeyException} names
     * constraint, table, columns and attributes.
     */
    @Test
    void duplicateKeysOnTheNewPrimaryCarryConstraintColumnsAndAttributes() throws Exception {
        try (PooledPersistenceUnit unit = unit("failover-duplicates", 2)) {
            unit.run(em -> em.persist(new Receipt("first", 1, 1)));
            assertDuplicate(duplicateOf(unit, new Receipt("first", 2, 2)), "receipt_tx_key", List.of("tx_id"), List.of("txId"));

            FailoverCluster.Failover failover = cluster.failover();

            // the pool's connections to the old primary are dead: transactions fail (connection-class) until it has new ones
            Throwable duplicate = afterReconnect(() -> duplicateOf(unit, new Receipt("first", 3, 3)));
            assertDuplicate(duplicate, "receipt_tx_key", List.of("tx_id"), List.of("txId"));

            try (Connection c = connect(failover.toPort()); Statement s = c.createStatement()) {
                s.execute("alter table receipt add constraint receipt_worker_seq_key unique (worker, seq)");
            }
            assertDuplicate(afterReconnect(() -> duplicateOf(unit, new Receipt("second", 1, 1))),
                    "receipt_worker_seq_key", List.of("worker", "seq"), List.of("worker", "seq"));
            try (Connection c = connect(failover.toPort())) {
                assertThat(query(c, "select tx_id, worker::text, seq::text from receipt"))
                        .containsExactly(List.of("first", "1", "1"));
            }
        }
    }

    // --- the load ----------------------------------------------------------------------------------------------------

    /**
     * Results and failures of all threads, and the moment the failover settled: a retry waits for it, so that its look
     * for the receipt reads the primary that stays (a look on the old primary while it drains could find a commit that
     * the standby never received, and the old primary's rewind then takes it away).
     */
    static final class Queue {
        final ConcurrentLinkedQueue<Done> results = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final CountDownLatch settled = new CountDownLatch(1);
    }

    /**
     * Runs {@code work} until it has committed: the first attempt as is, every retry (once the failover settled) in a
     * new transaction that first looks for the receipt (present: an attempt that failed on the client had committed).
     * A failure that is not connection-class ends the thread, and the test, at once.
     */
    static Done complete(PooledPersistenceUnit unit, Work work, Queue queue) throws InterruptedException {
        long deadline = Long.MAX_VALUE;
        for (int attempt = 1; ; attempt++) {
            boolean retry = attempt > 1;
            Map<String, Long> ids = new TreeMap<>();
            boolean[] found = {false};
            try {
                unit.run(em -> {
                    if (retry && !em.createQuery("select r.id from Receipt r where r.txId = :tx", Long.class)
                            .setParameter("tx", work.txId()).getResultList().isEmpty()) {
                        found[0] = true;
                        return;
                    }
                    List<Badge> badges = new ArrayList<>();
                    for (String code : work.badges()) {
                        Badge badge = new Badge(code, work.txId());
                        em.persist(badge);
                        badges.add(badge);
                    }
                    List<Member> members = new ArrayList<>();
                    for (String email : work.members()) {
                        Member member = new Member(email, work.txId());
                        em.persist(member);
                        members.add(member);
                    }
                    em.persist(new Receipt(work.txId(), work.worker(), work.seq()));
                    em.flush();
                    badges.forEach(b -> ids.put(b.code, b.id));
                    members.forEach(m -> ids.put(m.email, m.id));
                });
                return new Done(work, attempt, found[0], found[0] ? Map.of() : ids);
            } catch (RuntimeException e) {
                queue.failures.add(e);
                if (!isConnectionClass(e) || !queue.settled.await(PHASE_LIMIT.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw e;
                }
                // retries get PHASE_LIMIT from the first one after the failover settled
                long now = System.nanoTime();
                if (deadline == Long.MAX_VALUE) {
                    deadline = now + PHASE_LIMIT.toNanos();
                } else if (now > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    static void awaitEachThread(AtomicIntegerArray committed, int count, List<Future<?>> workers) throws Exception {
        awaitEachThread(committed, count, workers, new int[THREADS]);
    }

    /** Waits until every thread committed {@code count} more than {@code from}; a thread that died fails the test. */
    static void awaitEachThread(AtomicIntegerArray committed, int count, List<Future<?>> workers, int[] from) throws Exception {
        long deadline = System.nanoTime() + PHASE_LIMIT.toNanos();
        while (true) {
            boolean all = true;
            for (int w = 0; w < THREADS; w++) {
                all &= committed.get(w) >= from[w] + count;
            }
            if (all) {
                return;
            }
            for (Future<?> worker : workers) {
                if (worker.isDone()) {
                    worker.get();   // rethrows what ended it
                    throw new AssertionError("a worker stopped early");
                }
            }
            assertThat(System.nanoTime()).as("threads did not commit %d transactions each within %s", count, PHASE_LIMIT)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static int[] snapshot(AtomicIntegerArray counts) {
        int[] out = new int[counts.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts.get(i);
        }
        return out;
    }

    // --- what must hold ----------------------------------------------------------------------------------------------

    /** Each unit of work has exactly one receipt on the new primary, and there is no other. */
    static void assertLedgerMatches(Connection c, List<Done> results) throws SQLException {
        Map<String, Long> server = new HashMap<>();
        for (List<String> row : query(c, "select tx_id, count(*)::text from receipt group by tx_id")) {
            server.put(row.get(0), Long.parseLong(row.get(1)));
        }
        Map<String, Long> client = new HashMap<>();
        results.forEach(d -> client.put(d.work().txId(), 1L));
        // on a mismatch, how each differing unit of work ended on the client (attempts, found already committed)
        Map<String, Done> differing = new TreeMap<>();
        results.stream().filter(d -> !Long.valueOf(1L).equals(server.get(d.work().txId())))
                .forEach(d -> differing.put(d.work().txId(), d));
        server.keySet().stream().filter(tx -> !client.containsKey(tx)).forEach(tx -> differing.put(tx, null));
        assertThat(server).as("receipts on the new primary; differing units of work (null: unknown to the client): %s",
                differing).isEqualTo(client);
    }

    /**
     * One row per key, whose version is (units of work that upserted it) - 1: an upsert lost or applied twice would
     * show as a version one off.
     */
    static void assertVersionsCountEveryApplicationOnce(Connection c, String table, String key, List<String> applications) throws SQLException {
        Map<String, Long> expected = new TreeMap<>();
        applications.forEach(k -> expected.merge(k, 1L, Long::sum));
        expected.replaceAll((k, n) -> n - 1);
        Map<String, Long> actual = new TreeMap<>();
        for (List<String> row : query(c, "select " + key + ", version::text from " + table)) {
            assertThat(actual.put(row.get(0), Long.parseLong(row.get(1)))).as("second row for a key of " + table).isNull();
        }
        assertThat(actual).as(table + " versions").isEqualTo(expected);
    }

    /** The id every committed entity held is the id of its key's row. */
    static void assertEntitiesHeldStoredIds(Connection c, List<Done> results) throws SQLException {
        Map<String, Long> stored = new HashMap<>();
        for (List<String> row : query(c, "select email, id::text from member union all select code, id::text from badge")) {
            stored.put(row.get(0), Long.parseLong(row.get(1)));
        }
        for (Done d : results) {
            d.ids().forEach((k, id) -> assertThat(id).as("id held for a key by " + d.work().txId()).isEqualTo(stored.get(k)));
        }
        assertThat(results.stream().filter(d -> !d.ids().isEmpty())).isNotEmpty();
    }

    /** SQLSTATE class 08 or 57P01 along the chain, or the pool's own timeout; never a duplicate key. */
    static void assertFailuresAreConnectionClass(Iterable<Throwable> failures) {
        for (Throwable failure : failures) {
            assertThat(DuplicateKeyException.find(failure)).as("a duplicate key in a failed transaction").isEmpty();
            assertThat(isConnectionClass(failure)).as("connection-class: %s", describe(failure)).isTrue();
        }
    }

    static boolean isConnectionClass(Throwable failure) {
        for (Throwable t : chain(failure)) {
            if (t instanceof DuplicateKeyException) {
                return false;
            }
        }
        for (Throwable t : chain(failure)) {
            if (t instanceof SQLTransientConnectionException) {
                return true;    // HikariCP: no connection within connectionTimeout
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("08") || state.equals("57P01");
            }
        }
        return false;
    }

    /** How many failures had each SQLSTATE (the first along the chain; "pool" for HikariCP's timeout). */
    static Map<String, Long> sqlStates(Iterable<Throwable> failures) {
        Map<String, Long> counts = new TreeMap<>();
        for (Throwable failure : failures) {
            String state = "none";
            for (Throwable t : chain(failure)) {
                if (t instanceof SQLTransientConnectionException) {
                    state = "pool";
                    break;
                }
                if (t instanceof SQLException sql && sql.getSQLState() != null) {
                    state = sql.getSQLState();
                    break;
                }
            }
            counts.merge(state, 1L, Long::sum);
        }
        return counts;
    }

    /** Exception classes and SQLSTATEs along the chain, no messages (they may hold key values). */
    static String describe(Throwable failure) {
        StringBuilder out = new StringBuilder();
        for (Throwable t : chain(failure)) {
            out.append(t.getClass().getName());
            if (t instanceof SQLException sql) {
                out.append('(').append(sql.getSQLState()).append(')');
            }
            out.append(" <- ");
        }
        return out.toString();
    }

    /** Causes first (in order), then suppressed ones and {@link SQLException#getNextException()}. */
    static List<Throwable> chain(Throwable root) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> out = new ArrayList<>();
        for (Throwable t = root; t != null && seen.add(t); t = t.getCause()) {
            out.add(t);
        }
        for (int i = 0; i < out.size(); i++) {
            Throwable t = out.get(i);
            List<Throwable> more = new ArrayList<>(List.of(t.getSuppressed()));
            if (t instanceof SQLException sql && sql.getNextException() != null) {
                more.add(sql.getNextException());
            }
            for (Throwable m : more) {
                if (seen.add(m)) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    // --- duplicates --------------------------------------------------------------------------------------------------

    /** What inserting {@code receipt} threw; it must throw. */
    static Throwable duplicateOf(PooledPersistenceUnit unit, Receipt receipt) {
        Throwable thrown = catchThrowable(() -> unit.run(em -> em.persist(receipt)));
        assertThat(thrown).as("inserting a duplicate receipt").isNotNull();
        return thrown;
    }

    /** Calls {@code attempt} until it returns something that is not a connection-class failure: at most 20 times. */
    static Throwable afterReconnect(java.util.function.Supplier<Throwable> attempt) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Throwable thrown = attempt.get();
            if (!isConnectionClass(thrown)) {
                return thrown;
            }
            seen.add(describe(thrown));
            Thread.sleep(250);
        }
        throw new AssertionError("still no connection to the new primary after 20 attempts: " + seen);
    }

    static void assertDuplicate(Throwable thrown, String constraint, List<String> columns, List<String> attributes) {
        DuplicateKeyException e = DuplicateKeyException.find(thrown)
                .orElseThrow(() -> new AssertionError("no DuplicateKeyException: " + describe(thrown)));
        assertThat(e.getConstraintName()).isEqualTo(constraint);
        assertThat(e.getTableName()).isEqualTo("receipt");
        assertThat(e.getColumnNames()).isEqualTo(columns);
        assertThat(e.getEntityClass()).contains(Receipt.class);
        assertThat(e.getAttributeNames()).isEqualTo(attributes);
    }

    // --- JDBC --------------------------------------------------------------------------------------------------------

    /** A connection to one node, not through the multi-host URL: what that server itself holds. */
    static Connection connect(int port) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", cluster.user(), "");
    }

    static List<List<String>> query(Connection c, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>(columns);
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
