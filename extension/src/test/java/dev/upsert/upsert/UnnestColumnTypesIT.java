package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.StatementRecorder;

/**
 * Value columns of every type the one-statement-per-chunk path binds natively ({@code bigint}, {@code integer},
 * {@code smallint}, {@code double precision}, {@code boolean}, {@code text}, {@code varchar}) or as text cast on the
 * server ({@code timestamptz}, {@code uuid}, {@code numeric}, and what Hibernate's own binder produces for enums,
 * {@code date} and {@code timestamp}), with NULLs, empty strings and array-syntax characters: inserted, updated and
 * left unchanged, checked against what the table holds.
 */
@PostgresTest
class UnnestColumnTypesIT {

    static final StatementRecorder prepared = new StatementRecorder();

    enum Mood { HAPPY, SAD }

    @MappedSuperclass
    abstract static class Values {
        @Id @GeneratedValue UUID id;
        String k;
        String label;
        Integer qty;
        @Column(name = "rnk") Short rank;
        Long big;
        Double ratio;
        Boolean flag;
        BigDecimal amount;
        UUID ref;
        Instant at;
        OffsetDateTime odt;
        @Enumerated(EnumType.ORDINAL) @Column(name = "mood_ord") Mood moodOrd;
        @Enumerated(EnumType.STRING) @Column(name = "mood_name") Mood moodName;
        String note;
        LocalDate day;
        @Column(name = "local_at") LocalDateTime localAt;

        Values fill(String k, Object... values) {
            this.k = k;
            label = (String) values[0];
            qty = (Integer) values[1];
            rank = (Short) values[2];
            big = (Long) values[3];
            ratio = (Double) values[4];
            flag = (Boolean) values[5];
            amount = (BigDecimal) values[6];
            ref = (UUID) values[7];
            at = (Instant) values[8];
            odt = (OffsetDateTime) values[9];
            moodOrd = (Mood) values[10];
            moodName = (Mood) values[11];
            note = (String) values[12];
            day = (LocalDate) values[13];
            localAt = (LocalDateTime) values[14];
            return this;
        }
    }

    @Entity @Table(name = "t_values_u") @Upsert(on = "k") static class ValuesU extends Values { }

    /** Columns with a type modifier, which the statement must not cast away: stored as Hibernate's own insert stores them. */
    @MappedSuperclass
    abstract static class Sized {
        @Id @GeneratedValue UUID id;
        String k;
        String code;
        BigDecimal amount;
        Instant at;
        LocalDate day;
    }

    @Entity(name = "SizedU") @Table(name = "t_sized_u") @Upsert(on = "k") static class SizedU extends Sized { }
    @Entity(name = "SizedPlain") @Table(name = "t_sized_plain") static class SizedPlain extends Sized { }
    @Entity @Table(name = "t_values_s") @Upsert(on = "k", skipUnchanged = true) static class ValuesS extends Values { }

    static final Object[] FULL = {
        "a,b \"c\" {d} \\ é", Integer.MIN_VALUE, Short.MAX_VALUE, Long.MAX_VALUE, 0.1d, true, new BigDecimal("-1234567890.12"),
        new UUID(-1, 42), Instant.parse("2024-06-01T10:00:00.123456Z"),
        OffsetDateTime.of(2024, 6, 1, 12, 0, 0, 654_321_000, ZoneOffset.ofHours(2)), Mood.SAD, Mood.HAPPY, "NULL",
        LocalDate.of(2024, 2, 29), LocalDateTime.of(2024, 6, 1, 23, 59, 59, 999_999_000)};
    static final Object[] EMPTY = {"", 0, (short) 0, 0L, -0.5d, false, new BigDecimal("0.00"), new UUID(0, 0),
        Instant.EPOCH, OffsetDateTime.of(1999, 12, 31, 23, 0, 0, 0, ZoneOffset.ofHours(-5)), Mood.HAPPY, Mood.SAD, "",
        LocalDate.of(1970, 1, 1), LocalDateTime.of(2000, 1, 1, 0, 0, 1)};
    static final Object[] NULLS = new Object[15];

