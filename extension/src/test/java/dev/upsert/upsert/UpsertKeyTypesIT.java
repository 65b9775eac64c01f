package dev.upsert.upsert;

import static dev.upsert.upsert.EntityMatrix.AT;
import static dev.upsert.upsert.EntityMatrix.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.upsert.EntityMatrix.Mood;
import dev.upsert.upsert.EntityMatrix.Slot;

/**
 * The key-type matrix: every statement path of a plain-column entity (the flush's one statement of column arrays for
 * an unconditional {@code DO UPDATE} and for a conditional action, which returns the untouched rows too; a single row;
 * a single conditional row) for every supported key type. Row A is stored before each test; the
 * proposed A' is equal to it for the unique index (for citext and a case-insensitive collation it differs in case),
 * B is new. Each type has an unconditional entity ({@code *U}) and a {@code skipUnchanged} one ({@code *S}), whose
 * unchanged rows the statement reads by key, as the arbiter index compares.
 */
@PostgresTest
class UpsertKeyTypesIT {

    record Email(String value) {
    }

    @Converter
    static final class EmailConverter implements AttributeConverter<Email, String> {
        @Override
        public String convertToDatabaseColumn(Email email) {
            return email == null ? null : email.value().toLowerCase();
        }

        @Override
        public Email convertToEntityAttribute(String value) {
            return value == null ? null : new Email(value);
        }
    }

    @MappedSuperclass
    abstract static class Row {
        @Id @GeneratedValue UUID id;
        String name;
    }

    @Entity @Table(name = "k_text_u") @Upsert(on = "k") static class TextU extends Row { String k; }
    @Entity @Table(name = "k_text_s") @Upsert(on = "k", skipUnchanged = true) static class TextS extends Row { String k; }
    @Entity @Table(name = "k_citext_u") @Upsert(on = "k") static class CitextU extends Row { String k; }
    @Entity @Table(name = "k_citext_s") @Upsert(on = "k", skipUnchanged = true) static class CitextS extends Row { String k; }
    @Entity @Table(name = "k_ci_u") @Upsert(on = "k") static class CiU extends Row { String k; }
    @Entity @Table(name = "k_ci_s") @Upsert(on = "k", skipUnchanged = true) static class CiS extends Row { String k; }
    @Entity @Table(name = "k_uuid_u") @Upsert(on = "k") static class UuidU extends Row { UUID k; }
    @Entity @Table(name = "k_uuid_s") @Upsert(on = "k", skipUnchanged = true) static class UuidS extends Row { UUID k; }
    @Entity @Table(name = "k_bigint_u") @Upsert(on = "k") static class BigintU extends Row { Long k; }
    @Entity @Table(name = "k_bigint_s") @Upsert(on = "k", skipUnchanged = true) static class BigintS extends Row { Long k; }
    @Entity @Table(name = "k_numeric_u") @Upsert(on = "k") static class NumericU extends Row { BigDecimal k; }
    @Entity @Table(name = "k_numeric_s") @Upsert(on = "k", skipUnchanged = true) static class NumericS extends Row { BigDecimal k; }
    @Entity @Table(name = "k_bool_u") @Upsert(on = "k") static class BoolU extends Row { Boolean k; }
    @Entity @Table(name = "k_bool_s") @Upsert(on = "k", skipUnchanged = true) static class BoolS extends Row { Boolean k; }
    @Entity @Table(name = "k_instant_u") @Upsert(on = "k") static class InstantU extends Row { Instant k; }
    @Entity @Table(name = "k_instant_s") @Upsert(on = "k", skipUnchanged = true) static class InstantS extends Row { Instant k; }
    @Entity @Table(name = "k_odt_u") @Upsert(on = "k") static class OdtU extends Row { OffsetDateTime k; }
    @Entity @Table(name = "k_odt_s") @Upsert(on = "k", skipUnchanged = true) static class OdtS extends Row { OffsetDateTime k; }
    @Entity @Table(name = "k_ldt_u") @Upsert(on = "k") static class LdtU extends Row { LocalDateTime k; }
    @Entity @Table(name = "k_ldt_s") @Upsert(on = "k", skipUnchanged = true) static class LdtS extends Row { LocalDateTime k; }
    @Entity @Table(name = "k_date_u") @Upsert(on = "k") static class DateU extends Row { LocalDate k; }
    @Entity @Table(name = "k_date_s") @Upsert(on = "k", skipUnchanged = true) static class DateS extends Row { LocalDate k; }
    @Entity @Table(name = "k_enum_u") @Upsert(on = "k") static class EnumU extends Row {
        @Enumerated(EnumType.STRING) @JdbcTypeCode(SqlTypes.NAMED_ENUM) Mood k;
    }
    @Entity @Table(name = "k_enum_s") @Upsert(on = "k", skipUnchanged = true) static class EnumS extends Row {
        @Enumerated(EnumType.STRING) @JdbcTypeCode(SqlTypes.NAMED_ENUM) Mood k;
    }
    @Entity @Table(name = "k_convert_u") @Upsert(on = "k") static class ConvertU extends Row { @Convert(converter = EmailConverter.class) Email k; }
    @Entity @Table(name = "k_convert_s") @Upsert(on = "k", skipUnchanged = true) static class ConvertS extends Row {
        @Convert(converter = EmailConverter.class) Email k;
    }
    @Entity @Table(name = "k_slot_u") @Upsert(on = "k") static class SlotU extends Row { @Embedded Slot k; }
    @Entity @Table(name = "k_slot_s") @Upsert(on = "k", skipUnchanged = true) static class SlotS extends Row { @Embedded Slot k; }
    @Entity @Table(name = "k_null_u") @Upsert(on = "k") static class NullU extends Row { String k; }
    @Entity @Table(name = "k_null_s") @Upsert(on = "k", skipUnchanged = true) static class NullS extends Row { String k; }
    @Entity @Table(name = "k_nnd_u") @Upsert(on = "k") static class NndU extends Row { String k; }
    @Entity @Table(name = "k_nnd_s") @Upsert(on = "k", skipUnchanged = true) static class NndS extends Row { String k; }

