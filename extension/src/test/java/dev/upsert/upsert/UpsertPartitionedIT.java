package dev.upsert.upsert;

import static dev.upsert.upsert.EntityMatrix.table;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * Partitioned tables (list, range, hash; the conflict target holds the partition key, as PostgreSQL requires).
 * PostgreSQL refuses {@code RETURNING (xmax = 0)} on them (0A000), so whether a row was inserted is read after the
 * statement. Upserts ({@code *U}) and get-or-create ({@code *N}, {@code action = NOTHING}), batched and single.
 */
@PostgresTest
class UpsertPartitionedIT {

    @MappedSuperclass
    abstract static class Row {
        @Id @GeneratedValue UUID id;
        String k;
        String name;
    }

    @Entity @Table(name = "part_list_u") @Upsert(on = {"p", "k"}) static class ListU extends Row { String p; }
    @Entity @Table(name = "part_list_n") @Upsert(on = {"p", "k"}, action = Upsert.Action.NOTHING) static class ListN extends Row { String p; }
    @Entity @Table(name = "part_range_u") @Upsert(on = {"p", "k"}) static class RangeU extends Row { LocalDate p; }
    @Entity @Table(name = "part_range_n") @Upsert(on = {"p", "k"}, action = Upsert.Action.NOTHING) static class RangeN extends Row { LocalDate p; }
    @Entity @Table(name = "part_hash_u") @Upsert(on = {"p", "k"}) static class HashU extends Row { Long p; }
    @Entity @Table(name = "part_hash_n") @Upsert(on = {"p", "k"}, action = Upsert.Action.NOTHING) static class HashN extends Row { Long p; }

    /** A client-assigned id (a retried import sends the same id again): no generator, the id is part of the row. */
    @Entity @Table(name = "part_assigned") @Upsert(on = {"p", "k"})
    static class Assigned {
        @Id UUID id;
        String p;
        String k;
        String name;
    }

    /**
     * Ids the application assigns, repeated across partitions: the primary key is (region, id), so {@code eu/10}
     * and {@code us/10} are two rows.
     */
    @Entity @Table(name = "part_region") @Upsert(on = {"region", "code"})
    static class Regional {
        @Id Long id;
        String region;
        String code;
        String name;
        Regional() { }
        Regional(String region, long id, String code, String name) { this.region = region; this.id = id; this.code = code; this.name = name; }
    }

    /** A partitioning: the partition key's column type, the partitions, two partition-key values. */
    record Kind(String label, String type, String partitionBy, List<String> partitions, Class<? extends Row> u,
                Class<? extends Row> n, Object p1, Object p2) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Kind> kinds() {
        return Stream.of(
                new Kind("list", "text", "list (p)", List.of("for values in ('eu')", "for values in ('us')"), ListU.class, ListN.class,
                        "eu", "us"),
                new Kind("range", "date", "range (p)", List.of("for values from ('2024-01-01') to ('2025-01-01')",
                        "for values from ('2025-01-01') to ('2026-01-01')"), RangeU.class, RangeN.class,
                        LocalDate.of(2024, 5, 1), LocalDate.of(2025, 5, 1)),
                new Kind("hash", "bigint", "hash (p)", List.of("for values with (modulus 2, remainder 0)",
                        "for values with (modulus 2, remainder 1)"), HashU.class, HashN.class, 1L, 2L));
    }

