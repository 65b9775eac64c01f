package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PessimisticLockException;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;

import org.hibernate.exception.LockAcquisitionException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyException;
import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.StartingGate;
import dev.upsert.testing.jpa.Transactions;
import dev.upsert.upsert.Entities.Badge;
import dev.upsert.upsert.Entities.Member;

/**
 * Concurrent {@code @Upsert} transactions over shared keys, through a HikariCP pool: no deadlock, no duplicate key, the
 * versions add up; and what READ COMMITTED and REPEATABLE READ transactions see when another one wrote the key first.
 */
@PostgresTest
class UpsertConcurrencyIT {

    @Entity @Table(name = "device", uniqueConstraints = @UniqueConstraint(name = "device_site_serial_key", columnNames = {"site", "serial"}))
    @Upsert(on = {"site", "serial"})
    static class Device extends SequenceId {
        String site;
        int serial;
        String label;
        @Version long version;
        Device() { }
        Device(String site, int serial, String label) { this.site = site; this.serial = serial; this.label = label; }
    }

    static final int THREADS = 16;
    static final int TRANSACTIONS = 50;
    static final int PER_TRANSACTION = 10;

    static TestSchema db;
    /** READ COMMITTED (PostgreSQL's default), creates the tables. */
    @AutoClose static PooledJpa readCommitted;
    /** The same tables through a pool whose connections are REPEATABLE READ. */
    @AutoClose static PooledJpa repeatableRead;

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        Map<String, Object> settings = Map.of("hibernate.jdbc.batch_size", "50", "hibernate.order_inserts", "true");
        readCommitted = new PooledJpa(schema, "upsert-conc-rc-" + schema.name(), THREADS, "", c -> { }, "drop-and-create",
                settings, Member.class, Device.class, Badge.class);
        repeatableRead = new PooledJpa(schema, "upsert-conc-rr-" + schema.name(), 2, "",
                c -> c.setTransactionIsolation("TRANSACTION_REPEATABLE_READ"), "none", settings,
                Member.class, Device.class, Badge.class);
    }

    @BeforeEach
    void empty() {
        db.execute("truncate member, device, badge");
    }

    /** One key of one entity type. */
    record Key(char type, String value) {

        static Key member(int i) {
            return new Key('m', String.format("m%03d@conc.example", i));
        }

        static Key device(int i) {
            return new Key('d', "site" + (i % 4) + "/" + (i / 4));
        }

        static Key badge(int i) {
            return new Key('b', String.format("B-%03d", i));
        }

        void persist(EntityManager em, String value) {
            switch (type) {
                case 'm' -> em.persist(new Member(value(), value));
                case 'd' -> em.persist(new Device(site(), serial(), value));
                case 'b' -> em.persist(new Badge(value(), value));
                default -> throw new IllegalStateException(toString());
            }
        }

        String site() {
            return value.substring(0, value.indexOf('/'));
        }

        int serial() {
            return Integer.parseInt(value.substring(value.indexOf('/') + 1));
        }
    }

    /**
     * Persists IDENTITY upserts first and in key order, the workaround when they ran at {@code persist}; they now wait
     * for the flush (ids drawn in blocks from the column's sequence), which orders them with everything else.
     */
    static List<Key> identityFirstInKeyOrder(List<Key> chosen) {
        List<Key> ordered = new ArrayList<>(chosen);
        ordered.sort(Comparator.comparing((Key k) -> k.type() != 'b').thenComparing(k -> k.type() == 'b' ? k.value() : ""));
        return ordered;
    }

    /**
     * Issue #7's load: 16 threads x 50 transactions x 10 upserts over 100 shared keys of three entity types, the two
     * SEQUENCE ones (with {@code @Version}) in random order, IDENTITY first in key order.
     * <p>
     * Before the flush ordered types (each type's batch ran when the flush reached its first insert), transactions
     * that persisted members and devices in opposite orders locked them in opposite orders: 40P01 in about half of
     * 800 transactions. Now every {@code @Upsert} type shares one batch that runs types by entity name, then keys.
     */
    @Test
    void sixteenThreadsOverTwoSequenceTypesAndIdentityNeitherDeadlockNorCollide() throws Exception {
        Workload result = Workload.run(keys(40, 40, 20), UpsertConcurrencyIT::identityFirstInKeyOrder);
        result.assertNoErrorsAndTablesMatch();
    }

    /**
     * The same load with each transaction persisting the two SEQUENCE types in one fixed type order (members, then
     * devices; random within a type), the workaround before the flush ordered types itself; kept as a second shape.
     */
    @Test
    void sixteenThreadsOverTwoSequenceTypesPersistedInAFixedTypeOrderNeitherDeadlockNorCollide() throws Exception {
        Workload result = Workload.run(keys(40, 40, 20), chosen -> {
            List<Key> ordered = identityFirstInKeyOrder(chosen);
            // stable: members keep their random order among themselves, devices too
            ordered.sort(Comparator.comparingInt((Key k) -> "bmd".indexOf(k.type())));
            return ordered;
        });
        result.assertNoErrorsAndTablesMatch();
    }

    /** The same load where the flush holds one {@code @Upsert} SEQUENCE type: its key order is the only lock order. */
    @Test
    void sixteenThreadsOverOneSequenceTypeAndIdentityNeitherDeadlockNorCollide() throws Exception {
        Workload result = Workload.run(keys(80, 0, 20), UpsertConcurrencyIT::identityFirstInKeyOrder);
        result.assertNoErrorsAndTablesMatch();
    }

    /** The keys a workload draws from: member and device keys interleaved, then badge keys. */
    private static List<Key> keys(int members, int devices, int badges) {
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < Math.max(members, devices); i++) {
            if (i < members) {
                keys.add(Key.member(i));
            }
            if (i < devices) {
                keys.add(Key.device(i));
            }
        }
        for (int i = 0; i < badges; i++) {
            keys.add(Key.badge(i));
        }
        return keys;
    }

    /** What the threads did: committed upserts per key, the values written per key, every failure. */
    record Workload(Map<Key, Integer> upserts, Map<Key, Set<String>> written, List<String> errors, int transactions) {

        static Workload run(List<Key> keys, Function<List<Key>, List<Key>> order) throws Exception {
            Map<Key, Integer> upserts = new ConcurrentHashMap<>();
            Map<Key, Set<String>> written = new ConcurrentHashMap<>();
            List<String> errors = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean failed = new AtomicBoolean();
            int[] committed = new int[THREADS];
            // a hang fails after 2 minutes instead of blocking the build
            StartingGate.run(THREADS, Duration.ofMinutes(2), thread -> {
                Random random = new Random(7_000 + thread);
                // stop at the first failure: one is enough to fail, and each deadlock costs deadlock_timeout
                for (int x = 0; x < TRANSACTIONS && !failed.get(); x++) {
                    List<Key> shuffled = new ArrayList<>(keys);
                    Collections.shuffle(shuffled, random);
                    List<Key> chosen = order.apply(shuffled.subList(0, PER_TRANSACTION));
                    String value = "t" + thread + "x" + x;
                    try {
                        readCommitted.run(em -> {
                            for (Key key : chosen) {
                                key.persist(em, value);
                            }
                        });
                        committed[thread]++;
                        for (Key key : chosen) {
                            upserts.merge(key, 1, Integer::sum);
                            written.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(value);
                        }
                    } catch (RuntimeException e) {
                        failed.set(true);
                        errors.add("thread " + thread + " transaction " + x + " " + chosen + ": " + describe(e));
                    }
                }
                return null;
            });
            int transactions = 0;
            for (int c : committed) {
                transactions += c;
            }
            return new Workload(upserts, written, List.copyOf(errors), transactions);
        }

        void assertNoErrorsAndTablesMatch() {
            assertThat(errors).as("failed transactions (40P01 = deadlock, 23505 = duplicate key)").isEmpty();
            assertThat(transactions).isEqualTo(THREADS * TRANSACTIONS);
            assertThat(upserts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(THREADS * TRANSACTIONS * PER_TRANSACTION);

            Map<Key, List<Object>> rows = new java.util.HashMap<>();
            db.query("select email, version, name, created_by from member")
                    .forEach(r -> rows.put(new Key('m', (String) r.get(0)), r.subList(1, 4)));
            db.query("select site || '/' || serial, version, label, label from device")
                    .forEach(r -> rows.put(new Key('d', (String) r.get(0)), r.subList(1, 4)));
            db.query("select code, version, holder, holder from badge")
                    .forEach(r -> rows.put(new Key('b', (String) r.get(0)), r.subList(1, 4)));
            for (char type : new char[] {'m', 'd', 'b'}) {
                String table = type == 'm' ? "member" : type == 'd' ? "device" : "badge";
                long used = upserts.keySet().stream().filter(k -> k.type() == type).count();
                assertThat(db.queryLong("select count(*) from " + table)).as("rows of " + table).isEqualTo(used);
            }
            assertThat(rows.keySet()).isEqualTo(upserts.keySet());
            for (var entry : upserts.entrySet()) {
                List<Object> row = rows.get(entry.getKey());
                assertThat(((Number) row.get(0)).longValue()).as("version of " + entry.getKey() + " after " + entry.getValue() + " upserts")
                        .isEqualTo(entry.getValue() - 1);
                assertThat(written.get(entry.getKey())).as("values of " + entry.getKey()).contains((String) row.get(1), (String) row.get(2));
            }
        }
    }

    // ---- interleaved plain statements -----------------------------------------------------------------------------

    @Entity @Table(name = "ledger", uniqueConstraints = @UniqueConstraint(name = "ledger_code_key", columnNames = "code"))
    @Upsert(on = "code")
    static class Ledger extends SequenceId {
        String code;
        String owner;
        @Version int version;
        Ledger() { }
        Ledger(String code, String owner) { this.code = code; this.owner = owner; }
    }

    /** A plain entity, no foreign key: its statements do not depend on the upserts. */
    @Entity(name = "LedgerLine") @Table(name = "ledger_line")
    static class LedgerLine extends SequenceId {
        String code;
        String thread;
        String note;
        LedgerLine() { }
        LedgerLine(String code, String thread) { this.code = code; this.thread = thread; }
    }

    /**
     * Two threads upsert the same 100 keys in opposite orders, each upsert followed by a plain insert, and each
     * transaction also updates and deletes plain rows of its own thread. Before the flush kept the upserts together,
     * every plain insert executed the pending upsert first, so upserts locked in application order: 40P01 in about
     * half of the transactions. Now they run in key order, as one group.
     */
    @Test
    void oppositeOrdersWithInterleavedPlainInsertsUpdatesAndDeletesDoNotDeadlock() throws Exception {
        try (PooledJpa jpa = new PooledJpa(db, "upsert-conc-plain-" + db.name(), 2, "", c -> { }, "drop-and-create",
                Map.of("hibernate.jdbc.batch_size", "50"), Ledger.class, LedgerLine.class)) {
            int rounds = 10;
            List<String> errors = Collections.synchronizedList(new ArrayList<>());
            StartingGate.run(2, Duration.ofMinutes(2), t -> {
                boolean ascending = t == 0;
                String thread = "t" + t;
                for (int round = 0; round < rounds; round++) {
                    String note = "round " + round;
                    try {
                        jpa.run(em -> {
                            List<LedgerLine> own = em.createQuery("select l from LedgerLine l where l.thread = :t", LedgerLine.class)
                                    .setParameter("t", thread).getResultList();
                            for (int i = 0; i < 100; i++) {
                                String code = String.format("L-%03d", ascending ? i : 99 - i);
                                em.persist(new Ledger(code, thread));
                                em.persist(new LedgerLine(code, thread));
                                if (i < own.size()) {
                                    if (i % 2 == 0) {
                                        own.get(i).note = note;                  // a plain update
                                    } else {
                                        em.remove(own.get(i));                 // a plain delete
                                    }
                                }
                            }
                        });
                    } catch (RuntimeException e) {
                        errors.add(thread + " round " + round + ": " + describe(e));
                    }
                }
                return null;
            });
            assertThat(errors).as("failed transactions (40P01 = deadlock)").isEmpty();
            assertThat(db.queryLong("select count(*) from ledger")).isEqualTo(100);
            assertThat(db.queryLong("select sum(version) from ledger")).isEqualTo(100L * (2 * rounds - 1));
            assertThat(db.queryLong("select count(*) from ledger_line")).isBetween(200L, 2L * rounds * 100);
        }
    }

    // ---- isolation -------------------------------------------------------------------------------------------------

    /** Under READ COMMITTED the statement sees the row another transaction committed after ours began, and updates it. */
    @Test
    void readCommittedUpsertUpdatesARowCommittedAfterTheTransactionBegan() {
        EntityManager ours = readCommitted.open();
        try {
            ours.getTransaction().begin();
            assertThat(count(ours, "member")).isZero();             // our transaction has run a statement
            runInNewTransaction(readCommitted, em -> em.persist(new Member("rc@iso.example", "theirs")));

            Member member = new Member("rc@iso.example", "ours");
            ours.persist(member);
            ours.flush();
            assertThat(Upserts.outcome(ours, member)).contains(UpsertOutcome.UPDATED);
            assertThat(member.createdBy).isEqualTo("theirs");
            assertThat(member.version).isEqualTo(1);
            ours.getTransaction().commit();
        } finally {
            closeQuietly(ours);
        }
        assertThat(db.query("select name, created_by, version from member where email = 'rc@iso.example'"))
                .containsExactly(List.of("ours", "theirs", 1));
    }

    /**
     * Under REPEATABLE READ, a row updated and committed by another transaction after our snapshot makes the upsert fail
     * with 40001 (PostgreSQL cannot update a row version our snapshot does not see). The application gets Hibernate's
     * usual serialization-failure exception, not a duplicate key; nothing of the transaction stays; a retry succeeds.
     */
    @Test
    void repeatableReadConflictWithARowUpdatedAfterTheSnapshotIsASerializationFailure() {
        runInNewTransaction(readCommitted, em -> em.persist(new Member("rr-upd@iso.example", "seed")));

        EntityManager ours = repeatableRead.open();
        Throwable failure;
        try {
            ours.getTransaction().begin();
            assertThat(count(ours, "member")).isEqualTo(1);          // takes the snapshot
            ours.persist(new Member("rr-own@iso.example", "ours"));   // a row of ours that must not survive
            ours.flush();
            runInNewTransaction(readCommitted, em -> em.persist(new Member("rr-upd@iso.example", "theirs")));

            ours.persist(new Member("rr-upd@iso.example", "ours"));
            failure = catchThrowable(ours::flush);
        } finally {
            closeQuietly(ours);
        }
        assertSerializationFailure(failure);
        assertThat(db.query("select email, name, created_by, version from member order by email"))
                .containsExactly(List.of("rr-upd@iso.example", "theirs", "seed", 1));

        Member retried = inNewTransaction(repeatableRead, em -> {
            Member m = new Member("rr-upd@iso.example", "ours");
            em.persist(m);
            em.flush();
            assertThat(Upserts.outcome(em, m)).contains(UpsertOutcome.UPDATED);
            return m;
        });
        assertThat(retried.version).isEqualTo(2);
        assertThat(db.query("select id, name, created_by, version from member"))
                .containsExactly(List.of(retried.id, "ours", "seed", 2));
    }

    /**
     * The same when the other transaction inserted the key after our snapshot: 40001 at flush for a SEQUENCE and an
     * IDENTITY entity alike, never a duplicate key.
     */
    @Test
    void repeatableReadConflictWithARowInsertedAfterTheSnapshotIsASerializationFailure() {
        for (boolean identity : new boolean[] {false, true}) {
            EntityManager ours = repeatableRead.open();
            Throwable failure;
            try {
                ours.getTransaction().begin();
                assertThat(count(ours, identity ? "badge" : "member")).isZero();   // takes the snapshot
                runInNewTransaction(readCommitted, em -> em.persist(identity ? new Badge("RR-INS", "theirs")
                        : new Member("rr-ins@iso.example", "theirs")));
                failure = catchThrowable(() -> {
                    ours.persist(identity ? new Badge("RR-INS", "ours") : new Member("rr-ins@iso.example", "ours"));
                    ours.flush();
                });
            } finally {
                closeQuietly(ours);
            }
            assertSerializationFailure(failure);
        }
        assertThat(db.query("select email, name, version from member")).containsExactly(List.of("rr-ins@iso.example", "theirs", 0));
        assertThat(db.query("select code, holder, version from badge")).containsExactly(List.of("RR-INS", "theirs", 0));

        runInNewTransaction(repeatableRead, em -> {
            em.persist(new Member("rr-ins@iso.example", "ours"));
            em.persist(new Badge("RR-INS", "ours"));
        });
        assertThat(db.query("select email, name, created_by, version from member"))
                .containsExactly(List.of("rr-ins@iso.example", "ours", "theirs", 1));
        assertThat(db.query("select code, holder, version from badge")).containsExactly(List.of("RR-INS", "ours", 1));
    }

    /**
     * Hibernate maps 40001 to {@link LockAcquisitionException}; JPA's converter turns that into
     * {@link PessimisticLockException} on 7.x and into {@code OptimisticLockException} on 6.6.
     */
    private static void assertSerializationFailure(Throwable failure) {
        assertThat(failure).isExactlyInstanceOf(dev.upsert.testing.jpa.PersistenceUnit.hibernate66()
                        ? jakarta.persistence.OptimisticLockException.class : PessimisticLockException.class)
                .hasCauseExactlyInstanceOf(LockAcquisitionException.class);
        assertThat(DuplicateKeyException.find(failure)).isEmpty();
        assertThat(((LockAcquisitionException) failure.getCause()).getSQLState()).isEqualTo("40001");
        assertThat(sqlState(failure)).isEqualTo("40001");
        assertThat(failure.getMessage()).doesNotContain("@iso.example").doesNotContain("RR-INS");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static long count(EntityManager em, String table) {
        return ((Number) em.createNativeQuery("select count(*) from " + table).getSingleResult()).longValue();
    }

    private static void runInNewTransaction(PooledJpa jpa, Consumer<EntityManager> work) {
        Transactions.runInTransaction(jpa.factory, work);
    }

    private static <T> T inNewTransaction(PooledJpa jpa, Function<EntityManager, T> work) {
        return Transactions.inTransaction(jpa.factory, work);
    }

    private static void closeQuietly(EntityManager em) {
        Transactions.closeRollingBack(em);
    }

    static String sqlState(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    static String describe(Throwable e) {
        String state = sqlState(e);
        return e.getClass().getName() + (state == null ? "" : " SQLSTATE " + state) + ": " + e.getMessage();
    }
}
