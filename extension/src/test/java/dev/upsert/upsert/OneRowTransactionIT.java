package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.upsert.Upsert;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.RoundTrips;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.Transactions;

/**
 * The most common transaction of an application (a sign-up, a webhook, "set preference"): one row upserted in its
 * own transaction, through a HikariCP pool as in an application. It costs what the hand-written
 * {@code insert ... on conflict ... returning} costs, the statement (with BEGIN) and the COMMIT, for every id
 * strategy and action; and ids are not thrown away: the sequence advances about one per stored row, and two
 * SessionFactories (two JVMs) never hand out the same id.
 * <p>
 * Round trips are counted from pgjdbc's protocol: every Sync message it sends waits for the server.
 */
@PostgresTest
class OneRowTransactionIT {

    /** The columns every account entity shares; they differ in the id and the action. */
    @MappedSuperclass
    abstract static class Account {
        @Column(unique = true, nullable = false) String email;
        String name;

        abstract Object id();
    }

    @Entity @Table(name = "acc_identity") @Upsert(on = "email")
    static class IdentityAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "acc_identity_nothing") @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class IdentityNothingAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Integer id;
        Object id() { return id; }
    }

    @Entity @Table(name = "acc_pooled") @Upsert(on = "email")
    static class PooledAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "acc_pooled_ids")
        @SequenceGenerator(name = "acc_pooled_ids", sequenceName = "acc_pooled_ids", allocationSize = 50)
        Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "acc_pooled_nothing") @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class PooledNothingAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "acc_pooled_nothing_ids")
        @SequenceGenerator(name = "acc_pooled_nothing_ids", sequenceName = "acc_pooled_nothing_ids", allocationSize = 50)
        Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "acc_seq1") @Upsert(on = "email")
    static class SequenceOfOneAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "acc_seq1_ids")
        @SequenceGenerator(name = "acc_seq1_ids", sequenceName = "acc_seq1_ids", allocationSize = 1)
        Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "acc_uuid") @Upsert(on = "email")
    static class UuidAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.UUID) UUID id;
        Object id() { return id; }
    }

    @Entity @Table(name = "acc_uuid_nothing") @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class UuidNothingAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.UUID) UUID id;
        Object id() { return id; }
    }

    enum Kind {
        IDENTITY("acc_identity", null, false),
        IDENTITY_NOTHING("acc_identity_nothing", null, true),
        SEQUENCE_POOLED("acc_pooled", "acc_pooled_ids", false),
        SEQUENCE_POOLED_NOTHING("acc_pooled_nothing", "acc_pooled_nothing_ids", true),
        SEQUENCE_OF_ONE("acc_seq1", "acc_seq1_ids", false),
        UUID("acc_uuid", null, false),
        UUID_NOTHING("acc_uuid_nothing", null, true);

        final String table;
        final String sequence;
        final boolean nothing;

        Kind(String table, String sequence, boolean nothing) {
            this.table = table;
            this.sequence = sequence;
            this.nothing = nothing;
        }

        Account create(String email, String name) {
            Account account = switch (this) {
                case IDENTITY -> new IdentityAccount();
                case IDENTITY_NOTHING -> new IdentityNothingAccount();
                case SEQUENCE_POOLED -> new PooledAccount();
                case SEQUENCE_POOLED_NOTHING -> new PooledNothingAccount();
                case SEQUENCE_OF_ONE -> new SequenceOfOneAccount();
                case UUID -> new UuidAccount();
                case UUID_NOTHING -> new UuidNothingAccount();
            };
            account.email = email;
            account.name = name;
            return account;
        }

        /** The sequence the ids come from, as PostgreSQL names it. */
        String sequence() {
            return sequence != null ? sequence : table + "_id_seq";
        }
    }

    static final Class<?>[] ENTITIES = {IdentityAccount.class, IdentityNothingAccount.class, PooledAccount.class,
            PooledNothingAccount.class, SequenceOfOneAccount.class, UuidAccount.class, UuidNothingAccount.class};

    static TestSchema db;
    @AutoClose static PooledJpa jpa;

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        db.execute("create table acc_identity (id bigint generated by default as identity primary key, email text not null unique, name text)");
        db.execute("create table acc_identity_nothing (id integer generated always as identity primary key, email text not null unique, name text)");
        jpa = new PooledJpa(schema, "one-row-" + schema.name(), 4, "", c -> { }, "create", Map.of(), ENTITIES);
    }

    @BeforeEach
    void empty() {
        db.execute("truncate acc_identity, acc_identity_nothing, acc_pooled, acc_pooled_nothing, acc_seq1, acc_uuid, acc_uuid_nothing");
    }

    /** What the application writes: one transaction, one persist. */
    private static Account upsert(PooledJpa unit, Kind kind, String email, String name) {
        return Transactions.inTransaction(unit.factory, em -> {
            Account account = kind.create(email, name);
            em.persist(account);
            return account;
        });
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aOneRowTransactionIsTheStatementAndTheCommit(Kind kind) throws Exception {
        // the first use reads the catalog once; a pooled sequence's first value stands for one id, the next for a block.
        // Steady state is measured: pgjdbc's statement turns server-prepared at its prepareThreshold-th (5th) use on a
        // connection, a round trip of its own once (to describe it), so that use is left to the warm-up
        for (int w = 1; w <= 6; w++) {
            upsert(jpa, kind, "warm" + w + "@example.com", "warm-up");
        }
        String seededId = kind.name().startsWith("UUID") ? "gen_random_uuid()" : kind.name().startsWith("IDENTITY") ? "default" : "1000000";
        db.execute("insert into " + kind.table + " (id, email, name) values (" + seededId + ", 'known@example.com', 'seeded')");
        Object knownId = db.queryValue("select id from " + kind.table + " where email = 'known@example.com'");

        Account[] created = new Account[1];
        long newKey = RoundTrips.countOnThisThread(() -> created[0] = upsert(jpa, kind, "new@example.com", "fresh"));
        Account[] existing = new Account[1];
        long existingKey = RoundTrips.countOnThisThread(() -> existing[0] = upsert(jpa, kind, "known@example.com", "changed"));

        assertThat(newKey).as("round trips of a one-row transaction, new key").isEqualTo(2);
        assertThat(existingKey).as("round trips of a one-row transaction, existing key").isEqualTo(2);
        assertThat(created[0].id()).isEqualTo(db.queryValue("select id from " + kind.table + " where email = 'new@example.com'"));
        assertThat(existing[0].id()).isEqualTo(knownId);
        assertThat(db.queryValue("select name from " + kind.table + " where email = 'known@example.com'"))
                .isEqualTo(kind.nothing ? "seeded" : "changed");
        assertThat(existing[0].name).isEqualTo(kind.nothing ? "seeded" : "changed");
        assertThat(db.queryLong("select count(*) from " + kind.table)).isEqualTo(8);
    }

    /**
     * A pooled sequence's block is fetched in the round trip of an upsert statement, not in one of its own: after the
     * first transaction, which fetches the first block, every one-row transaction is the statement and the commit,
     * at a block's end too (200 transactions cross four blocks of 50).
     */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"SEQUENCE_POOLED", "SEQUENCE_POOLED_NOTHING"})
    void everyOneRowTransactionOfAPooledSequenceIsTwoRoundTrips(Kind kind) throws Exception {
        for (int w = 1; w <= 6; w++) {
            upsert(jpa, kind, "warm" + w + "@example.com", "warm-up");
        }
        long before = lastValue(kind);
        List<Long> trips = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String email = "user" + (i % 150) + "@example.com";  // the last 50 on stored keys
            trips.add(RoundTrips.countOnThisThread(() -> upsert(jpa, kind, email, "n")));
        }
        assertThat(trips).as("round trips of each one-row transaction").containsOnly(2L);
        assertThat(lastValue(kind) - before).as("the sequence's advance in ids: one per upsert, a block ahead at most")
                .isBetween(200L - 50, 200L + 50);
        assertThat(db.queryLong("select count(*) from " + kind.table)).isEqualTo(156);
        assertThat(db.queryLong("select count(distinct id) from " + kind.table)).isEqualTo(156);
    }

    /**
     * 1,000 one-row transactions, and a mix of sizes after them: the sequence advances by about the rows stored (at
     * most one block of 50 more for a pooled sequence), not by a block per transaction.
     */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"IDENTITY", "IDENTITY_NOTHING", "SEQUENCE_POOLED", "SEQUENCE_POOLED_NOTHING", "SEQUENCE_OF_ONE"})
    void theSequenceAdvancesAboutOnePerStoredRow(Kind kind) {
        upsert(jpa, kind, "warm@example.com", "warm-up");
        long before = lastValue(kind);
        for (int i = 0; i < 1_000; i++) {
            upsert(jpa, kind, "user" + i + "@example.com", "n" + i);
        }
        long afterSingles = lastValue(kind);
        int[] sizes = {3, 1, 17, 1, 1, 120, 2, 1, 49, 1};
        int next = 1_000;
        for (int size : sizes) {
            int from = next;
            EntityManager em = jpa.open();
            try {
                em.getTransaction().begin();
                for (int i = from; i < from + size; i++) {
                    em.persist(kind.create("user" + i + "@example.com", "n" + i));
                }
                em.getTransaction().commit();
            } finally {
                em.close();
            }
            next += size;
        }
        long afterMix = lastValue(kind);
        // a pooled sequence is ahead by the ids fetched and not used yet, which the next transactions use: the block
        // the warm-up fetched (counted in `before`) serves the first rows, and the last block may be partly unused
        boolean pooled = kind.name().startsWith("SEQUENCE_POOLED");
        assertThat(afterSingles - before).as("sequence advance over 1,000 one-row transactions")
                .isBetween(1_000L - (pooled ? 50 : 0), 1_000L + (pooled ? 50 : 0));
        assertThat(afterMix - before).as("sequence advance over 1,196 rows in transactions of every size")
                .isBetween(1_196L - (pooled ? 50 : 0), 1_196L + (pooled ? 200 : 0));
        assertThat(db.queryLong("select count(*) from " + kind.table)).isEqualTo(1_197);
        assertThat(db.queryLong("select count(distinct id) from " + kind.table)).isEqualTo(1_197);
    }

    /**
     * One-row transactions on stored keys: each upsert spends one id, inserted or not, as the same statement written
     * by hand spends its column default's value on a conflict, never a block, and the stored ids stay.
     */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"IDENTITY", "IDENTITY_NOTHING", "SEQUENCE_POOLED", "SEQUENCE_POOLED_NOTHING"})
    void anUpsertOnAStoredKeySpendsOneIdAsTheHandWrittenStatementDoes(Kind kind) throws Exception {
        for (int i = 0; i < 300; i++) {
            upsert(jpa, kind, "user" + i + "@example.com", "first");
        }
        Map<Object, Object> stored = new HashMap<>();
        db.query("select email, id from " + kind.table).forEach(r -> stored.put(r.get(0), r.get(1)));
        long before = lastValue(kind);
        for (int i = 0; i < 300; i++) {
            upsert(jpa, kind, "user" + i + "@example.com", "second");
        }
        long spent = lastValue(kind) - before;
        boolean pooled = kind.name().startsWith("SEQUENCE_POOLED");
        assertThat(spent).as("ids spent by 300 upserts on stored keys").isBetween(300L - (pooled ? 50 : 0), 300L + (pooled ? 50 : 0));
        Map<Object, Object> after = new HashMap<>();
        db.query("select email, id from " + kind.table).forEach(r -> after.put(r.get(0), r.get(1)));
        assertThat(after).isEqualTo(stored);
        assertThat(db.queryLong("select count(*) from " + kind.table + " where name = 'second'")).isEqualTo(kind.nothing ? 0 : 300);
        if (!pooled) {
            // the same statement written by hand, with the column default: the same count
            long handBefore = lastValue(kind);
            try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("insert into " + kind.table
                    + " (email, name) values (?, 'third') on conflict (email) do " + (kind.nothing ? "nothing" : "update set name = excluded.name"))) {
                for (int i = 0; i < 300; i++) {
                    ps.setString(1, "user" + i + "@example.com");
                    ps.executeUpdate();
                }
            }
            assertThat(lastValue(kind) - handBefore).as("ids the hand-written statement spent").isEqualTo(spent);
        }
    }

    /** Two SessionFactories on one database, as two JVMs, two threads each: every row stored, no id twice. */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"IDENTITY", "SEQUENCE_POOLED", "SEQUENCE_OF_ONE"})
    void twoSessionFactoriesNeverHandOutTheSameId(Kind kind) throws Exception {
        try (PooledJpa other = new PooledJpa(db, "one-row-other-" + db.name(), 2, "", c -> { }, "none", Map.of(), ENTITIES)) {
            ExecutorService threads = Executors.newFixedThreadPool(4);
            List<Future<List<Account>>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                PooledJpa unit = t % 2 == 0 ? jpa : other;
                int thread = t;
                done.add(threads.submit(() -> {
                    List<Account> mine = new ArrayList<>();
                    for (int i = 0; i < 150; i++) {
                        mine.add(upsert(unit, kind, "t" + thread + "-" + i + "@example.com", "x"));
                    }
                    return mine;
                }));
            }
            Set<Object> handedBack = new HashSet<>();
            for (Future<List<Account>> f : done) {
                for (Account a : f.get()) {
                    assertThat(handedBack.add(a.id())).as("id %s handed back twice", a.id()).isTrue();
                }
            }
            threads.shutdown();
            assertThat(db.queryLong("select count(*) from " + kind.table)).isEqualTo(600);
            assertThat(db.queryLong("select count(distinct id) from " + kind.table)).isEqualTo(600);
            Set<Object> stored = new HashSet<>();
            db.query("select id from " + kind.table).forEach(r -> stored.add(((Number) r.get(0)).longValue()));
            Set<Object> held = new HashSet<>();
            handedBack.forEach(id -> held.add(((Number) id).longValue()));
            assertThat(held).isEqualTo(stored);
        }
    }

    /** After a block was fetched and used, {@code truncate ... restart identity}: IDENTITY ids follow the column again. */
    @Test
    void identityIdsFollowARestartedSequence() {
        for (int i = 0; i < 5; i++) {
            upsert(jpa, Kind.IDENTITY, "before" + i + "@example.com", "x");
        }
        db.execute("truncate acc_identity restart identity");
        db.execute("insert into acc_identity (email, name) values ('plain@example.com', 'default id')");
        Account account = upsert(jpa, Kind.IDENTITY, "after@example.com", "x");
        assertThat(account.id()).isEqualTo(2L);
        assertThat(db.query("select id, email from acc_identity order by id"))
                .containsExactly(List.of(1L, "plain@example.com"), List.of(2L, "after@example.com"));
    }

    private static long lastValue(Kind kind) {
        // in ids: a pooled sequence's value v stands for the ids up to v
        return db.queryLong("select last_value from " + kind.sequence());
    }
}
