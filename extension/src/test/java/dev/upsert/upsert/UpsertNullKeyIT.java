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
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * A key holding a NULL: distinct from every other key under a default unique index, so two such instances in one
 * flush are two rows; equal to another NULL under a {@code NULLS NOT DISTINCT} index (PostgreSQL 15+).
 */
@PostgresTest
class UpsertNullKeyIT {

    /**
     * A label keyed by (site, code), the code nullable. Badge's table has a default unique index, Tag's a
     * {@code NULLS NOT DISTINCT} one. Ids from Hibernate's default sequence per entity ({@code badge_seq},
     * {@code tag_seq}), in blocks of 50.
     */
    @MappedSuperclass
    abstract static class SiteCode {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        String site;
        String code;
        String label;
    }

    @Entity(name = "Badge") @Table(name = "badge") @Upsert(on = {"site", "code"}) static class Badge extends SiteCode { }
    @Entity(name = "Tag") @Table(name = "tag") @Upsert(on = {"site", "code"}) static class Tag extends SiteCode { }

    static TestSchema db;
    @AutoClose static Jpa distinct;
    /** Null before PostgreSQL 15. */
    @AutoClose static Jpa notDistinct;
    static final FlushedOutcomes flushed = new FlushedOutcomes();

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        db.execute("create sequence badge_seq increment by 50");
        db.execute("create table badge (id bigint primary key, site text not null, code text, label text)");
        db.execute("create unique index badge_site_code on badge (site, code)");
        distinct = new Jpa(schema, Map.of("jakarta.persistence.schema-generation.database.action", "none",
                "hibernate.jdbc.batch_size", "20"), Badge.class);
        if (db.database().serverMajor() >= 15) {
            db.execute("create sequence tag_seq increment by 50");
            db.execute("create table tag (id bigint primary key, site text not null, code text, label text)");
            db.execute("create unique index tag_site_code on tag (site, code) nulls not distinct");
            notDistinct = new Jpa(schema, Map.of("jakarta.persistence.schema-generation.database.action", "none",
                    "hibernate.jdbc.batch_size", "20"), Tag.class);
        }
    }

    @Test
    void twoNullKeysInOneFlushAreTwoRows() {
        Badge[] rows = distinct.tx(em -> flushed.persist(em, row(new Badge(), "hq", null, "A"), row(new Badge(), "hq", null, "B")));
        assertThat(flushed.of(rows)).containsExactly(UpsertOutcome.INSERTED, UpsertOutcome.INSERTED);
        assertThat(db.query("select site, code, label from badge where site = 'hq' order by label"))
                .containsExactly(java.util.Arrays.asList("hq", null, "A"), java.util.Arrays.asList("hq", null, "B"));
    }

    @Test
    void aNullKeyNeverConflictsWithAStoredOne() {
        distinct.run(em -> em.persist(row(new Badge(), "lab", null, "first")));
        distinct.run(em -> em.persist(row(new Badge(), "lab", null, "second")));
        assertThat(db.queryLong("select count(*) from badge where site = 'lab' and code is null")).isEqualTo(2);
    }

    @Test
    void nullsNotDistinctMakesANullKeyConflict() {
        assumeTrue(notDistinct != null, "NULLS NOT DISTINCT needs PostgreSQL 15+");
        notDistinct.run(em -> em.persist(row(new Tag(), "hq", null, "first")));
        long id = db.queryLong("select id from tag where site = 'hq'");
        Tag[] again = notDistinct.tx(em -> flushed.persist(em, row(new Tag(), "hq", null, "second")));
        assertThat(flushed.of(again[0])).isEqualTo(UpsertOutcome.UPDATED);
        assertThat(again[0].id).isEqualTo(id);
        assertThat(db.query("select id, label from tag where site = 'hq'")).containsExactly(List.of(id, "second"));
    }

    @Test
    void nullsNotDistinctRefusesTwoNullKeysInOneFlushBeforeSql() {
        assumeTrue(notDistinct != null, "NULLS NOT DISTINCT needs PostgreSQL 15+");
        assertThatThrownBy(() -> notDistinct.run(em -> {
            em.persist(row(new Tag(), "lab", null, "A"));
            em.persist(row(new Tag(), "lab", null, "B"));
        })).isInstanceOf(EntityExistsException.class).hasMessageContaining("Tag").hasMessageContaining("site, code");
        assertThat(db.queryLong("select count(*) from tag where site = 'lab'")).isZero();
    }

    private static <T extends SiteCode> T row(T row, String site, String code, String label) {
        row.site = site;
        row.code = code;
        row.label = label;
        return row;
    }
}
