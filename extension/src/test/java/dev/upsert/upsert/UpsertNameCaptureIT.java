package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.hibernate.annotations.ColumnTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.upsert.testing.jpa.PersistenceUnit;
import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.Transactions;

/**
 * Whatever the application names its tables and columns, the statement means the same thing: tables named like the
 * statement's own CTEs and aliases ({@code proposed}, {@code ins}, {@code excluded}), unqualified (no default schema,
 * the search_path finds them), and columns named after every identifier the statements use for themselves. Every
 * statement shape runs: the unnest statement (its bare insert and its form with the lateral read), the pipelined
 * batch and the one-row statement with the read-back of untouched rows.
 */
@PostgresTest
class UpsertNameCaptureIT {

    /** Columns named after the statements' own identifiers; the stored row and a proposed one differ in each. */
    @MappedSuperclass
    abstract static class Captured {
        @Column(unique = true) String email;
        String name;
        @Column(name = "upsert_ord") String ord;
        @Column(name = "upsert_k0") String k0;
        @Column(name = "upsert_k1") String k1;
        @Column(name = "upsert_r0") String r0;
        @Column(name = "upsert_r1") String r1;
        @Column(name = "upsert_inserted") String inserted;
        @Column(name = "upsert_proposed") String upsertProposed;
        @Column(name = "proposed") String proposed;
        @Column(name = "ins") String ins;
        @Column(name = "excluded") String excluded;
        @Column(name = "p") String p;
        @Column(name = "i") String i;
        @Column(name = "u") String u;
        @Column(name = "s") String s;

        void fill(String email, String value) {
            this.email = email;
            name = ord = k0 = k1 = r0 = r1 = inserted = upsertProposed = proposed = ins = excluded = p = i = u = s = value;
        }

        List<String> values() {
            return List.of(name, ord, k0, k1, r0, r1, inserted, upsertProposed, proposed, ins, excluded, p, i, u, s);
        }
    }

    /** Get-or-create: untouched rows are read back (unnest statement, its lateral read). */
    @Entity @Table(name = "proposed") @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class Proposed extends Captured { @Id @GeneratedValue Long id; }

    /** An unconditional upsert (unnest; one returned row per proposed row). */
    @Entity @Table(name = "ins") @Upsert(on = "email")
    static class Ins extends Captured { @Id @GeneratedValue Long id; }

    /** A table named {@code excluded}, skipping unchanged rows, versioned: the stored row is named in DO UPDATE. */
    @Entity @Table(name = "excluded") @Upsert(on = "email", skipUnchanged = true)
    static class Excluded extends Captured { @Id @GeneratedValue Long id; @Version int version; }

    /** A write expression, unconditional: the bare insert from the arrays, the expression over the unnested element. */
    @Entity @Table(name = "upsert_k0") @Upsert(on = "email")
    static class Values extends Captured { @Id @GeneratedValue Long id; @ColumnTransformer(write = "trim(?)") String note; }

    /** A write expression and get-or-create: the unnest statement with its lateral read of untouched rows. */
    @Entity @Table(name = "upsert_proposed") @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class Batched extends Captured { @Id @GeneratedValue Long id; @ColumnTransformer(write = "trim(?)") String note; }

    /** An array column keeps it off the unnest statement ({@code unnest} would flatten it): the pipelined batch. */
    @Entity @Table(name = "upsert_k1") @Upsert(on = "email")
    static class BatchedAll extends Captured { @Id @GeneratedValue Long id; String[] tags = {"a", "b"}; }

    /** An array column and get-or-create: the pipelined batch and the per-row read-back. */
    @Entity @Table(name = "upsert_r0") @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class BatchedReadBack extends Captured { @Id @GeneratedValue Long id; String[] tags = {"a", "b"}; }

    /** IDENTITY: one row at persist, read back by the one-row stored-row query. */
    @Entity @Table(name = "upsert_ord") @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class OneRow extends Captured { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; }