    static TestSchema db;
    @AutoClose static Jpa jpa;

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        for (String table : List.of("t_values_u", "t_values_s")) {
            db.execute("create table " + table + " (id uuid primary key, k text not null, label varchar(20), qty integer,"
                    + " rnk smallint, big bigint, ratio double precision, flag boolean, amount numeric(12, 2), ref uuid,"
                    + " at timestamptz, odt timestamptz, mood_ord smallint, mood_name varchar(10), note text, day date,"
                    + " local_at timestamp, constraint " + table + "_k unique (k))");
        }
        for (String table : List.of("t_sized_u", "t_sized_plain")) {
            db.execute("create table " + table + " (id uuid primary key, k text not null unique, code character(3),"
                    + " amount numeric(6, 2), at timestamp(0) with time zone, day date)");
        }
        jpa = new Jpa(schema, Map.of("jakarta.persistence.schema-generation.database.action", "none",
                "hibernate.jdbc.batch_size", "50", "hibernate.session_factory.statement_inspector", prepared),
                ValuesU.class, ValuesS.class, SizedU.class, SizedPlain.class);
    }

    @BeforeEach
    void empty() {
        db.execute("truncate t_values_u, t_values_s, t_sized_u, t_sized_plain");
        prepared.clear();
    }

    @Test
    void everyTypeIsStoredExactlyOnInsertAndUpdate() {
        for (Class<? extends Values> type : List.of(ValuesU.class, ValuesS.class)) {
            String table = type.getAnnotation(Table.class).name();
            prepared.clear();
            Map<String, Values> first = upsert(type, Map.of("full", FULL, "empty", EMPTY, "nulls", NULLS));
            String unnest = prepared.stream().filter(sql -> sql.contains(" from unnest(")).findFirst().orElseThrow();
            assertThat(unnest).as("native arrays").contains("?::int8[]", "?::int4[]", "?::int2[]", "?::float8[]", "?::bool[]")
                    .contains("?::text[]::uuid[]", "?::text[]::numeric[]")
                    .as("an instant as int8 microseconds since 1970").contains("timestamptz 'epoch' + upsert_u.")
                    .doesNotContain("timestamp with time zone[]");
            assertThat(stored(table)).containsOnlyKeys("full", "empty", "nulls");
            expectStored(table, "full", FULL);
            expectStored(table, "empty", EMPTY);
            expectStored(table, "nulls", NULLS);
            Map<String, UUID> ids = ids(table);
            first.forEach((k, v) -> assertThat(v.id).isEqualTo(ids.get(k)));

            // every value changed (full <-> nulls), one row unchanged
            Map<String, Values> second = upsert(type, Map.of("full", NULLS, "empty", EMPTY, "nulls", FULL, "new", FULL));
            expectStored(table, "full", NULLS);
            expectStored(table, "empty", EMPTY);
            expectStored(table, "nulls", FULL);
            expectStored(table, "new", FULL);
            assertThat(ids(table)).containsAllEntriesOf(ids).hasSize(4);
            second.forEach((k, v) -> assertThat(v.id).as(k).isEqualTo(ids(table).get(k)));
            assertThat(outcomes.get(second.get("empty")))
                    .isEqualTo(type == ValuesS.class ? UpsertOutcome.SKIPPED : UpsertOutcome.UPDATED);
            assertThat(outcomes.get(second.get("new"))).isEqualTo(UpsertOutcome.INSERTED);
            assertThat(outcomes.get(second.get("full"))).isEqualTo(UpsertOutcome.UPDATED);
        }
    }

    /**
     * Instants between two microseconds are stored as Hibernate's own binder sends them (pgjdbc rounds half up to the
     * microsecond): a lone row takes the one-row statement bound by Hibernate's binders, two rows the unnest statement.
     * So are instants to the microsecond at either end of the four-digit years, and at either end of the years whose
     * microseconds the unnest statement turns into a {@code timestamptz} in one multiplication (2^53 microseconds
     * from 1970, exact as a {@code float8}), outside which it takes two exact steps.
     */
    @Test
    void anInstantBetweenMicrosecondsIsStoredAsHibernatesOwnBinderSendsIt() {
        List<Instant> instants = new ArrayList<>();
        for (int nanos : new int[] {2_500, 3_500, 2_499, 999_999_500}) {
            instants.add(Instant.parse("2024-06-01T10:00:00Z").plusNanos(nanos));
        }
        for (String at : List.of("1583-01-01T00:00:00.000001Z", "1684-07-28T00:12:25.259007Z", "1684-07-28T00:12:25.259008Z",
                "1969-12-31T23:59:59.999999Z", "2255-06-05T23:47:34.740992Z", "2255-06-05T23:47:34.740993Z",
                "9999-12-31T23:59:59.999999Z")) {
            instants.add(Instant.parse(at));
        }
        for (Instant at : instants) {
            Object[] row = FULL.clone();
            row[8] = at;
            row[9] = at.atOffset(ZoneOffset.ofHours(2));
            db.execute("truncate t_values_u");
            upsert(ValuesU.class, Map.of("solo", row));
            upsert(ValuesU.class, Map.of("x", row, "y", row));
            assertThat(prepared).as("both statements ran").anyMatch(sql -> sql.contains(" from unnest("))
                    .anyMatch(sql -> sql.contains(" values ("));
            List<List<Object>> stored = db.query("select at::text, odt::text from t_values_u order by k");
            assertThat(stored).as(at.toString()).hasSize(3).containsOnly(stored.get(0));
        }
    }

    /** A value too long for {@code varchar(n)} fails as in Hibernate's own insert (22001); it is never cut short. */
    @Test
    void aValueTooLongForItsVarcharFailsInsteadOfBeingCut() {
        Object[] tooLong = FULL.clone();
        tooLong[0] = "x".repeat(21);
        for (Class<? extends Values> type : List.of(ValuesU.class, ValuesS.class)) {
            String table = type.getAnnotation(Table.class).name();
            upsert(type, Map.of("kept", FULL));
            assertThatThrownBy(() -> upsert(type, Map.of("kept", tooLong, "other", EMPTY)))
                    .satisfies(e -> assertThat(sqlState(e)).isEqualTo("22001"));
            assertThat(stored(table)).containsOnlyKeys("kept");
            expectStored(table, "kept", FULL);
        }
    }

    /**
     * {@code character(n)}, {@code numeric(p,s)} and {@code timestamp(p)} hold what Hibernate's own insert stores
     * (padded, rounded), and a value too long for {@code character(3)} fails with 22001 in both: the statement casts to
     * the type without its modifier (an explicit {@code ::character(3)} would cut {@code "abcd"} to {@code "abc"}).
     */
    @Test
    void columnsWithATypeModifierHoldWhatHibernatesOwnInsertStores() {
        Object[][] rows = {
            {"a", "ab", new BigDecimal("1.005"), Instant.parse("2024-06-01T10:00:00.5Z")},
            {"b", "abc", new BigDecimal("-0.004"), Instant.parse("2024-06-01T10:00:00.499999Z")},
            {"c", "ab   ", new BigDecimal("9999.995").negate().add(BigDecimal.ONE), Instant.EPOCH},
            {"d", "", BigDecimal.ZERO, null}};
        jpa.tx(em -> {
            for (Object[] row : rows) {
                em.persist(sized(new SizedU(), row));
                em.persist(sized(new SizedPlain(), row));
            }
            em.flush();
            return null;
        });
        String columns = "select k, code, code::text, length(code)::text, amount::text, at::text from ";
        assertThat(db.query(columns + "t_sized_u order by k")).hasSize(rows.length)
                .isEqualTo(db.query(columns + "t_sized_plain order by k"));

        for (Class<? extends Sized> type : List.of(SizedU.class, SizedPlain.class)) {
            assertThatThrownBy(() -> jpa.tx(em -> {
                em.persist(sized(newInstance(type), new Object[] {"a", "abcd", BigDecimal.ONE, Instant.EPOCH}));
                em.persist(sized(newInstance(type), new Object[] {"e", "xyz", BigDecimal.ONE, Instant.EPOCH}));
                em.flush();
                return null;
            })).as(type.getSimpleName()).satisfies(e -> assertThat(sqlState(e)).isEqualTo("22001"));
        }
        assertThat(db.query(columns + "t_sized_u order by k")).isEqualTo(db.query(columns + "t_sized_plain order by k"))
                .extracting(row -> row.get(0)).containsExactly("a", "b", "c", "d");
        String unnest = prepared.stream().filter(sql -> sql.contains(" from unnest(")).findFirst().orElseThrow();
        assertThat(unnest).contains("?::text[]::bpchar[]", "?::text[]::numeric[]", "timestamptz 'epoch' + upsert_u.")
                .doesNotContain("character(3)", "numeric(6");
    }

    /**
     * Dates and instants before the Gregorian reform, BC and beyond year 9999 are stored as Hibernate's own insert
     * stores them (its binders send Julian calendar dates before 1583), and read back through Hibernate alike.
     */
    @Test
    void datesOutsideTheGregorianFourDigitYearsAreStoredAsByHibernatesOwnInsert() {
        Instant[] instants = {Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("0000-06-30T12:00:00Z"),
            Instant.parse("-4712-01-01T00:00:00Z"), Instant.parse("1582-10-04T23:59:59Z"), Instant.parse("1583-01-01T00:00:00Z"),
            Instant.parse("+294275-12-31T23:59:59Z")};
        LocalDate[] days = {LocalDate.of(10000, 1, 1), LocalDate.of(0, 6, 30), LocalDate.of(-4712, 1, 1),
            LocalDate.of(1582, 10, 4), LocalDate.of(1583, 1, 1), null};
        for (Class<? extends Sized> type : List.of(SizedU.class, SizedPlain.class)) {
            jpa.tx(em -> {
                for (int i = 0; i < instants.length; i++) {
                    Sized entity = sized(newInstance(type), new Object[] {"y" + i, null, null, instants[i]});
                    entity.day = days[i];
                    em.persist(entity);
                }
                return null;
            });
        }
        String columns = "select k, at::text, day::text from ";
        assertThat(db.query(columns + "t_sized_u order by k")).hasSize(instants.length)
                .isEqualTo(db.query(columns + "t_sized_plain order by k"));
        Map<String, List<Object>> read = new HashMap<>();
        for (String entity : List.of("SizedU", "SizedPlain")) {
            List<Instant> readInstants = jpa.tx(em -> em.createQuery("select s.at from " + entity + " s order by s.k",
                    Instant.class).getResultList());
            assertThat(readInstants).as(entity).containsExactly(instants);
            read.put(entity, jpa.tx(em -> em.createQuery("select s.day from " + entity + " s order by s.k",
                    Object.class).getResultList()));
        }
        // Hibernate reads a BC date back as the same year AD (its own loss, the plain entity's too): the same values
        assertThat(read.get("SizedU")).isEqualTo(read.get("SizedPlain"));
    }

    private static Sized sized(Sized entity, Object[] row) {
        entity.k = (String) row[0];
        entity.code = (String) row[1];
        entity.amount = (BigDecimal) row[2];
        entity.at = (Instant) row[3];
        return entity;
    }

    private static <T> T newInstance(Class<T> type) {
        try {
            var constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Map<Values, UpsertOutcome> outcomes = new HashMap<>();

    private static Map<String, Values> upsert(Class<? extends Values> type, Map<String, Object[]> rows) {
        return jpa.tx(em -> {
            Map<String, Values> persisted = new HashMap<>();
            rows.forEach((k, values) -> {
                try {
                    var constructor = type.getDeclaredConstructor();
                    constructor.setAccessible(true);
                    Values v = constructor.newInstance().fill(k, values);
                    em.persist(v);
                    persisted.put(k, v);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            });
            em.flush();
            persisted.values().forEach(v -> outcomes.put(v, Upserts.outcome(em, v).orElse(null)));
            return persisted;
        });
    }

    private static void expectStored(String table, String k, Object[] values) {
        List<Object> row = stored(table).get(k);
        assertThat(row).as(k).isNotNull();
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            expected.add(v == null ? null : switch (i) {
                case 1 -> ((Integer) v).longValue();
                case 2 -> ((Short) v).longValue();
                case 6 -> ((BigDecimal) v).toPlainString();
                case 7 -> v.toString();
                case 8 -> utc((Instant) v);
                case 9 -> utc(((OffsetDateTime) v).toInstant());
                case 10 -> (long) ((Mood) v).ordinal();
                case 11 -> ((Mood) v).name();
                case 13, 14 -> v.toString().replace('T', ' ');
                default -> v;
            });
        }
        assertThat(row).as(table + " " + k).isEqualTo(expected);
    }

    private static String utc(Instant instant) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").format(instant.atOffset(ZoneOffset.UTC));
    }

    /** Every row by key, each column as a value that compares exactly: instants in UTC to the microsecond, numeric as text. */
    private static Map<String, List<Object>> stored(String table) {
        Map<String, List<Object>> rows = new HashMap<>();
        for (List<Object> r : db.query("select k, label, qty::int8, rnk::int8, big, ratio, flag, amount::text, ref::text,"
                + " to_char(at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), to_char(odt at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'),"
                + " mood_ord::int8, mood_name,"
                + " note, day::text, local_at::text from " + table)) {
            List<Object> values = new ArrayList<>(r.subList(1, r.size()));
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) instanceof Number n && !(n instanceof Double)) {
                    values.set(i, n.longValue());
                }
            }
            rows.put((String) r.get(0), values);
        }
        return rows;
    }

    private static Map<String, UUID> ids(String table) {
        Map<String, UUID> ids = new HashMap<>();
        db.query("select k, id from " + table).forEach(r -> ids.put((String) r.get(0), (UUID) r.get(1)));
        return ids;
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return Arrays.toString(e.getStackTrace());
    }
}