    @AutoClose static Jpa jpa;
    static TestSchema db;
    static final FlushedOutcomes flushed = new FlushedOutcomes();

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        kinds().forEach(kind -> {
            for (Class<? extends Row> type : List.of(kind.u(), kind.n())) {
                String table = table(type);
                db.execute("create table " + table + " (id uuid not null, p " + kind.type() + " not null, k text not null, name text,"
                        + " primary key (id, p), constraint " + table + "_key unique (p, k)) partition by " + kind.partitionBy());
                for (int i = 0; i < kind.partitions().size(); i++) {
                    db.execute("create table " + table + "_" + i + " partition of " + table + " " + kind.partitions().get(i));
                }
            }
        });
        db.execute("create table part_assigned (id uuid not null, p text not null, k text not null, name text,"
                + " primary key (id, p), constraint part_assigned_key unique (p, k)) partition by list (p)");
        db.execute("create table part_assigned_0 partition of part_assigned for values in ('eu')");
        db.execute("create table part_assigned_1 partition of part_assigned for values in ('us')");
        db.execute("create table part_region (region text not null, id bigint not null, code text not null, name text,"
                + " primary key (region, id), constraint part_region_key unique (region, code)) partition by list (region)");
        db.execute("create table part_region_eu partition of part_region for values in ('eu')");
        db.execute("create table part_region_us partition of part_region for values in ('us')");
        jpa = new Jpa(schema, Map.of("jakarta.persistence.schema-generation.database.action", "none", "hibernate.jdbc.batch_size", "50"),
                ListU.class, ListN.class, RangeU.class, RangeN.class, HashU.class, HashN.class, Assigned.class, Regional.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void batchedUpsertOneStatementAcrossPartitions(Kind kind) {
        UUID a = given(kind.u(), kind.p1());
        Row[] rows = jpa.tx(em -> flushed.persist(em, row(kind.u(), kind.p1(), "a", "A2"), row(kind.u(), kind.p2(), "a", "B"),
                row(kind.u(), kind.p1(), "c", "C")));
        assertThat(flushed.of(rows)).containsExactly(UpsertOutcome.UPDATED, UpsertOutcome.INSERTED, UpsertOutcome.INSERTED);
        assertThat(rows[0].id).isEqualTo(a);
        assertThat(names(kind.u())).containsOnly(Map.entry(a, "A2"), Map.entry(rows[1].id, "B"), Map.entry(rows[2].id, "C"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void singleUpsert(Kind kind) {
        UUID a = given(kind.u(), kind.p1());
        Row[] rows = jpa.tx(em -> flushed.persist(em, row(kind.u(), kind.p1(), "a", "A2")));
        assertThat(flushed.of(rows)).containsExactly(UpsertOutcome.UPDATED);
        assertThat(rows[0].id).isEqualTo(a);
        assertThat(names(kind.u())).containsOnly(Map.entry(a, "A2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void batchedGetOrCreate(Kind kind) {
        UUID a = given(kind.n(), kind.p1());
        Row[] rows = jpa.tx(em -> flushed.persist(em, row(kind.n(), kind.p1(), "a", "ignored"), row(kind.n(), kind.p2(), "a", "B")));
        assertThat(flushed.of(rows)).containsExactly(UpsertOutcome.SKIPPED, UpsertOutcome.INSERTED);
        assertThat(rows[0].id).isEqualTo(a);
        assertThat(rows[0].name).isEqualTo("A");
        assertThat(names(kind.n())).containsOnly(Map.entry(a, "A"), Map.entry(rows[1].id, "B"));
        Row[] single = jpa.tx(em -> flushed.persist(em, row(kind.n(), kind.p2(), "a", "ignored")));
        assertThat(flushed.of(single)).containsExactly(UpsertOutcome.SKIPPED);
        assertThat(single[0].id).isEqualTo(rows[1].id);
    }

    /**
     * The same client-assigned id sent again (a retried import) comes back from the statement although the row was
     * there: the outcome is still UPDATED, batched and single, and the row holds the second payload.
     */
    @org.junit.jupiter.api.Test
    void clientAssignedIdSentAgainIsAnUpdate() {
        db.execute("truncate part_assigned");
        UUID eu = UUID.randomUUID();
        UUID us = UUID.randomUUID();
        UUID fresh = UUID.randomUUID();
        Assigned[] first = jpa.tx(em -> flushed.persist(em, assigned(eu, "eu", "a", "A"), assigned(us, "us", "a", "B")));
        assertThat(flushed.of(first)).containsExactly(UpsertOutcome.INSERTED, UpsertOutcome.INSERTED);
        Assigned[] again = jpa.tx(em -> flushed.persist(em, assigned(eu, "eu", "a", "A2"), assigned(us, "us", "a", "B2"),
                assigned(fresh, "eu", "c", "C")));
        assertThat(flushed.of(again)).containsExactly(UpsertOutcome.UPDATED, UpsertOutcome.UPDATED, UpsertOutcome.INSERTED);
        Assigned[] single = jpa.tx(em -> flushed.persist(em, assigned(eu, "eu", "a", "A3")));
        assertThat(flushed.of(single)).containsExactly(UpsertOutcome.UPDATED);
        assertThat(db.query("select id, name from part_assigned order by name")).containsExactly(
                List.of(eu, "A3"), List.of(us, "B2"), List.of(fresh, "C"));
    }

    /**
     * An update of {@code eu/10} while {@code us/10} exists is UPDATED, and an insert of {@code us/11} INSERTED, single
     * and batched: the inserted flag belongs to the returned row itself, not to every row with its id.
     */
    @org.junit.jupiter.api.Test
    void idsRepeatedAcrossPartitionsHaveTheirOwnOutcome() {
        db.execute("truncate part_region");
        // one id per session: the persistence context knows the entity by its id alone
        for (Regional given : List.of(new Regional("us", 10, "b", "B"), new Regional("eu", 10, "a", "A"),
                new Regional("eu", 11, "c", "C"))) {
            assertThat(flushed.of(jpa.tx(em -> flushed.persist(em, given)))).containsExactly(UpsertOutcome.INSERTED);
        }

        Regional[] single = jpa.tx(em -> flushed.persist(em, new Regional("eu", 10, "a", "A2")));
        assertThat(flushed.of(single)).containsExactly(UpsertOutcome.UPDATED);

        Regional[] batch = jpa.tx(em -> flushed.persist(em, new Regional("us", 10, "b", "B2"), new Regional("us", 11, "d", "D")));
        assertThat(flushed.of(batch)).containsExactly(UpsertOutcome.UPDATED, UpsertOutcome.INSERTED);
        Regional[] other = jpa.tx(em -> flushed.persist(em, new Regional("eu", 11, "c", "C2"), new Regional("eu", 12, "e", "E")));
        assertThat(flushed.of(other)).containsExactly(UpsertOutcome.UPDATED, UpsertOutcome.INSERTED);
        assertThat(db.query("select region, id, name from part_region order by region, id")).containsExactly(
                List.of("eu", 10L, "A2"), List.of("eu", 11L, "C2"), List.of("eu", 12L, "E"), List.of("us", 10L, "B2"),
                List.of("us", 11L, "D"));
    }

    private static Assigned assigned(UUID id, String p, String k, String name) {
        Assigned a = new Assigned();
        a.id = id;
        a.p = p;
        a.k = k;
        a.name = name;
        return a;
    }

    private static UUID given(Class<? extends Row> type, Object p) {
        db.execute("truncate " + table(type));
        Row[] rows = jpa.tx(em -> flushed.persist(em, row(type, p, "a", "A")));
        assertThat(flushed.of(rows)).containsExactly(UpsertOutcome.INSERTED);
        return rows[0].id;
    }

    private static Map<Object, String> names(Class<? extends Row> type) {
        return EntityMatrix.names(db, table(type));
    }

    private static Row row(Class<? extends Row> type, Object p, String k, String name) {
        Row row = EntityMatrix.newRow(type, "p", p);
        row.k = k;
        row.name = name;
        return row;
    }
}
