package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.StatementRecorder;

/**
 * IDENTITY ids (by default and ALWAYS) and sequences with {@code allocationSize = 1} are drawn by the upsert statement
 * from the column's (or mapped) sequence, and pooled sequences from blocks shared by the SessionFactory, so their
 * upserts wait for the flush and go out in one statement per chunk, like sequence ids; the stored id is written back.
 * (Round trips and sequence use of one-row transactions: {@link OneRowTransactionIT}.)
 */
@PostgresTest
class IdentityBlockIT {

    static final StatementRecorder prepared = new StatementRecorder();

    /** A tag keyed by a unique code, with a label; the entities below differ in the id and the action. */
    @jakarta.persistence.MappedSuperclass
    abstract static class Tag {
        @jakarta.persistence.Column(unique = true) String code;
        String label;

        Tag() {
        }

        Tag(String code, String label) {
            this.code = code;
            this.label = label;
        }

        abstract Long id();

        String code() {
            return code;
        }

        String label() {
            return label;
        }
    }

    @Entity @Table(name = "tag_by_default")
    @Upsert(on = "code")
    static class ByDefault extends Tag {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        ByDefault() { }
        ByDefault(String code, String label) { super(code, label); }
        @Override Long id() { return id; }
    }

    /** Its table is created by hand ({@code generated always}, with its own unique code). */
    @Entity @Table(name = "tag_always")
    @Upsert(on = "code", action = Upsert.Action.NOTHING)
    @jakarta.persistence.AttributeOverride(name = "code", column = @jakarta.persistence.Column(name = "code"))
    static class Always extends Tag {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        Always() { }
        Always(String code, String label) { super(code, label); }
        @Override Long id() { return id; }
    }

