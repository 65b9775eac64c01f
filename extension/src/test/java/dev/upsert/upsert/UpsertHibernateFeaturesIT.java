package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.Session;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.Filter;
import org.hibernate.annotations.FilterDef;
import org.hibernate.annotations.OptimisticLockType;
import org.hibernate.annotations.OptimisticLocking;
import org.hibernate.annotations.ParamDef;
import org.hibernate.annotations.SQLRestriction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;

/**
 * Hibernate mapping features that need no special handling, each as the table in docs/hibernate-features.md states
 * it: what an application sees when it combines them with {@code @Upsert}.
 */
@PostgresTest
class UpsertHibernateFeaturesIT {

    /** A restriction hides archived rows from queries; the conflict target (the unique index) does not. */
    @Entity @Table(name = "hf_restricted", uniqueConstraints = @UniqueConstraint(columnNames = "code"))
    @Upsert(on = "code") @SQLRestriction("archived = false")
    static class Restricted {
        @Id @GeneratedValue Long id;
        String code;
        String name;
        boolean archived;
        Restricted() { }
        Restricted(String code, String name) { this.code = code; this.name = name; }
    }

    /** A filter, enabled per session, hides other regions' rows from queries; inserts ignore filters. */
    @Entity @Table(name = "hf_filtered", uniqueConstraints = @UniqueConstraint(columnNames = "code"))
    @Upsert(on = "code")
    @FilterDef(name = "region", parameters = @ParamDef(name = "region", type = String.class))
    @Filter(name = "region", condition = "region = :region")
    static class Filtered {
        @Id @GeneratedValue Long id;
        String code;
        String region;
        String name;
        Filtered() { }
        Filtered(String code, String region, String name) { this.code = code; this.region = region; this.name = name; }
    }

    /** The two versionless optimistic-locking entities' shape: a key, an overwritten name, a note the upsert excludes. */
    @MappedSuperclass
    abstract static class Locked {
        @Id @GeneratedValue Long id;
        String code;
        String name;
        String note;
        Locked() { }
        Locked(String code, String name, String note) { this.code = code; this.name = name; this.note = note; }
    }

    /** Versionless optimistic locking over every column, with dynamic updates (which ALL and DIRTY require). */
    @Entity @Table(name = "hf_lock_all", uniqueConstraints = @UniqueConstraint(columnNames = "code"))
    @Upsert(on = "code", exclude = "note") @DynamicUpdate @OptimisticLocking(type = OptimisticLockType.ALL)
    static class LockAll extends Locked {
        LockAll() { }
        LockAll(String code, String name, String note) { super(code, name, note); }
    }

    /** Versionless optimistic locking over the changed columns. */
    @Entity @Table(name = "hf_lock_dirty", uniqueConstraints = @UniqueConstraint(columnNames = "code"))
    @Upsert(on = "code", exclude = "note") @DynamicUpdate @OptimisticLocking(type = OptimisticLockType.DIRTY)
    static class LockDirty extends Locked {
        LockDirty() { }
        LockDirty(String code, String name, String note) { super(code, name, note); }
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "20"),
            Restricted.class, Filtered.class, LockAll.class, LockDirty.class);

    @Test
    void aRowHiddenByASqlRestrictionStillConflictsAndIsUpdated() {
        Restricted first = jpa.persisted(new Restricted("R1", "first"));
        jpa.db().execute("update hf_restricted set archived = true where code = 'R1'");
        // the key is taken by the archived row, which queries do not show: that row is updated
        jpa.upsertedOver(first, new Restricted("R1", "second"), UpsertOutcome.UPDATED);
        // every attribute is overwritten by default, archived too: the proposed row (archived = false) is visible again
        assertThat(jpa.db().query("select name, archived from hf_restricted")).containsExactly(List.of("second", false));
    }

    @Test
    void aRowHiddenByAnEnabledFilterStillConflictsAndIsUpdated() {
        Filtered eu = jpa.persisted(new Filtered("F1", "eu", "first"));
        jpa.run(em -> {
            em.unwrap(Session.class).enableFilter("region").setParameter("region", "us");
            var f = new Filtered("F1", "us", "second");
            em.persist(f);
            em.flush();
            assertThat(Upserts.outcome(em, f)).contains(UpsertOutcome.UPDATED);
            assertThat(f.id).isEqualTo(eu.id);
        });
        assertThat(jpa.db().query("select region, name from hf_filtered")).containsExactly(List.of("us", "second"));
    }

    @Test
    void optimisticLockingAllComparesTheStoredRowOnTheNextUpdate() {
        jpa.run(em -> em.persist(new LockAll("A1", "first", "kept")));
        jpa.upserted(new LockAll("A1", "second", "proposed note"), UpsertOutcome.UPDATED, a -> {
            assertThat(a.note).isEqualTo("kept");  // excluded from the update: the stored value comes back
            a.name = "third";  // at the commit: UPDATE ... WHERE id = ? AND code = ? AND name = 'second' AND note = 'kept': one row
        });
        assertThat(jpa.db().query("select name, note from hf_lock_all where code = 'A1'")).containsExactly(List.of("third", "kept"));
    }

    @Test
    void optimisticLockingDirtyComparesTheStoredRowOnTheNextUpdate() {
        jpa.run(em -> em.persist(new LockDirty("D1", "first", "kept")));
        // at the commit: UPDATE ... SET note = ? WHERE id = ? AND note = 'kept'
        jpa.upserted(new LockDirty("D1", "second", "proposed note"), UpsertOutcome.UPDATED, d -> d.note = "changed");
        assertThat(jpa.db().query("select name, note from hf_lock_dirty where code = 'D1'")).containsExactly(List.of("second", "changed"));
    }

    @Test
    void dynamicUpdateWritesOnlyTheChangedColumnAfterTheUpsert() {
        jpa.run(em -> em.persist(new LockDirty("D2", "first", "n1")));
        jpa.db().execute("update hf_lock_dirty set name = 'changed by another writer' where code = 'D2'");
        jpa.upserted(new LockDirty("D2", "mine", "n2"), UpsertOutcome.UPDATED, d -> d.note = "n3");
        // the upsert overwrote name; the later dynamic update wrote note alone
        assertThat(jpa.db().query("select name, note from hf_lock_dirty where code = 'D2'")).containsExactly(List.of("mine", "n3"));
    }
}
