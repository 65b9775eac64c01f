package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.Map;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.SQLInsert;
import org.hibernate.annotations.SQLUpdate;
import org.hibernate.annotations.TenantId;
import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * Mapping features that would conflict with the generated statement are refused at boot, with a line naming the
 * entity and the fix: {@code @SQLInsert} and {@code @SQLUpdate} (the upsert is the insert, and its {@code DO UPDATE}
 * the update), {@code @Immutable} with an action that updates. {@code @Immutable} get-or-create is supported. The boot
 * advice for a {@code @TenantId} entity without an index names the tenant column.
 */
@PostgresTest
class UpsertCustomSqlAndImmutableIT {

    @Entity @Table(name = "custom_insert") @Upsert(on = "email")
    @SQLInsert(sql = "insert into custom_insert (email, name, id) values (?, ?, ?)")
    static class CustomInsert { @Id @GeneratedValue Long id; @Column(unique = true) String email; String name; }

    @Entity @Table(name = "custom_update") @Upsert(on = "email")
    @SQLUpdate(sql = "update custom_update set email = ?, name = ? where id = ?")
    static class CustomUpdate { @Id @GeneratedValue Long id; @Column(unique = true) String email; String name; }

    @Entity @Table(name = "immutable_update") @Upsert(on = "email") @Immutable
    static class ImmutableUpdate { @Id @GeneratedValue Long id; @Column(unique = true) String email; String name; }

    @Entity @Table(name = "immutable_event") @Upsert(on = "code", action = Upsert.Action.NOTHING) @Immutable
    static class ImmutableEvent {
        @Id @GeneratedValue Long id;
        @Column(unique = true) String code;
        String payload;
        ImmutableEvent() { }
        ImmutableEvent(String code, String payload) { this.code = code; this.payload = payload; }
    }

    @Entity @Table(name = "tenant_no_index") @Upsert(on = "email")
    static class TenantNoIndex { @Id @GeneratedValue Long id; @TenantId String tenant; String email; }

    private static String bootFailure(TestSchema db, Class<?>... entities) {
        Throwable thrown = catchThrowable(() -> new Jpa(db, entities).close());
        assertThat(thrown).as("boot must fail").isNotNull();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals("dev.upsert.internal.settings.UpsertMappingException")) {
                return t.getMessage();
            }
        }
        throw new AssertionError("not refused by the extension", thrown);
    }

    @Test
    void sqlInsertIsRefused(TestSchema db) {
        assertThat(bootFailure(db, CustomInsert.class)).contains("@Upsert on CustomInsert: @SQLInsert", "remove @SQLInsert");
    }

    @Test
    void sqlUpdateIsRefused(TestSchema db) {
        assertThat(bootFailure(db, CustomUpdate.class)).contains("@Upsert on CustomUpdate: @SQLUpdate", "remove @SQLUpdate");
    }

    @Test
    void immutableWithAnUpdatingActionIsRefused(TestSchema db) {
        assertThat(bootFailure(db, ImmutableUpdate.class))
                .contains("@Upsert on ImmutableUpdate: @Immutable", "remove @Immutable");
    }

    /** An event log of write-once rows: the first record of a code is kept, a later one gets the stored row. */
    static final class EventLog {
        private final Jpa jpa;

        EventLog(Jpa jpa) {
            this.jpa = jpa;
        }

        /** Records the events, returning each one's outcome, id and payload as stored. */
        List<List<Object>> record(ImmutableEvent... events) {
            return jpa.tx(em -> {
                for (ImmutableEvent e : events) {
                    em.persist(e);
                }
                em.flush();
                List<List<Object>> stored = new java.util.ArrayList<>();
                for (ImmutableEvent e : events) {
                    stored.add(List.of(Upserts.outcome(em, e).orElseThrow(), e.id, e.payload));
                }
                return stored;
            });
        }
    }

    @Test
    void immutableGetOrCreateWorks(TestSchema db) {
        try (Jpa jpa = new Jpa(db, Map.of("hibernate.jdbc.batch_size", "10"), ImmutableEvent.class)) {
            EventLog log = new EventLog(jpa);
            List<List<Object>> first = log.record(new ImmutableEvent("e1", "first"));
            assertThat(first.get(0).get(0)).isEqualTo(UpsertOutcome.INSERTED);
            Object id = first.get(0).get(1);
            List<List<Object>> again = log.record(new ImmutableEvent("e1", "second"), new ImmutableEvent("e2", "other"));
            assertThat(again.get(0)).containsExactly(UpsertOutcome.SKIPPED, id, "first");
            assertThat(again.get(1).get(0)).isEqualTo(UpsertOutcome.INSERTED);
            // the same instance is read back in the transaction that recorded it, and a commit without flush works too
            jpa.run(em -> {
                ImmutableEvent e = new ImmutableEvent("e3", "third");
                em.persist(e);
                assertThat(em.createQuery("select e from " + em.getMetamodel().entity(ImmutableEvent.class).getName() + " e where e.code = 'e3'",
                        ImmutableEvent.class).getSingleResult()).isSameAs(e);
            });
            assertThat(db.query("select code, payload from immutable_event order by code"))
                    .containsExactly(List.of("e1", "first"), List.of("e2", "other"), List.of("e3", "third"));
            assertThat(db.queryValue("select id from immutable_event where code = 'e1'")).isEqualTo(id);
        }
    }

    @Test
    void tenantScopedKeyAdviceNamesTheTenantColumn(TestSchema db) {
        assertThat(bootFailure(db, TenantNoIndex.class))
                .contains("@Upsert on TenantNoIndex:", "(tenant, email)")
                .doesNotContain("tenant_no_index (email)");
    }
}
