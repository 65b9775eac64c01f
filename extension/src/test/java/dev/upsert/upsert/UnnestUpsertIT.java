package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.CurrentTimestamp;
import org.hibernate.annotations.SourceType;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.StartingGate;
import dev.upsert.testing.jpa.StatementRecorder;
import dev.upsert.testing.jpa.Transactions;

/**
 * Conditional actions ({@code NOTHING}, {@code updateWhere}, {@code skipUnchanged}) send one statement per chunk that
 * returns the stored state of every proposed row, inserted, updated or left alone; rows whose conflicting row the
 * statement's snapshot cannot see are read by one more statement. Entities that {@code UpsertPlan.oneStatementPerChunk}
 * keeps on the {@code VALUES} statements (a write expression) still get the stored row. Checked against the tables.
 */
@PostgresTest
class UnnestUpsertIT {

    static final StatementRecorder prepared = new StatementRecorder(sql -> !sql.startsWith("select nextval("));

    /** Get-or-create keyed by a text and a timestamptz ({@code Instant}): a key the old read-back bound untyped. */
    @Entity @Table(name = "delivery", uniqueConstraints = @UniqueConstraint(name = "delivery_key", columnNames = {"source", "sent_at"}))
    @Upsert(on = {"source", "sentAt"}, action = Upsert.Action.NOTHING)
    static class Delivery extends SequenceId {
        String source;
        @Column(name = "sent_at") Instant sentAt;
        String payload;
        Delivery() { }
        Delivery(String source, Instant sentAt, String payload) { this.source = source; this.sentAt = sentAt; this.payload = payload; }
    }

    /** Newer wins: a false {@code updateWhere} leaves the row alone. */
    @Entity @Table(name = "reading", uniqueConstraints = @UniqueConstraint(name = "reading_sensor_key", columnNames = "sensor"))
    @Upsert(on = "sensor", updateWhere = "excluded.taken_at > reading.taken_at")
    static class Reading extends SequenceId {
        String sensor;
        @Column(name = "taken_at") long takenAt;
        double value;
        Reading() { }
        Reading(String sensor, long takenAt, double value) { this.sensor = sensor; this.takenAt = takenAt; this.value = value; }
    }

    @Entity @Table(name = "profile", uniqueConstraints = @UniqueConstraint(name = "profile_handle_key", columnNames = "handle"))
    @Upsert(on = "handle", skipUnchanged = true)
    static class Profile extends SequenceId {
        String handle;
        String bio;
        @jakarta.persistence.Version int version;
        Profile() { }
        Profile(String handle, String bio) { this.handle = handle; this.bio = bio; }
    }

    /** A {@code @ColumnTransformer} write expression on the key: applied to the unnested element in the one statement. */
    @Entity @Table(name = "tag", uniqueConstraints = @UniqueConstraint(name = "tag_name_key", columnNames = "name"))
    @Upsert(on = "name", action = Upsert.Action.NOTHING)
    static class Tag extends SequenceId {
        @ColumnTransformer(write = "lower(?)") String name;
        String note;
        Tag() { }
        Tag(String name, String note) { this.name = name; this.note = note; }
    }

    /** The same with an unconditional {@code DO UPDATE}: the bare insert from the arrays, rows returned in order. */
    @Entity @Table(name = "label", uniqueConstraints = @UniqueConstraint(name = "label_name_key", columnNames = "name"))
    @Upsert(on = "name")
    static class Label extends SequenceId {
        @ColumnTransformer(write = "lower(?)") String name;
        String color;
        Label() { }
        Label(String name, String color) { this.name = name; this.color = color; }
    }

    /** A value the database generates on execution: written as its SQL inside the one statement, on insert and update. */
    @Entity @Table(name = "visit", uniqueConstraints = @UniqueConstraint(name = "visit_page_key", columnNames = "page"))
    @Upsert(on = "page", skipUnchanged = true)
    static class Visit extends SequenceId {
        String page;
        String title;
        @CurrentTimestamp(source = SourceType.DB) @Column(name = "seen_at") Instant seenAt;
        Visit() { }
        Visit(String page, String title) { this.page = page; this.title = title; }
    }

