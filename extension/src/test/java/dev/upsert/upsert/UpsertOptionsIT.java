package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;

import org.hibernate.annotations.NaturalId;
import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

@PostgresTest
class UpsertOptionsIT {

    @Entity @Table(name = "page", uniqueConstraints = @UniqueConstraint(name = "page_tenant_slug_uq", columnNames = {"tenant_id", "slug"}))
    @Upsert(on = {"slug", "tenantId"})
    static class Page {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @Column(name = "tenant_id") long tenantId;
        String slug;
        String title;
        Page() { }
        Page(long tenantId, String slug, String title) { this.tenantId = tenantId; this.slug = slug; this.title = title; }
    }

    @Entity @Table(name = "member")
    @Upsert(on = "email", where = "deleted_at is null")
    static class Member {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String email;
        String name;
        @Column(name = "deleted_at") Instant deletedAt;
        Member() { }
        Member(String email, String name) { this.email = email; this.name = name; }
    }

    @Entity @Table(name = "product", uniqueConstraints = @UniqueConstraint(name = "product_code_key", columnNames = "code"))
    @Upsert(constraint = "product_code_key", skipUnchanged = true)
    static class Product extends CodedEntity {
        @Version int version;
        Product() { }
        Product(String code, String name) { super(code, name); }
    }

    @Entity @Table(name = "reading")
    @Upsert(updateWhere = "excluded.taken_at > reading.taken_at")
    static class Reading {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @NaturalId String sensor;
        double value;
        @Column(name = "taken_at") long takenAt;
        Reading() { }
        Reading(String sensor, double value, long takenAt) { this.sensor = sensor; this.value = value; this.takenAt = takenAt; }
    }

    @Entity @Table(name = "counter", uniqueConstraints = @UniqueConstraint(name = "counter_k_key", columnNames = "k"))
    @Upsert(on = "k")
    static class Counter {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String k;
        @Version long version;
        Counter() { }
        Counter(String k) { this.k = k; }
    }

    private static Jpa jpa(TestSchema db, Class<?>... entities) {
        return new Jpa(db, entities);
    }

    @Test
    void compositeKeyInAnyOrder(TestSchema db) {
        try (Jpa jpa = jpa(db, Page.class)) {
            jpa.run(em -> em.persist(new Page(1, "home", "One")));
            jpa.run(em -> em.persist(new Page(2, "home", "Two")));
            jpa.run(em -> em.persist(new Page(1, "home", "One again")));
            assertThat(db.query("select tenant_id, slug, title from page order by tenant_id"))
                    .containsExactly(List.of(1L, "home", "One again"), List.of(2L, "home", "Two"));
        }
    }

    @Test
    void partialUniqueIndexLetsADeletedEmailSignUpAgain(TestSchema db) {
        db.execute("create table member (id bigserial primary key, email varchar(255), name varchar(255), deleted_at timestamp(6) with time zone);"
                + "create unique index member_email_live_uq on member (email) where deleted_at is null");
        try (Jpa jpa = new Jpa(db, Map.of("jakarta.persistence.schema-generation.database.action", "none"), Member.class)) {
            // ids are read after the flush: until then an IDENTITY id is the proposed one
            long first = jpa.tx(em -> { var m = new Member("pat@x.org", "Pat"); em.persist(m); em.flush(); return m.id; });
            db.execute("update member set deleted_at = now() where id = " + first);
            long second = jpa.tx(em -> { var m = new Member("pat@x.org", "Pat again"); em.persist(m); em.flush(); return m.id; });
            long third = jpa.tx(em -> { var m = new Member("pat@x.org", "Pat third"); em.persist(m); em.flush(); return m.id; });
            assertThat(second).isNotEqualTo(first);
            assertThat(third).isEqualTo(second);
            assertThat(db.queryLong("select count(*) from member where email = 'pat@x.org'")).isEqualTo(2);
            assertThat(db.queryValue("select name from member where deleted_at is null")).isEqualTo("Pat third");
        }
    }

    @Test
    void skipUnchangedLeavesVersionAloneAndReportsSkipped(TestSchema db) {
        try (Jpa jpa = jpa(db, Product.class)) {
            jpa.run(em -> em.persist(new Product("sku-1", "Lamp")));
            UpsertOutcome same = jpa.tx(em -> { var p = new Product("sku-1", "Lamp"); em.persist(p); em.flush(); return Upserts.outcome(em, p).orElseThrow(); });
            UpsertOutcome changed = jpa.tx(em -> { var p = new Product("sku-1", "Desk lamp"); em.persist(p); em.flush(); return Upserts.outcome(em, p).orElseThrow(); });
            assertThat(same).isEqualTo(UpsertOutcome.SKIPPED);
            assertThat(changed).isEqualTo(UpsertOutcome.UPDATED);
            assertThat(db.query("select name, version from product")).containsExactly(List.of("Desk lamp", 1));
        }
    }

    @Test
    void updateWhereNewerWinsAndNaturalIdIsTheDefaultTarget(TestSchema db) {
        try (Jpa jpa = jpa(db, Reading.class)) {
            jpa.run(em -> em.persist(new Reading("s1", 10.0, 100)));
            var stale = jpa.tx(em -> { var r = new Reading("s1", 5.0, 50); em.persist(r); em.flush(); assertThat(Upserts.outcome(em, r)).contains(UpsertOutcome.SKIPPED); return r; });
            assertThat(stale.value).isEqualTo(10.0);            // the stored row came back
            jpa.run(em -> em.persist(new Reading("s1", 20.0, 200)));
            assertThat(db.query("select value, taken_at from reading")).containsExactly(List.of(20.0, 200L));
        }
    }

    @Test
    void eightThreadsFiveHundredPersistsOverFiftyKeysNeverFail(TestSchema db) throws Exception {
        try (Jpa jpa = jpa(db, Counter.class)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    int failures = 0;
                    for (int i = 0; i < 500; i++) {
                        String key = "k" + ThreadLocalRandom.current().nextInt(50);
                        try {
                            jpa.run(em -> em.persist(new Counter(key)));
                        } catch (RuntimeException e) {
                            failures++;
                        }
                    }
                    return failures;
                }));
            }
            int failures = 0;
            for (Future<Integer> f : results) {
                failures += f.get();
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            assertThat(failures).isZero();
            long rows = db.queryLong("select count(*) from counter");
            assertThat(rows).isLessThanOrEqualTo(50).isGreaterThan(40);
            // every upsert after a row's first is one update, so the versions add up to 4,000 - rows
            assertThat(db.queryLong("select sum(version) from counter")).isEqualTo(4000 - rows);
        }
    }
}