    static EntityManagerFactory factory;
    static TestSchema db;

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        Map<String, Object> settings = new LinkedHashMap<>(schema.jpaProperties());
        settings.remove("hibernate.default_schema");  // unqualified table names, found by the search_path
        settings.put("jakarta.persistence.schema-generation.database.action", "drop-and-create");
        settings.put("hibernate.jdbc.batch_size", "20");
        factory = PersistenceUnit.create("name-capture", settings,
                Proposed.class, Ins.class, Excluded.class, Values.class, Batched.class, BatchedAll.class, BatchedReadBack.class,
                OneRow.class);
    }

    @AfterAll
    static void close() {
        if (factory != null) {
            factory.close();
        }
    }

    private static <T> T tx(java.util.function.Function<EntityManager, T> work) {
        return Transactions.inTransaction(factory, work);
    }

    /** Each statement shape, with the table it runs on and whether a conflict overwrites (else get-or-create). */
    static Stream<Arguments> shapes() {
        return Stream.of(
                arguments("table named proposed, get-or-create", (Supplier<Captured>) Proposed::new, "proposed", false),
                arguments("table named ins, upsert", (Supplier<Captured>) Ins::new, "ins", true),
                arguments("table named excluded, skipping unchanged", (Supplier<Captured>) Excluded::new, "excluded", true),
                arguments("write expression in the bare insert", (Supplier<Captured>) Values::new, "upsert_k0", true),
                arguments("write expression with the lateral read", (Supplier<Captured>) Batched::new, "upsert_proposed", false),
                arguments("pipelined batch", (Supplier<Captured>) BatchedAll::new, "upsert_k1", true),
                arguments("pipelined batch with read-back", (Supplier<Captured>) BatchedReadBack::new, "upsert_r0", false),
                arguments("one row with read-back", (Supplier<Captured>) OneRow::new, "upsert_ord", false));
    }

    /**
     * A stored row, then one flush with the same key (new values) and a new key, then one with the key alone: each
     * entity ends up as the table holds its row, with the stored id, and a change after the flush is written.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void upsertsMeanTheSame(String shape, Supplier<Captured> make, String table, boolean updates) {
        db.execute("truncate \"" + table + "\"");
        Captured stored = make.get();
        stored.fill("ann@x.org", "stored");
        UpsertOutcome first = tx(em -> { em.persist(stored); em.flush(); return Upserts.outcome(em, stored).orElseThrow(); });
        assertThat(first).isEqualTo(UpsertOutcome.INSERTED);
        Object storedId = id(stored);

        Captured same = make.get();
        same.fill("ann@x.org", "proposed");
        Captured fresh = make.get();
        fresh.fill("bob@x.org", "fresh");
        List<UpsertOutcome> outcomes = tx(em -> {
            em.persist(same);
            em.persist(fresh);
            em.flush();
            List<UpsertOutcome> result = List.of(Upserts.outcome(em, same).orElseThrow(), Upserts.outcome(em, fresh).orElseThrow());
            fresh.name = "fresh, changed";  // dirty checking after the flush: an UPDATE by the stored id and version
            return result;
        });
        assertThat(outcomes).containsExactly(updates ? UpsertOutcome.UPDATED : UpsertOutcome.SKIPPED, UpsertOutcome.INSERTED);
        assertThat(id(same)).isEqualTo(storedId);
        assertThat(same.values()).containsOnly(updates ? "proposed" : "stored");
        assertThat(db.query("select email, name, upsert_ord, upsert_k0, upsert_k1, upsert_r0, upsert_r1, upsert_inserted,"
                + " upsert_proposed, proposed, ins, excluded, p, i, u, s from \"" + table + "\" where id = " + storedId))
                .containsExactly(java.util.stream.Stream.concat(java.util.stream.Stream.of("ann@x.org"), same.values().stream())
                        .map(Object.class::cast).toList());
        assertThat(db.query("select name from \"" + table + "\" where email = 'bob@x.org'")).containsExactly(List.of("fresh, changed"));

        // one row alone, and a change after the flush
        Captured single = make.get();
        single.fill("ann@x.org", updates ? "single" : "ignored");
        tx(em -> { em.persist(single); em.flush(); single.s = "changed"; return null; });
        assertThat(id(single)).isEqualTo(storedId);
        assertThat(db.query("select name, s from \"" + table + "\" where id = " + storedId))
                .containsExactly(List.of(updates ? "single" : "stored", "changed"));
        assertThat(db.query("select count(*) from \"" + table + "\"")).containsExactly(List.of(2L));
    }

    private static Object id(Object entity) {
        return factory.getPersistenceUnitUtil().getIdentifier(entity);
    }
}
