package dev.upsert.upsert;

import static dev.upsert.upsert.EntityMatrix.AT;
import static dev.upsert.upsert.EntityMatrix.table;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.Generated;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.StatementRecorder;
import dev.upsert.upsert.EntityMatrix.Mood;
import dev.upsert.upsert.EntityMatrix.Slot;

/**
 * {@link UpsertKeyTypesIT}'s matrix on entities that are more than plain columns, for the keys that are not text:
 * {@code Instant} on {@code timestamptz}, enums {@code STRING} and {@code ORDINAL}, {@code uuid}, {@code numeric}, an
 * embedded composite (bigint, timestamptz). The one statement of column arrays carries a
 * {@code @ColumnTransformer(write = ...)} column ({@code Wx}) and a key part the database generates ({@code Gen},
 * unconditional only: a key that cannot be bound cannot be read back); an array column ({@code Arr}) and IDENTITY on
 * an entity with a collection ({@code Ic}, one statement at {@code persist}) take the per-row statement. Each with
 * {@code DO UPDATE} ({@code U}) and get-or-create ({@code N}, whose untouched rows are read back by key). Row A is
 * stored; then A' (equal to A for the index) and new B in one flush, then A' alone; ids written back, outcomes and the
 * table checked each time.
 */
@PostgresTest
class KeyTypesBeyondPlainColumnsIT {

    @MappedSuperclass
    abstract static class Row {
        String name;

        abstract Long id();
    }

    @MappedSuperclass
    abstract static class WriteExpression extends Row {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        @ColumnTransformer(write = "upper(?)") String note = "n";

        @Override Long id() { return id; }
    }

    @MappedSuperclass
    abstract static class ArrayColumn extends Row {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        String[] tags = {"a", "b"};

        @Override Long id() { return id; }
    }

    @MappedSuperclass
    abstract static class IdentityWithCollection extends Row {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @ElementCollection List<String> aliases = new ArrayList<>();

        @Override Long id() { return id; }
    }

    @MappedSuperclass
    abstract static class GeneratedKeyPart extends Row {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        @Generated @Column(insertable = false, updatable = false, columnDefinition = "integer generated always as (1) stored") Integer g;

        @Override Long id() { return id; }
    }

