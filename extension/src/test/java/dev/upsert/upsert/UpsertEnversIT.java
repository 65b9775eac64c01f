package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.envers.AuditReaderFactory;
import org.hibernate.envers.Audited;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;

/**
 * Envers audits the stored row, never a proposed one: an upsert that inserted is an ADD of the stored id, one that
 * updated is a MOD of the stored row's id in the transaction's revision, one that left the row alone (get-or-create
 * of an existing key) is no audit row at all. Single rows, flush batches, and IDENTITY entities with an element
 * collection (whose upsert runs at {@code persist}); the audit tables are read with SQL and through Envers' reader.
 */
@PostgresTest
class UpsertEnversIT {

    /** Every audited entity's shape: a unique email and a name (audited with the entity, as the superclass says). */
    @MappedSuperclass @Audited
    abstract static class Person {
        String email;
        String name;
        Person() { }
        Person(String email, String name) { this.email = email; this.name = name; }
    }

    /** Sequence ids, one sequence for both tables in blocks of 50: the upsert runs at the flush. */
    @MappedSuperclass @Audited
    abstract static class Sequenced extends Person {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "env_ids")
        @SequenceGenerator(name = "env_ids", sequenceName = "env_ids", allocationSize = 50)
        Long id;
        Sequenced() { }
        Sequenced(String email, String name) { super(email, name); }
    }

    /** IDENTITY ids with an element collection ({entity}_tags): the upsert runs at persist, the collection at flush. */
    @MappedSuperclass @Audited
    abstract static class Tagged extends Person {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @ElementCollection @Column(name = "tag") Set<String> tags = new HashSet<>();
        Tagged() { }
        Tagged(String email, String name, String... tags) { super(email, name); this.tags.addAll(List.of(tags)); }
    }

    @Entity(name = "EnvSeq") @Table(name = "env_seq", uniqueConstraints = @UniqueConstraint(name = "env_seq_email_key", columnNames = "email"))
    @Audited @Upsert(on = "email")
    static class Account extends Sequenced {
        Account() { }
        Account(String email, String name) { super(email, name); }
    }

    /** Get-or-create: a conflict leaves the stored row alone. */
    @Entity(name = "EnvKeep") @Table(name = "env_keep", uniqueConstraints = @UniqueConstraint(name = "env_keep_email_key", columnNames = "email"))
    @Audited @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class Member extends Sequenced {
        Member() { }
        Member(String email, String name) { super(email, name); }
    }

    @Entity(name = "EnvTagged") @Table(name = "env_tagged", uniqueConstraints = @UniqueConstraint(name = "env_tagged_email_key", columnNames = "email"))
    @Audited @Upsert(on = "email")
    static class TaggedAccount extends Tagged {
        TaggedAccount() { }
        TaggedAccount(String email, String name, String... tags) { super(email, name, tags); }
    }

    @Entity(name = "EnvTaggedKeep") @Table(name = "env_tagged_keep", uniqueConstraints = @UniqueConstraint(name = "env_tagged_keep_email_key", columnNames = "email"))
    @Audited @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class TaggedMember extends Tagged {
        TaggedMember() { }
        TaggedMember(String email, String name, String... tags) { super(email, name, tags); }
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "20"),
            Account.class, Member.class, TaggedAccount.class, TaggedMember.class);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static String email(String what) {
        return what + "-" + SEQ.incrementAndGet() + "@x.org";
    }

    private long revisions() {
        return jpa.db().queryLong("select count(*) from revinfo");
    }

    /** (id, revtype, name) of the audit rows of {@code email}, oldest first. */
    private List<List<Object>> audit(String table, String email) {
        return jpa.db().query("select id, revtype, name from " + table + "_aud where email = '" + email + "' order by rev");
    }

    /** Stores {@code entity} (a new key) in a transaction of its own; returns the id of its row in {@code table}. */
    private long stored(Person entity, String table) {
        jpa.persisted(entity);
        return idOf(table, entity.email);
    }

    private long idOf(String table, String email) {
        return jpa.db().queryLong("select id from " + table + " where email = '" + email + "'");
    }

    @Test
    void insertedIsAnAddOfTheStoredId() {
        String email = email("ins");
        Account account = jpa.upserted(new Account(email, "Ann"), UpsertOutcome.INSERTED);
        assertThat(audit("env_seq", email)).containsExactly(List.of(account.id, 0, "Ann"));
        assertThat(account.id).isEqualTo(idOf("env_seq", email));
    }

    /** A stored key upserted again: by action, the outcome, the stored row's audit names (ADD, then MOD), new revisions. */
    static Stream<Arguments> conflicts() {
        return Stream.of(
                arguments("updated is a MOD of the stored row in the same revision", (BiFunction<String, String, Sequenced>) Account::new,
                        "env_seq", UpsertOutcome.UPDATED, List.of("Ann", "Anna"), 1),
                arguments("skipped writes no audit row and no revision", (BiFunction<String, String, Sequenced>) Member::new,
                        "env_keep", UpsertOutcome.SKIPPED, List.of("Ann"), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conflicts")
    void aConflictIsAuditedByItsOutcome(String scenario, BiFunction<String, String, Sequenced> make, String table,
                                        UpsertOutcome outcome, List<String> auditedNames, int newRevisions) {
        String email = email(table);
        Sequenced first = make.apply(email, "Ann");
        long stored = stored(first, table);
        long before = revisions();

        jpa.upserted(make.apply(email, "Anna"), outcome);

        List<List<Object>> expected = new ArrayList<>();
        for (int revtype = 0; revtype < auditedNames.size(); revtype++) {
            expected.add(List.of(stored, revtype, auditedNames.get(revtype)));
        }
        assertThat(audit(table, email)).containsExactlyElementsOf(expected);
        assertThat(revisions()).isEqualTo(before + newRevisions);
        assertThat(jpa.db().queryLong("select count(*) from " + table + "_aud where id <> " + stored + " and email = '" + email + "'")).isZero();
        List<Number> revisions = jpa.tx(em -> AuditReaderFactory.get(em).getRevisions(first.getClass(), stored));
        assertThat(revisions).hasSize(auditedNames.size());
    }

    @Test
    void updatedThenChangedInOneTransactionIsOneModWithTheLastState() {
        String email = email("updchg");
        long stored = stored(new Account(email, "Ann"), "env_seq");

        jpa.upserted(new Account(email, "Anna"), UpsertOutcome.UPDATED, again -> again.name = "Annabel");

        assertThat(audit("env_seq", email)).containsExactly(List.of(stored, 0, "Ann"), List.of(stored, 1, "Annabel"));
    }

    @Test
    void aBatchAuditsEachRowByItsOutcome() {
        String existing1 = email("b1");
        String existing2 = email("b2");
        String fresh = email("b3");
        String keptExisting = email("k1");
        String keptFresh = email("k2");
        jpa.run(em -> {
            em.persist(new Account(existing1, "One"));
            em.persist(new Account(existing2, "Two"));
            em.persist(new Member(keptExisting, "Kept"));
        });
        long id1 = idOf("env_seq", existing1);
        long id2 = idOf("env_seq", existing2);
        long keptId = idOf("env_keep", keptExisting);

        jpa.run(em -> {
            em.persist(new Account(fresh, "Three"));
            em.persist(new Account(existing2, "Two'"));
            em.persist(new Member(keptExisting, "Kept'"));
            em.persist(new Account(existing1, "One'"));
            em.persist(new Member(keptFresh, "New"));
        });
        long freshId = idOf("env_seq", fresh);
        long keptFreshId = idOf("env_keep", keptFresh);

        assertThat(audit("env_seq", existing1)).containsExactly(List.of(id1, 0, "One"), List.of(id1, 1, "One'"));
        assertThat(audit("env_seq", existing2)).containsExactly(List.of(id2, 0, "Two"), List.of(id2, 1, "Two'"));
        assertThat(audit("env_seq", fresh)).containsExactly(List.of(freshId, 0, "Three"));
        assertThat(audit("env_keep", keptExisting)).containsExactly(List.of(keptId, 0, "Kept"));
        assertThat(audit("env_keep", keptFresh)).containsExactly(List.of(keptFreshId, 0, "New"));
        // the batch's three changes are one revision
        assertThat(jpa.db().queryLong("select count(distinct rev) from env_seq_aud where (revtype = 1 and email in ('" + existing1
                + "', '" + existing2 + "')) or email = '" + fresh + "'")).isEqualTo(1);
    }

    @Test
    void updatedEntityWithElementCollectionAuditsTheReplacedElements() {
        String email = email("tags");
        long stored = stored(new TaggedAccount(email, "Ann", "a", "b"), "env_tagged");

        jpa.run(em -> {
            TaggedAccount again = new TaggedAccount(email, "Anna", "b", "c");
            em.persist(again);
            assertThat(Upserts.outcome(em, again)).contains(UpsertOutcome.UPDATED);
        });

        assertThat(jpa.db().query("select tag from envtagged_tags where envtagged_id = " + stored + " order by tag"))
                .containsExactly(List.of("b"), List.of("c"));
        assertThat(audit("env_tagged", email)).containsExactly(List.of(stored, 0, "Ann"), List.of(stored, 1, "Anna"));
        assertThat(jpa.db().query("select revtype, tag from envtagged_tags_aud where envtagged_id = " + stored + " order by rev, tag"))
                .containsExactly(List.of(0, "a"), List.of(0, "b"), List.of(2, "a"), List.of(0, "c"));
        jpa.run(em -> {
            var reader = AuditReaderFactory.get(em);
            List<Number> revisions = reader.getRevisions(TaggedAccount.class, stored);
            assertThat(revisions).hasSize(2);
            assertThat(reader.find(TaggedAccount.class, stored, revisions.get(0)).tags).containsExactlyInAnyOrder("a", "b");
            assertThat(reader.find(TaggedAccount.class, stored, revisions.get(1)).tags).containsExactlyInAnyOrder("b", "c");
        });
    }

    @Test
    void skippedEntityWithElementCollectionAuditsNothing() {
        String email = email("tagskeep");
        long stored = stored(new TaggedMember(email, "Bob", "a"), "env_tagged_keep");
        long before = revisions();

        jpa.run(em -> {
            TaggedMember again = new TaggedMember(email, "Bobby", "z");
            em.persist(again);
            assertThat(Upserts.outcome(em, again)).contains(UpsertOutcome.SKIPPED);
        });

        assertThat(revisions()).isEqualTo(before);
        assertThat(audit("env_tagged_keep", email)).containsExactly(List.of(stored, 0, "Bob"));
        assertThat(jpa.db().query("select tag from envtaggedkeep_tags where envtaggedkeep_id = " + stored)).containsExactly(List.of("a"));
        assertThat(jpa.db().queryLong("select count(*) from envtaggedkeep_tags_aud where envtaggedkeep_id = " + stored)).isEqualTo(1);
    }

    @Test
    void insertedEntityWithElementCollectionIsAnAddWithItsElements() {
        String email = email("tagsnew");
        TaggedAccount created = jpa.persisted(new TaggedAccount(email, "Cy", "x", "y"));
        assertThat(audit("env_tagged", email)).containsExactly(List.of(created.id, 0, "Cy"));
        assertThat(jpa.db().query("select revtype, tag from envtagged_tags_aud where envtagged_id = " + created.id + " order by tag"))
                .containsExactly(List.of(0, "x"), List.of(0, "y"));
        assertThat(new ArrayList<>(jpa.db().query("select count(*) from envtagged_tags where envtagged_id = " + created.id)))
                .containsExactly(List.of(2L));
    }
}