    static TestSchema db;
    @AutoClose static PooledJpa jpa;

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        jpa = new PooledJpa(schema, "upsert-unnest-" + schema.name(), 10, "", c -> { }, "drop-and-create",
                Map.of("hibernate.jdbc.batch_size", "50", "hibernate.session_factory.statement_inspector", prepared),
                Delivery.class, Reading.class, Profile.class, Tag.class, Label.class, Visit.class);
    }

    @BeforeEach
    void empty() {
        db.execute("truncate delivery, reading, profile, tag, label, visit");
        prepared.clear();
    }

    @Test
    void getOrCreateIsOneStatementThatHandsBackEveryStoredId() {
        Instant t0 = Instant.parse("2024-06-01T10:00:00.123456Z");
        inTransaction(em -> {
            for (int i = 0; i < 300; i += 2) {
                em.persist(new Delivery("src" + i, t0.plusSeconds(i), "first"));
            }
        });
        Map<String, Long> stored = ids("select source, id from delivery");
        prepared.clear();

        List<Delivery> received = new ArrayList<>();
        Map<Delivery, UpsertOutcome> outcomes = new HashMap<>();
        inTransaction(em -> {
            for (int i = 299; i >= 0; i--) {
                Delivery d = new Delivery("src" + i, t0.plusSeconds(i), "second");
                em.persist(d);
                received.add(d);
            }
            em.flush();
            received.forEach(d -> outcomes.put(d, Upserts.outcome(em, d).orElseThrow()));
        });

        assertThat(prepared).hasSize(1);
        assertThat(prepared.statements().get(0)).startsWith("with upsert_proposed as").contains("do nothing");
        Map<String, Long> rows = ids("select source, id from delivery");
        assertThat(rows).hasSize(300);
        for (Delivery d : received) {
            int i = Integer.parseInt(d.source.substring(3));
            assertThat(d.id).as(d.source).isEqualTo(rows.get(d.source));
            if (i % 2 == 0) {
                assertThat(d.id).isEqualTo(stored.get(d.source));
                assertThat(d.payload).isEqualTo("first");
                assertThat(outcomes.get(d)).isEqualTo(UpsertOutcome.SKIPPED);
            } else {
                assertThat(d.payload).isEqualTo("second");
                assertThat(outcomes.get(d)).isEqualTo(UpsertOutcome.INSERTED);
            }
        }
        assertThat(db.queryLong("select count(*) from delivery where payload = 'first'")).isEqualTo(150);
        assertThat(db.queryLong("select count(*) from delivery where (source, sent_at) = ('src7', '2024-06-01T10:00:07.123456Z')"))
                .isEqualTo(1);
    }

    @Test
    void updateWhereAndSkipUnchangedAreOneStatementEachAndWriteTheStoredRowBack() {
        inTransaction(em -> {
            for (int i = 0; i < 40; i++) {
                em.persist(new Reading("s" + i, 100, 1.0));
                em.persist(new Profile("h" + i, "bio" + i));
            }
        });
        prepared.clear();
        List<Reading> readings = new ArrayList<>();
        List<Profile> profiles = new ArrayList<>();
        Map<Object, UpsertOutcome> outcomes = new HashMap<>();
        inTransaction(em -> {
            for (int i = 0; i < 60; i++) {
                Reading r = new Reading("s" + i, i % 2 == 0 ? 50 : 200, 2.0);  // even: older, left alone
                Profile p = new Profile("h" + i, i % 3 == 0 ? "bio" + i : "new" + i);  // every third unchanged
                em.persist(r);
                em.persist(p);
                readings.add(r);
                profiles.add(p);
            }
            em.flush();
            readings.forEach(r -> outcomes.put(r, Upserts.outcome(em, r).orElseThrow()));
            profiles.forEach(p -> outcomes.put(p, Upserts.outcome(em, p).orElseThrow()));
        });
        assertThat(prepared).hasSize(2).allMatch(sql -> sql.startsWith("with upsert_proposed as"));

        Map<String, Long> readingIds = ids("select sensor, id from reading");
        for (int i = 0; i < 60; i++) {
            Reading r = readings.get(i);
            assertThat(r.id).isEqualTo(readingIds.get(r.sensor));
            boolean existed = i < 40;
            boolean kept = existed && i % 2 == 0;
            assertThat(r.takenAt).as(r.sensor).isEqualTo(kept ? 100 : i % 2 == 0 ? 50 : 200);
            assertThat(r.value).isEqualTo(kept ? 1.0 : 2.0);
            assertThat(outcomes.get(r)).isEqualTo(!existed ? UpsertOutcome.INSERTED : kept ? UpsertOutcome.SKIPPED : UpsertOutcome.UPDATED);
            assertThat(db.query("select taken_at, value from reading where sensor = '" + r.sensor + "'"))
                    .containsExactly(List.of(r.takenAt, r.value));
        }
        Map<String, Long> profileIds = ids("select handle, id from profile");
        for (int i = 0; i < 60; i++) {
            Profile p = profiles.get(i);
            boolean existed = i < 40;
            boolean unchanged = existed && i % 3 == 0;
            assertThat(p.id).isEqualTo(profileIds.get(p.handle));
            assertThat(p.version).as(p.handle).isEqualTo(existed && !unchanged ? 1 : 0);
            assertThat(outcomes.get(p)).isEqualTo(!existed ? UpsertOutcome.INSERTED : unchanged ? UpsertOutcome.SKIPPED : UpsertOutcome.UPDATED);
            assertThat(db.query("select bio, version from profile where handle = '" + p.handle + "'"))
                    .containsExactly(List.of(p.bio, p.version));
        }
    }

    /** UpsertPlan.oneStatementPerChunk: a write expression and a database value both go into the one statement. */
    @Test
    void writeExpressionsAndDatabaseValuesGoIntoTheOneStatement() {
        inTransaction(em -> em.persist(new Tag("news", "first")));
        long storedNews = ids("select name, id from tag").get("news");
        prepared.clear();
        List<Tag> tags = new ArrayList<>();
        inTransaction(em -> {
            for (String name : List.of("NEWS", "Sport", "tech")) {
                Tag t = new Tag(name, "second");
                em.persist(t);
                tags.add(t);
            }
        });
        assertThat(prepared).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("with upsert_proposed").contains("lower((upsert_u.name))").contains("do nothing");
        Map<String, Long> tagIds = ids("select name, id from tag");
        assertThat(tagIds).containsOnlyKeys("news", "sport", "tech");
        assertThat(tags).allSatisfy(t -> assertThat(t.id).as(t.name).isEqualTo(tagIds.get(t.name.toLowerCase(java.util.Locale.ROOT))));
        assertThat(tags.get(0).id).isEqualTo(storedNews);
        assertThat(tags.get(0).note).isEqualTo("first");
        assertThat(db.query("select note from tag where name = 'news'")).containsExactly(List.of("first"));

        inTransaction(em -> em.persist(new Label("red", "first")));
        long storedRed = ids("select name, id from label").get("red");
        prepared.clear();
        List<Label> labels = new ArrayList<>();
        Map<Label, UpsertOutcome> labelOutcomes = new HashMap<>();
        inTransaction(em -> {
            for (String name : List.of("RED", "Green", "blue")) {
                Label l = new Label(name, "second");
                em.persist(l);
                labels.add(l);
            }
            em.flush();
            labels.forEach(l -> labelOutcomes.put(l, Upserts.outcome(em, l).orElseThrow()));
        });
        assertThat(prepared).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("insert into").contains("lower((upsert_u.name))").contains(" from unnest(").doesNotContain("values");
        Map<String, Long> labelIds = ids("select name, id from label");
        assertThat(labelIds).containsOnlyKeys("red", "green", "blue");
        assertThat(labels).allSatisfy(l -> assertThat(l.id).as(l.name).isEqualTo(labelIds.get(l.name.toLowerCase(java.util.Locale.ROOT))));
        assertThat(labels.get(0).id).isEqualTo(storedRed);
        assertThat(labelOutcomes.get(labels.get(0))).isEqualTo(UpsertOutcome.UPDATED);
        assertThat(labelOutcomes.get(labels.get(1))).isEqualTo(UpsertOutcome.INSERTED);
        assertThat(db.query("select color from label where name = 'red'")).containsExactly(List.of("second"));

        inTransaction(em -> em.persist(new Visit("/a", "A")));
        prepared.clear();
        List<Visit> visits = new ArrayList<>();
        Map<Visit, UpsertOutcome> outcomes = new HashMap<>();
        inTransaction(em -> {
            for (String[] v : List.of(new String[] {"/a", "A"}, new String[] {"/b", "B"}, new String[] {"/c", "C"})) {
                Visit visit = new Visit(v[0], v[1]);
                em.persist(visit);
                visits.add(visit);
            }
            em.flush();
            visits.forEach(v -> outcomes.put(v, Upserts.outcome(em, v).orElseThrow()));
        });
        assertThat(prepared).hasSize(1);
        assertThat(prepared.statements().get(0)).startsWith("with upsert_proposed as")
                .contains(" as upsert_u(upsert_ord, page, title, id))")                // seen_at is not an array: its SQL is written
                .contains("insert into " + db.name() + ".visit (page, seen_at, title, id) select page, ")
                .contains("seen_at = ");                                         // and it runs again in DO UPDATE
        assertThat(outcomes.values()).containsExactlyInAnyOrder(UpsertOutcome.SKIPPED, UpsertOutcome.INSERTED, UpsertOutcome.INSERTED);
        assertThat(outcomes.get(visits.get(0))).isEqualTo(UpsertOutcome.SKIPPED);
        Map<String, Long> visitIds = ids("select page, id from visit");
        for (Visit v : visits) {
            assertThat(v.id).as(v.page).isEqualTo(visitIds.get(v.page));
            assertThat(v.seenAt).as(v.page).isNotNull();
            assertThat(db.queryLong("select count(*) from visit where page = '" + v.page + "' and seen_at = timestamptz '" + v.seenAt + "'"))
                    .as(v.page + " holds the stored seen_at").isEqualTo(1);
        }
    }

    /**
     * Another transaction inserts a key and holds it uncommitted; our statement waits on that key, and when the other
     * commits, {@code DO NOTHING} skips the row, which our statement's snapshot (taken before) cannot see. One more
     * statement reads it: the entity holds the committed row's id.
     */
    @Test
    void aConflictingRowCommittedWhileTheStatementWaitedIsReadByOneMoreStatement() throws Exception {
        Instant at = Instant.parse("2024-01-01T00:00:00Z");
        EntityManager theirs = jpa.open();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            theirs.getTransaction().begin();
            Delivery their = new Delivery("raced", at, "theirs");
            theirs.persist(their);
            theirs.flush();
            prepared.clear();

            List<Delivery> ours = new ArrayList<>();
            Future<?> flush = executor.submit(() -> inTransaction(em -> {
                for (String source : List.of("alpha", "raced", "zulu")) {
                    Delivery d = new Delivery(source, at, "ours");
                    em.persist(d);
                    ours.add(d);
                }
            }));
            waitUntilABackendWaitsForALock();
            theirs.getTransaction().commit();
            flush.get(30, TimeUnit.SECONDS);

            assertThat(prepared).hasSize(2);
            assertThat(prepared.statements().get(1)).startsWith("with upsert_proposed as").doesNotContain("insert into");
            Map<String, Long> rows = ids("select source, id from delivery");
            assertThat(rows).hasSize(3);
            assertThat(ours).allSatisfy(d -> assertThat(d.id).as(d.source).isEqualTo(rows.get(d.source)));
            assertThat(ours.get(1).id).isEqualTo(their.id);
            assertThat(ours.get(1).payload).isEqualTo("theirs");
            assertThat(db.query("select payload from delivery where source = 'raced'")).containsExactly(List.of("theirs"));
        } finally {
            executor.shutdownNow();
            if (theirs.getTransaction().isActive()) {
                theirs.getTransaction().rollback();
            }
            theirs.close();
        }
    }

    /** Get-or-create under contention: 8 threads, 50 shared keys; every entity ends up holding its row's id. */
    @Test
    void eightThreadsGetOrCreateFiftySharedKeysAndEveryEntityHoldsItsRowsId() throws Exception {
        Instant at = Instant.parse("2024-02-02T00:00:00Z");
        Map<String, List<Long>> handedBack = new ConcurrentHashMap<>();
        StartingGate.run(8, Duration.ofMinutes(2), thread -> {
            Random random = new Random(99 + thread);
            for (int x = 0; x < 40; x++) {
                List<Integer> keys = new ArrayList<>();
                for (int k = 0; k < 50; k++) {
                    keys.add(k);
                }
                Collections.shuffle(keys, random);
                List<Delivery> mine = new ArrayList<>();
                String payload = "t" + thread + "x" + x;
                inTransaction(em -> {
                    for (int k : keys.subList(0, 10)) {
                        Delivery d = new Delivery("key" + k, at, payload);
                        em.persist(d);
                        mine.add(d);
                    }
                });
                mine.forEach(d -> handedBack.computeIfAbsent(d.source, s -> Collections.synchronizedList(new ArrayList<>())).add(d.id));
            }
            return null;
        });
        Map<String, Long> rows = ids("select source, id from delivery");
        assertThat(rows.keySet()).isEqualTo(handedBack.keySet());
        assertThat(handedBack.values().stream().mapToInt(List::size).sum()).isEqualTo(8 * 40 * 10);
        handedBack.forEach((source, ids) -> assertThat(ids).as(source).containsOnly(rows.get(source)));
    }

    private static void inTransaction(java.util.function.Consumer<EntityManager> work) {
        Transactions.runInTransaction(jpa.factory, work);
    }

    private static Map<String, Long> ids(String sql) {
        Map<String, Long> ids = new HashMap<>();
        db.query(sql).forEach(r -> ids.put((String) r.get(0), ((Number) r.get(1)).longValue()));
        return ids;
    }

    private static void waitUntilABackendWaitsForALock() throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (db.queryLong("select count(*) from pg_stat_activity where application_name = '" + jpa.applicationName
                    + "' and wait_event_type = 'Lock'") > 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("our statement never waited for the other transaction's key");
    }
}