    @Entity(name = "WxInstantU") @Table(name = "fb_wx_instant_u", uniqueConstraints = @UniqueConstraint(name = "fb_wx_instant_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class WxInstantU extends WriteExpression { Instant k; }
    @Entity(name = "WxInstantN") @Table(name = "fb_wx_instant_n", uniqueConstraints = @UniqueConstraint(name = "fb_wx_instant_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class WxInstantN extends WriteExpression { Instant k; }
    @Entity(name = "WxEnumStringU") @Table(name = "fb_wx_enum_string_u", uniqueConstraints = @UniqueConstraint(name = "fb_wx_enum_string_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class WxEnumStringU extends WriteExpression { @Enumerated(EnumType.STRING) Mood k; }
    @Entity(name = "WxEnumStringN") @Table(name = "fb_wx_enum_string_n", uniqueConstraints = @UniqueConstraint(name = "fb_wx_enum_string_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class WxEnumStringN extends WriteExpression { @Enumerated(EnumType.STRING) Mood k; }
    @Entity(name = "WxEnumOrdinalU") @Table(name = "fb_wx_enum_ordinal_u", uniqueConstraints = @UniqueConstraint(name = "fb_wx_enum_ordinal_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class WxEnumOrdinalU extends WriteExpression { @Enumerated(EnumType.ORDINAL) Mood k; }
    @Entity(name = "WxEnumOrdinalN") @Table(name = "fb_wx_enum_ordinal_n", uniqueConstraints = @UniqueConstraint(name = "fb_wx_enum_ordinal_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class WxEnumOrdinalN extends WriteExpression { @Enumerated(EnumType.ORDINAL) Mood k; }
    @Entity(name = "WxUuidU") @Table(name = "fb_wx_uuid_u", uniqueConstraints = @UniqueConstraint(name = "fb_wx_uuid_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class WxUuidU extends WriteExpression { UUID k; }
    @Entity(name = "WxUuidN") @Table(name = "fb_wx_uuid_n", uniqueConstraints = @UniqueConstraint(name = "fb_wx_uuid_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class WxUuidN extends WriteExpression { UUID k; }
    @Entity(name = "WxNumericU") @Table(name = "fb_wx_numeric_u", uniqueConstraints = @UniqueConstraint(name = "fb_wx_numeric_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class WxNumericU extends WriteExpression { @Column(precision = 12, scale = 2) BigDecimal k; }
    @Entity(name = "WxNumericN") @Table(name = "fb_wx_numeric_n", uniqueConstraints = @UniqueConstraint(name = "fb_wx_numeric_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class WxNumericN extends WriteExpression { @Column(precision = 12, scale = 2) BigDecimal k; }
    @Entity(name = "WxSlotU") @Table(name = "fb_wx_slot_u", uniqueConstraints = @UniqueConstraint(name = "fb_wx_slot_u_key", columnNames = {"tenant", "at"}))
    @Upsert(on = "k") static class WxSlotU extends WriteExpression { @Embedded Slot k; }
    @Entity(name = "WxSlotN") @Table(name = "fb_wx_slot_n", uniqueConstraints = @UniqueConstraint(name = "fb_wx_slot_n_key", columnNames = {"tenant", "at"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class WxSlotN extends WriteExpression { @Embedded Slot k; }
    @Entity(name = "ArrInstantU") @Table(name = "fb_arr_instant_u", uniqueConstraints = @UniqueConstraint(name = "fb_arr_instant_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class ArrInstantU extends ArrayColumn { Instant k; }
    @Entity(name = "ArrInstantN") @Table(name = "fb_arr_instant_n", uniqueConstraints = @UniqueConstraint(name = "fb_arr_instant_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class ArrInstantN extends ArrayColumn { Instant k; }
    @Entity(name = "ArrEnumStringU") @Table(name = "fb_arr_enum_string_u", uniqueConstraints = @UniqueConstraint(name = "fb_arr_enum_string_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class ArrEnumStringU extends ArrayColumn { @Enumerated(EnumType.STRING) Mood k; }
    @Entity(name = "ArrEnumStringN") @Table(name = "fb_arr_enum_string_n", uniqueConstraints = @UniqueConstraint(name = "fb_arr_enum_string_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class ArrEnumStringN extends ArrayColumn { @Enumerated(EnumType.STRING) Mood k; }
    @Entity(name = "ArrEnumOrdinalU") @Table(name = "fb_arr_enum_ordinal_u", uniqueConstraints = @UniqueConstraint(name = "fb_arr_enum_ordinal_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class ArrEnumOrdinalU extends ArrayColumn { @Enumerated(EnumType.ORDINAL) Mood k; }
    @Entity(name = "ArrEnumOrdinalN") @Table(name = "fb_arr_enum_ordinal_n", uniqueConstraints = @UniqueConstraint(name = "fb_arr_enum_ordinal_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class ArrEnumOrdinalN extends ArrayColumn { @Enumerated(EnumType.ORDINAL) Mood k; }
    @Entity(name = "ArrUuidU") @Table(name = "fb_arr_uuid_u", uniqueConstraints = @UniqueConstraint(name = "fb_arr_uuid_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class ArrUuidU extends ArrayColumn { UUID k; }
    @Entity(name = "ArrUuidN") @Table(name = "fb_arr_uuid_n", uniqueConstraints = @UniqueConstraint(name = "fb_arr_uuid_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class ArrUuidN extends ArrayColumn { UUID k; }
    @Entity(name = "ArrNumericU") @Table(name = "fb_arr_numeric_u", uniqueConstraints = @UniqueConstraint(name = "fb_arr_numeric_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class ArrNumericU extends ArrayColumn { @Column(precision = 12, scale = 2) BigDecimal k; }
    @Entity(name = "ArrNumericN") @Table(name = "fb_arr_numeric_n", uniqueConstraints = @UniqueConstraint(name = "fb_arr_numeric_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class ArrNumericN extends ArrayColumn { @Column(precision = 12, scale = 2) BigDecimal k; }
    @Entity(name = "ArrSlotU") @Table(name = "fb_arr_slot_u", uniqueConstraints = @UniqueConstraint(name = "fb_arr_slot_u_key", columnNames = {"tenant", "at"}))
    @Upsert(on = "k") static class ArrSlotU extends ArrayColumn { @Embedded Slot k; }
    @Entity(name = "ArrSlotN") @Table(name = "fb_arr_slot_n", uniqueConstraints = @UniqueConstraint(name = "fb_arr_slot_n_key", columnNames = {"tenant", "at"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class ArrSlotN extends ArrayColumn { @Embedded Slot k; }
    @Entity(name = "IcInstantU") @Table(name = "fb_ic_instant_u", uniqueConstraints = @UniqueConstraint(name = "fb_ic_instant_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class IcInstantU extends IdentityWithCollection { Instant k; }
    @Entity(name = "IcInstantN") @Table(name = "fb_ic_instant_n", uniqueConstraints = @UniqueConstraint(name = "fb_ic_instant_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class IcInstantN extends IdentityWithCollection { Instant k; }
    @Entity(name = "IcEnumStringU") @Table(name = "fb_ic_enum_string_u", uniqueConstraints = @UniqueConstraint(name = "fb_ic_enum_string_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class IcEnumStringU extends IdentityWithCollection { @Enumerated(EnumType.STRING) Mood k; }
    @Entity(name = "IcEnumStringN") @Table(name = "fb_ic_enum_string_n", uniqueConstraints = @UniqueConstraint(name = "fb_ic_enum_string_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class IcEnumStringN extends IdentityWithCollection { @Enumerated(EnumType.STRING) Mood k; }
    @Entity(name = "IcEnumOrdinalU") @Table(name = "fb_ic_enum_ordinal_u", uniqueConstraints = @UniqueConstraint(name = "fb_ic_enum_ordinal_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class IcEnumOrdinalU extends IdentityWithCollection { @Enumerated(EnumType.ORDINAL) Mood k; }
    @Entity(name = "IcEnumOrdinalN") @Table(name = "fb_ic_enum_ordinal_n", uniqueConstraints = @UniqueConstraint(name = "fb_ic_enum_ordinal_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class IcEnumOrdinalN extends IdentityWithCollection { @Enumerated(EnumType.ORDINAL) Mood k; }
    @Entity(name = "IcUuidU") @Table(name = "fb_ic_uuid_u", uniqueConstraints = @UniqueConstraint(name = "fb_ic_uuid_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class IcUuidU extends IdentityWithCollection { UUID k; }
    @Entity(name = "IcUuidN") @Table(name = "fb_ic_uuid_n", uniqueConstraints = @UniqueConstraint(name = "fb_ic_uuid_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class IcUuidN extends IdentityWithCollection { UUID k; }
    @Entity(name = "IcNumericU") @Table(name = "fb_ic_numeric_u", uniqueConstraints = @UniqueConstraint(name = "fb_ic_numeric_u_key", columnNames = {"k"}))
    @Upsert(on = "k") static class IcNumericU extends IdentityWithCollection { @Column(precision = 12, scale = 2) BigDecimal k; }
    @Entity(name = "IcNumericN") @Table(name = "fb_ic_numeric_n", uniqueConstraints = @UniqueConstraint(name = "fb_ic_numeric_n_key", columnNames = {"k"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class IcNumericN extends IdentityWithCollection { @Column(precision = 12, scale = 2) BigDecimal k; }
    @Entity(name = "IcSlotU") @Table(name = "fb_ic_slot_u", uniqueConstraints = @UniqueConstraint(name = "fb_ic_slot_u_key", columnNames = {"tenant", "at"}))
    @Upsert(on = "k") static class IcSlotU extends IdentityWithCollection { @Embedded Slot k; }
    @Entity(name = "IcSlotN") @Table(name = "fb_ic_slot_n", uniqueConstraints = @UniqueConstraint(name = "fb_ic_slot_n_key", columnNames = {"tenant", "at"}))
    @Upsert(on = "k", action = Upsert.Action.NOTHING) static class IcSlotN extends IdentityWithCollection { @Embedded Slot k; }
    @Entity(name = "GenInstantU") @Table(name = "fb_gen_instant_u", uniqueConstraints = @UniqueConstraint(name = "fb_gen_instant_u_key", columnNames = {"k", "g"}))
    @Upsert(on = {"k", "g"}) static class GenInstantU extends GeneratedKeyPart { Instant k; }
    @Entity(name = "GenEnumStringU") @Table(name = "fb_gen_enum_string_u", uniqueConstraints = @UniqueConstraint(name = "fb_gen_enum_string_u_key", columnNames = {"k", "g"}))
    @Upsert(on = {"k", "g"}) static class GenEnumStringU extends GeneratedKeyPart { @Enumerated(EnumType.STRING) Mood k; }
    @Entity(name = "GenEnumOrdinalU") @Table(name = "fb_gen_enum_ordinal_u", uniqueConstraints = @UniqueConstraint(name = "fb_gen_enum_ordinal_u_key", columnNames = {"k", "g"}))
    @Upsert(on = {"k", "g"}) static class GenEnumOrdinalU extends GeneratedKeyPart { @Enumerated(EnumType.ORDINAL) Mood k; }
    @Entity(name = "GenUuidU") @Table(name = "fb_gen_uuid_u", uniqueConstraints = @UniqueConstraint(name = "fb_gen_uuid_u_key", columnNames = {"k", "g"}))
    @Upsert(on = {"k", "g"}) static class GenUuidU extends GeneratedKeyPart { UUID k; }
    @Entity(name = "GenNumericU") @Table(name = "fb_gen_numeric_u", uniqueConstraints = @UniqueConstraint(name = "fb_gen_numeric_u_key", columnNames = {"k", "g"}))
    @Upsert(on = {"k", "g"}) static class GenNumericU extends GeneratedKeyPart { @Column(precision = 12, scale = 2) BigDecimal k; }
    @Entity(name = "GenSlotU") @Table(name = "fb_gen_slot_u", uniqueConstraints = @UniqueConstraint(name = "fb_gen_slot_u_key", columnNames = {"tenant", "at", "g"}))
    @Upsert(on = {"k", "g"}) static class GenSlotU extends GeneratedKeyPart { @Embedded Slot k; }

    static final List<Class<? extends Row>> ENTITIES = List.of(
            WxInstantU.class, WxInstantN.class, WxEnumStringU.class, WxEnumStringN.class, WxEnumOrdinalU.class,
            WxEnumOrdinalN.class, WxUuidU.class, WxUuidN.class, WxNumericU.class, WxNumericN.class,
            WxSlotU.class, WxSlotN.class, ArrInstantU.class, ArrInstantN.class, ArrEnumStringU.class,
            ArrEnumStringN.class, ArrEnumOrdinalU.class, ArrEnumOrdinalN.class, ArrUuidU.class, ArrUuidN.class,
            ArrNumericU.class, ArrNumericN.class, ArrSlotU.class, ArrSlotN.class, IcInstantU.class,
            IcInstantN.class, IcEnumStringU.class, IcEnumStringN.class, IcEnumOrdinalU.class, IcEnumOrdinalN.class,
            IcUuidU.class, IcUuidN.class, IcNumericU.class, IcNumericN.class, IcSlotU.class,
            IcSlotN.class, GenInstantU.class, GenEnumStringU.class, GenEnumOrdinalU.class, GenUuidU.class,
            GenNumericU.class, GenSlotU.class);

    static final StatementRecorder prepared = new StatementRecorder();

    static TestSchema db;
    @AutoClose static Jpa jpa;
    static final FlushedOutcomes flushed = new FlushedOutcomes();

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        jpa = new Jpa(schema, Map.of("hibernate.jdbc.batch_size", "20",
                "hibernate.session_factory.statement_inspector", prepared), ENTITIES.toArray(Class<?>[]::new));
    }

    static List<Class<? extends Row>> entities() {
        return ENTITIES;
    }

    /** A as stored, A' as proposed (equal for the unique index), B (new), by the type of the key attribute. */
    private static Object[] keys(Class<?> type) throws NoSuchFieldException {
        Class<?> key = type.getDeclaredField("k").getType();
        if (key == Instant.class) {
            return new Object[] {AT.toInstant(), AT.toInstant(), AT.toInstant().plusSeconds(1)};
        } else if (key == Mood.class) {
            return new Object[] {Mood.HAPPY, Mood.HAPPY, Mood.SAD};
        } else if (key == UUID.class) {
            return new Object[] {new UUID(1, 2), new UUID(1, 2), new UUID(3, 4)};
        } else if (key == BigDecimal.class) {
            return new Object[] {new BigDecimal("1.50"), new BigDecimal("1.5"), new BigDecimal("2.25")};
        } else if (key == Slot.class) {
            return new Object[] {new Slot(1, AT), new Slot(1, AT.withOffsetSameInstant(ZoneOffset.UTC)), new Slot(1, AT.plusDays(1))};
        }
        throw new IllegalArgumentException(key.getName());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entities")
    void writesBackStoredIdsOutcomesAndRows(Class<? extends Row> type) throws Exception {
        Object[] keys = keys(type);
        boolean nothing = type.getSimpleName().endsWith("N");
        String table = table(type);
        UpsertOutcome onConflict = nothing ? UpsertOutcome.SKIPPED : UpsertOutcome.UPDATED;

        Row a = jpa.tx(em -> flushed.persist(em, row(type, keys[0], "old")))[0];
        assertThat(flushed.of(a)).isEqualTo(UpsertOutcome.INSERTED);
        long storedA = db.queryLong("select id from " + table + " where name = 'old'");
        assertThat(a.id()).isEqualTo(storedA);

        prepared.clear();
        Row[] two = jpa.tx(em -> flushed.persist(em, row(type, keys[1], "new"), row(type, keys[2], "b")));
        if (WriteExpression.class.isAssignableFrom(type)) {
            assertThat(prepared).as("the one statement of arrays, the write expression applied to the unnested element")
                    .anyMatch(sql -> sql.contains(" from unnest(") && sql.contains("upper((upsert_u.note))"));
        } else if (GeneratedKeyPart.class.isAssignableFrom(type)) {
            assertThat(prepared).as("the bare insert from arrays: rows come back in order, none is found by its key")
                    .anyMatch(sql -> sql.startsWith("insert into ") && sql.contains(" from unnest("));
        } else {
            assertThat(prepared).as("the per-row statement, not the one statement of arrays")
                    .noneMatch(sql -> sql.contains(" from unnest("))
                    .anyMatch(sql -> sql.startsWith("insert into ") && sql.contains("." + table + " (") && sql.contains("on conflict"));
        }
        long storedB = db.queryLong("select id from " + table + " where name = 'b'");
        assertThat(two[0].id()).isEqualTo(storedA);
        assertThat(two[1].id()).isEqualTo(storedB).isNotEqualTo(storedA);
        assertThat(flushed.of(two[0])).isEqualTo(onConflict);
        assertThat(flushed.of(two[1])).isEqualTo(UpsertOutcome.INSERTED);
        assertThat(two[0].name).isEqualTo(nothing ? "old" : "new");
        assertThat(names(table)).containsExactlyInAnyOrderEntriesOf(Map.of(storedA, nothing ? "old" : "new", storedB, "b"));

        Row one = jpa.tx(em -> flushed.persist(em, row(type, keys[1], "single")))[0];
        assertThat(one.id()).isEqualTo(storedA);
        assertThat(flushed.of(one)).isEqualTo(onConflict);
        assertThat(one.name).isEqualTo(nothing ? "old" : "single");
        assertThat(names(table)).containsExactlyInAnyOrderEntriesOf(Map.of(storedA, nothing ? "old" : "single", storedB, "b"));
    }

    private static Map<Object, String> names(String table) {
        return EntityMatrix.names(db, table);
    }

    private static Row row(Class<? extends Row> type, Object key, String name) {
        Row row = EntityMatrix.newRow(type, "k", key);
        row.name = name;
        return row;
    }
}
