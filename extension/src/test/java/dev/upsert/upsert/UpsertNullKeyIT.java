package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;

import jakarta.persistence.Entity;
import jakarta.persistence.EntityExistsException;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * A key holding a NULL: distinct from every other key under a default unique index, so two such instances in one
 * flush are two rows; equal to another NULL under a {@code NULLS NOT DISTINCT} index (PostgreSQL 15+).
 */
@PostgresTest
class UpsertNullKeyIT {

    @Entity(name = "Badge") @Table(name = "badge")
    @Upsert(on = {"site", "code"})
    static class Badge {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "badge_ids")
        @SequenceGenerator(name = "badge_ids", sequenceName = "badge_ids", allocationSize = 50)
        Long id;
        String site;
        String code;
        String label;

        Badge() {
        }

        Badge(String site, String code, String label) {
            this.site = site;
            this.code = code;
            this.label = label;
        }
    }

    @Entity(name = "Tag") @Table(name = "tag")
    @Upsert(on = {"site", "code"})
    static class Tag {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "tag_ids")
        @SequenceGenerator(name = "tag_ids", sequenceName = "tag_ids", allocationSize = 50)
        Long id;
        String site;
        String code;
        String label;

        Tag() {
        }

        Tag(String site, String code, String label) {
            this.site = site;
            this.code = code;
            this.label = label;
        }
    }

    static TestSchema db;
    static Jpa distinct;
    static Jpa notDistinct;

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        db.execute("create sequence badge_ids increment by 50");
        db.execute("create table badge (id bigint primary key, site text not null, code text, label text)");
        db.execute("create unique index badge_site_code on badge (site, code)");
        distinct = new Jpa(schema, Map.of("jakarta.persistence.schema-generation.database.action", "none",
                "hibernate.jdbc.batch_size", "20"), Badge.class);
        if (serverVersion() >= 15) {
            db.execute("create sequence tag_ids increment by 50");
            db.execute("create table tag (id bigint primary key, site text not null, code text, label text)");
            db.execute("create unique index tag_site_code on tag (site, code) nulls not distinct");
            notDistinct = new Jpa(schema, Map.of("jakarta.persistence.schema-generation.database.action", "none",
                    "hibernate.jdbc.batch_size", "20"), Tag.class);
        }
    }

    @AfterAll
    static void close() {
        distinct.close();
        if (notDistinct != null) {
            notDistinct.close();
        }
    }

    private static int serverVersion() {
        return (int) (db.queryLong("select current_setting('server_version_num')::int") / 10_000);
    }

    @Test
    void twoNullKeysInOneFlushAreTwoRows() {
        List<UpsertOutcome> outcomes = distinct.tx(em -> {
            var a = new Badge("hq", null, "A");
            var b = new Badge("hq", null, "B");
            em.persist(a);
            em.persist(b);
            em.flush();
            return List.of(Upserts.outcome(em, a).orElseThrow(), Upserts.outcome(em, b).orElseThrow());
        });
        assertThat(outcomes).containsExactly(UpsertOutcome.INSERTED, UpsertOutcome.INSERTED);
        assertThat(db.query("select site, code, label from badge where site = 'hq' order by label"))
                .containsExactly(java.util.Arrays.asList("hq", null, "A"), java.util.Arrays.asList("hq", null, "B"));
    }

    @Test
    void aNullKeyNeverConflictsWithAStoredOne() {
        distinct.run(em -> em.persist(new Badge("lab", null, "first")));
        distinct.run(em -> em.persist(new Badge("lab", null, "second")));
        assertThat(db.queryLong("select count(*) from badge where site = 'lab' and code is null")).isEqualTo(2);
    }

    @Test
    void nullsNotDistinctMakesANullKeyConflict() {
        assumeTrue(notDistinct != null, "NULLS NOT DISTINCT needs PostgreSQL 15+");
        notDistinct.run(em -> em.persist(new Tag("hq", null, "first")));
        long id = db.queryLong("select id from tag where site = 'hq'");
        Tag again = notDistinct.tx(em -> {
            var t = new Tag("hq", null, "second");
            em.persist(t);
            em.flush();
            assertThat(Upserts.outcome(em, t)).contains(UpsertOutcome.UPDATED);
            return t;
        });
        assertThat(again.id).isEqualTo(id);
        assertThat(db.query("select id, label from tag where site = 'hq'")).containsExactly(List.of(id, "second"));
    }

    @Test
    void nullsNotDistinctRefusesTwoNullKeysInOneFlushBeforeSql() {
        assumeTrue(notDistinct != null, "NULLS NOT DISTINCT needs PostgreSQL 15+");
        assertThatThrownBy(() -> notDistinct.run(em -> {
            em.persist(new Tag("lab", null, "A"));
            em.persist(new Tag("lab", null, "B"));
        })).isInstanceOf(EntityExistsException.class).hasMessageContaining("Tag").hasMessageContaining("site, code");
        assertThat(db.queryLong("select count(*) from tag where site = 'lab'")).isZero();
    }
}