    @Entity @Table(name = "tag_seq1")
    @Upsert(on = "code")
    static class SequenceOfOne extends Tag {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "tag_seq1_ids")
        @SequenceGenerator(name = "tag_seq1_ids", sequenceName = "tag_seq1_ids", allocationSize = 1)
        Long id;
        SequenceOfOne() { }
        SequenceOfOne(String code, String label) { super(code, label); }
        @Override Long id() { return id; }
    }

    /** With a collection: its rows are keyed by the id, so the id must be the row's at persist; Hibernate's IDENTITY path stays. */
    @Entity @Table(name = "tag_with_aliases")
    @Upsert(on = "code")
    static class WithAliases extends Tag {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @jakarta.persistence.ElementCollection
        @jakarta.persistence.CollectionTable(name = "tag_alias", joinColumns = @jakarta.persistence.JoinColumn(name = "tag_id"))
        java.util.Set<String> aliases = new java.util.HashSet<>();
        WithAliases() { }
        WithAliases(String code, String label) { super(code, label); }
        @Override Long id() { return id; }
    }

    @Entity @Table(name = "tag_pooled")
    @Upsert(on = "code")
    static class Pooled extends Tag {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "tag_pooled_ids")
        @SequenceGenerator(name = "tag_pooled_ids", sequenceName = "tag_pooled_ids", allocationSize = 50)
        Long id;
        Pooled() { }
        Pooled(String code, String label) { super(code, label); }
        @Override Long id() { return id; }
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "50",
            "hibernate.session_factory.statement_inspector", prepared,
            "jakarta.persistence.schema-generation.database.action", "create"),
            ByDefault.class, Always.class, SequenceOfOne.class, WithAliases.class, Pooled.class)
            .preparing(db -> db.execute("create table tag_always (id bigint generated always as identity primary key, code text not null unique, label text)"));
    static TestSchema db;

    /** The sequence tables take their ids from the generator's sequence when a row is inserted by SQL alone. */
    @BeforeAll
    static void sequencesAsColumnDefaults() {
        db = jpa.db();
        db.execute("alter table tag_seq1 alter column id set default nextval('tag_seq1_ids')");
        db.execute("alter table tag_pooled alter column id set default nextval('tag_pooled_ids')");
    }

    @BeforeEach
    void empty() {
        db.execute("truncate tag_by_default, tag_always, tag_seq1, tag_pooled");
    }

    /**
     * A block lives only as long as its transaction: after {@code truncate ... restart identity} (how tests reset
     * tables) and rows inserted through the column's default, the next transaction's ids come from the reset sequence,
     * not from ids fetched before it, so nothing collides.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tag_by_default", "tag_always", "tag_seq1", "tag_pooled"})
    void idsFetchedBeforeASequenceResetAreNeverHandedOutAfterIt(String table) {
        jpa.run(em -> em.persist(tag(table, "before", "x")));  // fetches a block, uses one id of it
        db.execute("truncate " + table + " restart identity");
        if (table.equals("tag_pooled") || table.equals("tag_seq1")) {
            db.execute("select setval('" + table + "_ids', 1, false)");  // a mapped sequence, not owned by the column
        }
        for (int i = 0; i < 3; i++) {
            db.execute("insert into " + table + " (code, label) values ('plain" + i + "', 'default id')");
        }
        List<Tag> tags = new ArrayList<>();
        jpa.run(em -> {
            for (int i = 0; i < 5; i++) {
                Tag tag = tag(table, "after" + i, "new");
                em.persist(tag);
                tags.add(tag);
            }
        });
        Map<String, Long> rows = ids(table);
        assertThat(rows).hasSize(8);
        for (Tag tag : tags) {
            assertThat(tag.id()).as(tag.code()).isEqualTo(rows.get(tag.code()));
        }
    }

    private static Tag tag(String table, String code, String label) {
        return switch (table) {
            case "tag_by_default" -> new ByDefault(code, label);
            case "tag_always" -> new Always(code, label);
            case "tag_pooled" -> new Pooled(code, label);
            default -> new SequenceOfOne(code, label);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"tag_by_default", "tag_always", "tag_seq1", "tag_pooled"})
    void idsComeInBlocksAndTheUpsertsOfAFlushAreOneStatement(String table) {
        for (int i = 0; i < 100; i += 2) {
            db.execute("insert into " + table + " (code, label) values ('c" + i + "', 'seeded')");
        }
        Map<String, Long> seeded = ids(table);
        prepared.clear();

        List<Tag> tags = new ArrayList<>();
        Map<Tag, UpsertOutcome> outcomes = new HashMap<>();
        jpa.run(em -> {
            for (int i = 99; i >= 0; i--) {
                Tag tag = switch (table) {
                    case "tag_by_default" -> new ByDefault("c" + i, "new");
                    case "tag_always" -> new Always("c" + i, "new");
                    case "tag_pooled" -> new Pooled("c" + i, "new");
                    default -> new SequenceOfOne("c" + i, "new");
                };
                em.persist(tag);
                tags.add(tag);
            }
            assertThat(prepared).noneMatch(sql -> sql.contains("insert into"));  // nothing written before the flush
            em.flush();
            tags.forEach(t -> outcomes.put(t, Upserts.outcome(em, t).orElseThrow()));
        });

        List<String> upserts = prepared.stream().filter(sql -> sql.contains("insert into")).toList();
        assertThat(upserts).singleElement().asString().contains(" from unnest(");
        // blocks, not one id per row: the first fetch is as large as the last transaction's use, then 50, 100, ...
        assertThat(prepared.stream().filter(sql -> sql.startsWith("select nextval("))).hasSizeLessThanOrEqualTo(3);
        if (table.equals("tag_always")) {
            assertThat(upserts.get(0)).contains("overriding system value");
        }
        Map<String, Long> rows = ids(table);
        assertThat(rows).hasSize(100);
        for (Tag tag : tags) {
            int i = Integer.parseInt(tag.code().substring(1));
            assertThat(tag.id()).as(tag.code()).isEqualTo(rows.get(tag.code()));
            if (i % 2 == 0) {
                assertThat(tag.id()).isEqualTo(seeded.get(tag.code()));
            }
            boolean nothing = table.equals("tag_always");
            assertThat(tag.label()).isEqualTo(nothing && i % 2 == 0 ? "seeded" : "new");
            assertThat(outcomes.get(tag)).isEqualTo(i % 2 == 1 ? UpsertOutcome.INSERTED
                    : nothing ? UpsertOutcome.SKIPPED : UpsertOutcome.UPDATED);
        }
        assertThat(db.queryLong("select count(*) from " + table + " where label = 'new'")).isEqualTo(table.equals("tag_always") ? 50 : 100);
    }

    /**
     * What docs/upsert.md ("Ids") says about ids before the flush: null (the proposed id, which for an existing key is
     * not the row's, stays in the persistence context); after the flush, the stored one.
     */
    @org.junit.jupiter.api.Test
    void beforeTheFlushTheIdIsNullAfterItTheStoredOne() {
        db.execute("insert into tag_by_default (code, label) values ('known', 'seeded')");
        long stored = db.queryLong("select id from tag_by_default where code = 'known'");
        jpa.run(em -> {
            ByDefault tag = new ByDefault("known", "again");
            em.persist(tag);
            assertThat(tag.id).isNull();
            em.flush();
            assertThat(tag.id).isEqualTo(stored);
            assertThat(em.find(ByDefault.class, stored)).isSameAs(tag);
        });
        assertThat(db.query("select id, label from tag_by_default where code = 'known'")).containsExactly(List.of(stored, "again"));
    }

    @org.junit.jupiter.api.Test
    void anIdentityEntityWithACollectionKeepsTheStatementAtPersist() {
        db.execute("insert into tag_with_aliases (code, label) values ('kept', 'seeded')");
        long stored = db.queryLong("select id from tag_with_aliases where code = 'kept'");
        prepared.clear();
        jpa.run(em -> {
            WithAliases tag = new WithAliases("kept", "again");
            tag.aliases.add("k");
            em.persist(tag);
            assertThat(tag.id).isEqualTo(stored);   // the statement ran at persist and returned the stored id
            assertThat(prepared).anyMatch(sql -> sql.startsWith("insert into") && sql.contains("on conflict"));
            assertThat(prepared).noneMatch(sql -> sql.contains("nextval("));
        });
        assertThat(db.query("select id, label from tag_with_aliases")).containsExactly(List.of(stored, "again"));
        assertThat(db.queryLong("select count(*) from tag_alias where tag_id = " + stored)).isEqualTo(1);
    }

    private static Map<String, Long> ids(String table) {
        Map<String, Long> ids = new HashMap<>();
        db.query("select code, id from " + table).forEach(r -> ids.put((String) r.get(0), ((Number) r.get(1)).longValue()));
        return ids;
    }
}
