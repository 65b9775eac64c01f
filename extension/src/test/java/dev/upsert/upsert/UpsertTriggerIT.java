package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Generated;
import org.hibernate.generator.EventType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * Pins the sentence on triggers in docs/upsert.md: a BEFORE trigger's change reaches the entity in the columns the
 * statement returns (insert-only columns, values mapped as generated); a change to an overwritten column does not,
 * unless the attribute is mapped {@code @Generated(event = {INSERT, UPDATE}, writable = true)}, as with Hibernate's
 * own insert.
 */
@PostgresTest
class UpsertTriggerIT {

    @Entity @Table(name = "trig_plain") @Upsert(on = "email")
    static class Plain {
        @Id @GeneratedValue UUID id;
        String email;
        String name;
        @Column(name = "created_by", updatable = false) String createdBy;
        Plain() { }
        Plain(String email, String name) { this.email = email; this.name = name; this.createdBy = "app"; }
    }

    @Entity @Table(name = "trig_generated") @Upsert(on = "email")
    static class ReadBack {
        @Id @GeneratedValue UUID id;
        String email;
        @Generated(event = {EventType.INSERT, EventType.UPDATE}, writable = true) String name;
        @Column(name = "created_by", updatable = false) String createdBy;
        ReadBack() { }
        ReadBack(String email, String name) { this.email = email; this.name = name; this.createdBy = "app"; }
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("jakarta.persistence.schema-generation.database.action", "none",
            "hibernate.jdbc.batch_size", "50"), Plain.class, ReadBack.class).preparing(UpsertTriggerIT::tablesWithTriggers);

    /** Both tables, each with a BEFORE trigger that upper-cases the name and sets created_by. */
    static void tablesWithTriggers(TestSchema db) {
        db.execute("create function upper_name() returns trigger language plpgsql as $$ begin "
                + "new.name := upper(new.name); new.created_by := 'trigger'; return new; end $$");
        for (String table : List.of("trig_plain", "trig_generated")) {
            db.execute("create table " + table + " (id uuid primary key, email text unique, name text, created_by text);"
                    + "create trigger " + table + "_upper before insert or update on " + table
                    + " for each row execute function upper_name()");
        }
    }

    @Test
    void aBeforeTriggersChangeToAnOverwrittenColumnIsNotReflectedButReturnedColumnsAre() {
        jpa.run(em -> em.persist(new Plain("ann@x.org", "ann")));
        Plain second = jpa.upserted(new Plain("ann@x.org", "ann b"), UpsertOutcome.UPDATED);
        assertThat(jpa.db().query("select name, created_by from trig_plain")).containsExactly(List.of("ANN B", "trigger"));
        assertThat(second.name).isEqualTo("ann b");            // overwritten: the proposed value stays in the entity
        assertThat(second.createdBy).isEqualTo("trigger");     // insert-only, returned by the statement: as stored
    }

    @Test
    void anAttributeMappedAsGeneratedOnInsertAndUpdateComesBackAsTheTriggerLeftIt() {
        ReadBack first = jpa.upserted(new ReadBack("bob@x.org", "bob"), UpsertOutcome.INSERTED);
        assertThat(first.name).isEqualTo("BOB");
        ReadBack second = jpa.upsertedOver(first, new ReadBack("bob@x.org", "bob b"), UpsertOutcome.UPDATED);
        assertThat(second.name).isEqualTo("BOB B");
        assertThat(jpa.db().query("select name from trig_generated")).containsExactly(List.of("BOB B"));
    }
}