    /**
     * One key type: its table suffix, the column definition, A as stored, A' as proposed, B, and whether A' meets A
     * in the index (not so for NULL under the default NULLS DISTINCT).
     */
    record Case(String label, String table, String columns, Class<? extends Row> u, Class<? extends Row> s,
                Object storedA, Object proposedA, Object b, boolean conflicts) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("text", "text", "k text", TextU.class, TextS.class, "ann", "ann", "bob", true),
                new Case("citext", "citext", "k public.citext", CitextU.class, CitextS.class, "Ann@X.org", "ann@x.ORG", "bob", true),
                new Case("case-insensitive collation", "ci", "k text collate upsert_ci", CiU.class, CiS.class, "Ann", "aNN", "bob", true),
                new Case("uuid", "uuid", "k uuid", UuidU.class, UuidS.class, new UUID(1, 2), new UUID(1, 2), new UUID(3, 4), true),
                new Case("bigint", "bigint", "k bigint", BigintU.class, BigintS.class, 7L, 7L, 8L, true),
                new Case("numeric", "numeric", "k numeric(12, 2)", NumericU.class, NumericS.class,
                        new BigDecimal("1.50"), new BigDecimal("1.50"), new BigDecimal("2.25"), true),
                new Case("boolean", "bool", "k boolean", BoolU.class, BoolS.class, true, true, false, true),
                new Case("Instant on timestamptz", "instant", "k timestamptz", InstantU.class, InstantS.class,
                        AT.toInstant(), AT.toInstant(), AT.toInstant().plusSeconds(1), true),
                new Case("OffsetDateTime on timestamptz", "odt", "k timestamptz", OdtU.class, OdtS.class,
                        AT, AT.withOffsetSameInstant(ZoneOffset.UTC), AT.plusDays(1), true),
                new Case("LocalDateTime on timestamp", "ldt", "k timestamp", LdtU.class, LdtS.class,
                        AT.toLocalDateTime(), AT.toLocalDateTime(), AT.toLocalDateTime().plusHours(1), true),
                new Case("LocalDate on date", "date", "k date", DateU.class, DateS.class,
                        AT.toLocalDate(), AT.toLocalDate(), AT.toLocalDate().plusDays(1), true),
                new Case("PostgreSQL enum", "enum", "k upsert_mood", EnumU.class, EnumS.class, Mood.HAPPY, Mood.HAPPY, Mood.SAD, true),
                new Case("@Convert", "convert", "k text", ConvertU.class, ConvertS.class,
                        new Email("ann@x.org"), new Email("ANN@x.org"), new Email("bob@x.org"), true),
                new Case("embedded composite with OffsetDateTime", "slot", "tenant bigint, at timestamptz", SlotU.class, SlotS.class,
                        new Slot(1, AT), new Slot(1, AT.withOffsetSameInstant(ZoneOffset.UTC)), new Slot(1, AT.plusDays(1)), true),
                new Case("NULL key, NULLS DISTINCT", "null", "k text", NullU.class, NullS.class, null, null, "bob", false),
                new Case("NULL key, NULLS NOT DISTINCT", "nnd", "k text", NndU.class, NndS.class, null, null, "bob", true));
    }

    /** How A' meets the stored row in the two-row test: the entity, the name A' proposes, the outcome on a conflict. */
    record Action(String label, Function<Case, Class<? extends Row>> entity, String proposedName, UpsertOutcome onConflict) {
        @Override
        public String toString() {
            return label;
        }
    }

    static final List<Action> ACTIONS = List.of(
            new Action("DO UPDATE", Case::u, "new", UpsertOutcome.UPDATED),
            new Action("skipUnchanged, A' unchanged and read back by key", Case::s, "old", UpsertOutcome.SKIPPED));

    static Stream<Arguments> casesAndActions() {
        return cases().flatMap(c -> ACTIONS.stream().map(action -> Arguments.of(c, action)));
    }

    @AutoClose static Jpa jpa;
    static TestSchema db;
    static boolean citext;
    static boolean icu;
    static final FlushedOutcomes flushed = new FlushedOutcomes();

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        citext = db.queryLong("select count(*) from pg_available_extensions where name = 'citext'") > 0;
        icu = db.queryLong("select count(*) from pg_collation where collprovider = 'i'") > 0;
        if (citext) {
            db.execute("create extension if not exists citext schema public");
        }
        if (icu) {
            db.execute("create collation upsert_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
        }
        db.execute("create type upsert_mood as enum ('HAPPY', 'SAD')");
        List<Class<?>> entities = new ArrayList<>();
        cases().forEach(c -> {
            if ((c.table().equals("citext") && !citext) || (c.table().equals("ci") && !icu)) {
                return;
            }
            for (String kind : List.of("u", "s")) {
                String table = "k_" + c.table() + "_" + kind;
                String key = c.table().equals("slot") ? "tenant, at" : "k";
                // NULLS NOT DISTINCT exists from PostgreSQL 15 on; on 13 and 14 the table gets a plain unique key.
                String nulls = c.table().equals("nnd") && db.database().serverMajor() >= 15 ? " nulls not distinct" : "";
                db.execute("create table " + table + " (id uuid primary key, " + c.columns() + ", name text, constraint "
                        + table + "_key unique" + nulls + " (" + key + "))");
            }
            entities.add(c.u());
            entities.add(c.s());
        });
        jpa = new Jpa(schema, Map.of("jakarta.persistence.schema-generation.database.action", "none",
                "hibernate.jdbc.batch_size", "50"), entities.toArray(Class<?>[]::new));
    }

    /**
     * Two rows in one statement, A' and B: an unconditional {@code DO UPDATE}, or a conditional one where A' is
     * unchanged (no row returned, read back by key) and B inserted.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("casesAndActions")
    void twoRowsInOneStatement(Case c, Action action) {
        Class<? extends Row> type = action.entity().apply(c);
        UUID storedA = given(c, type);
        Row[] rows = jpa.tx(em -> flushed.persist(em, row(type, c.proposedA(), action.proposedName()), row(type, c.b(), "b")));
        expect(c, type, storedA, rows[0], action.proposedName(), c.conflicts() ? action.onConflict() : UpsertOutcome.INSERTED);
        assertThat(flushed.of(rows[1])).isEqualTo(UpsertOutcome.INSERTED);
        assertThat(names(type).get(rows[1].id)).isEqualTo("b");
    }

    /** One row, one statement. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void singleRow(Case c) {
        UUID storedA = given(c, c.u());
        Row[] rows = jpa.tx(em -> flushed.persist(em, row(c.u(), c.proposedA(), "new")));
        expect(c, c.u(), storedA, rows[0], "new", c.conflicts() ? UpsertOutcome.UPDATED : UpsertOutcome.INSERTED);
    }

    /** One conditional upsert that changes a stored row, then one that leaves it untouched and is read back. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void singleRowConditionalAndReadBack(Case c) {
        UUID storedA = given(c, c.s());
        Row[] changed = jpa.tx(em -> flushed.persist(em, row(c.s(), c.proposedA(), "new")));
        expect(c, c.s(), storedA, changed[0], "new", c.conflicts() ? UpsertOutcome.UPDATED : UpsertOutcome.INSERTED);
        if (c.conflicts()) {
            Row[] same = jpa.tx(em -> flushed.persist(em, row(c.s(), c.proposedA(), "new")));
            expect(c, c.s(), storedA, same[0], "new", UpsertOutcome.SKIPPED);
        }
    }

    /** Empties the table and stores A with name "old" (an upsert of a new key). */
    private static UUID given(Case c, Class<? extends Row> type) {
        assumeTrue(!c.table().equals("citext") || citext, "the server has no citext extension");
        assumeTrue(!c.table().equals("ci") || icu, "the server has no ICU collations");
        assumeTrue(!c.table().equals("nnd") || db.database().serverMajor() >= 15,
                "NULLS NOT DISTINCT needs PostgreSQL 15 or later; this server is " + db.queryValue("show server_version"));
        db.execute("truncate " + table(type));
        Row[] stored = jpa.tx(em -> flushed.persist(em, row(type, c.storedA(), "old")));
        assertThat(db.queryLong("select count(*) from " + table(type))).isEqualTo(1);
        return stored[0].id;
    }

    private static void expect(Case c, Class<? extends Row> type, UUID storedA, Row proposed, String name, UpsertOutcome outcome) {
        assertThat(flushed.of(proposed)).as("outcome").isEqualTo(outcome);
        Map<Object, String> rows = names(type);
        if (c.conflicts()) {
            assertThat(proposed.id).as("the stored row's id is written back").isEqualTo(storedA);
            assertThat(rows.get(storedA)).isEqualTo(name);
        } else {
            assertThat(proposed.id).isNotEqualTo(storedA);
            assertThat(rows.get(proposed.id)).isEqualTo(name);
            assertThat(rows.get(storedA)).isEqualTo("old");
        }
        assertThat(proposed.name).isEqualTo(name);
    }

    private static Map<Object, String> names(Class<? extends Row> type) {
        return EntityMatrix.names(db, table(type));
    }

    private static Row row(Class<? extends Row> type, Object key, String name) {
        Row row = EntityMatrix.newRow(type, "k", key);
        row.name = name;
        return row;
    }
}
