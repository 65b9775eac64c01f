package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * {@code @SoftDelete(strategy = TIMESTAMP)} (Hibernate 7 only, hence in the 7.x test sources): the insert writes
 * NULL (not deleted), and an upsert of a key deleted at some time brings the row back (NULL again).
 */
@PostgresTest
class UpsertSoftDeleteTimestampIT {

    @Entity @Table(name = "sd_note", uniqueConstraints = @UniqueConstraint(columnNames = "slug"))
    @Upsert(on = "slug") @SoftDelete(strategy = SoftDeleteType.TIMESTAMP)
    static class Note {
        @Id @GeneratedValue UUID id;
        String slug;
        String body;
        Note() { }
        Note(String slug, String body) { this.slug = slug; this.body = body; }
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of(), Note.class);

    @Test
    void anUpsertOfAKeyDeletedAtSomeTimeBringsTheRowBack() {
        TestSchema db = jpa.db();
        Note first = jpa.persisted(new Note("hello", "v1"));
        assertThat(db.query("select body, deleted is null from sd_note")).containsExactly(List.of("v1", true));
        jpa.run(em -> em.remove(em.find(Note.class, first.id)));
        assertThat(db.query("select deleted is null from sd_note")).containsExactly(List.of(false));

        jpa.upsertedOver(first, new Note("hello", "v2"), UpsertOutcome.UPDATED);
        assertThat(db.query("select body, deleted is null from sd_note")).containsExactly(List.of("v2", true));
        String body = jpa.tx(em -> em.find(Note.class, first.id).body);
        assertThat(body).isEqualTo("v2");
    }
}
