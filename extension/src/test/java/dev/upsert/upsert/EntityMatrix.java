package dev.upsert.upsert;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.Embeddable;
import jakarta.persistence.Table;

import dev.upsert.testing.TestSchema;

/**
 * What the key-type and partition matrices share: the key values beyond the JDK's (an enum, an embedded composite
 * with a timestamp), and the matrix's entities, one class per case, built by reflection with their case field set and
 * read back from their tables as id to name.
 */
final class EntityMatrix {

    private EntityMatrix() {
    }

    enum Mood { HAPPY, SAD }

    /** A composite key: a tenant and a {@code timestamptz}. */
    @Embeddable
    static class Slot {
        Long tenant;
        OffsetDateTime at;

        Slot() {
        }

        Slot(long tenant, OffsetDateTime at) {
            this.tenant = tenant;
            this.at = at;
        }
    }

    /** A timestamp with fractional seconds at an offset other than UTC: the same instant written at UTC is the same key. */
    static final OffsetDateTime AT = OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 123_000_000, ZoneOffset.ofHours(2));

    /** A new instance of one of the matrix's entity classes (each has a no-argument constructor), with {@code field} set. */
    static <T> T newRow(Class<T> type, String field, Object value) {
        try {
            var constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            T row = constructor.newInstance();
            var declared = type.getDeclaredField(field);
            declared.setAccessible(true);
            declared.set(row, value);
            return row;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static String table(Class<?> type) {
        return type.getAnnotation(Table.class).name();
    }

    /** The table's rows as id (as the driver returns it) to name. */
    static Map<Object, String> names(TestSchema db, String table) {
        Map<Object, String> names = new HashMap<>();
        for (List<Object> r : db.query("select id, name from " + table)) {
            names.put(r.get(0), (String) r.get(1));
        }
        return names;
    }
}
