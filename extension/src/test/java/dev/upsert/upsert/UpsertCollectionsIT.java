package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.persistence.CascadeType;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import jakarta.persistence.UniqueConstraint;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * The collections an {@code @Upsert} entity owns end up as the managed entity holds them: an upsert of an existing
 * key replaces the stored row's elements (element collections, a bag, a {@code @ManyToMany} and a {@code @OneToMany}
 * join table), as a merge of that state would; a get-or-create of an existing key leaves them alone and hands the
 * entity the stored ones; a new key gets the entity's. Always under the stored id.
 */
@PostgresTest
class UpsertCollectionsIT {

    @Entity(name = "CollGroup") @Table(name = "coll_group")
    static class Group {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String name;

        Group() {
        }

        Group(String name) {
            this.name = name;
        }
    }

    @Entity(name = "CollCard") @Table(name = "coll_card")
    static class Card {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String number;

        Card() {
        }

        Card(String number) {
            this.number = number;
        }
    }

    /**
     * The collections every id kind's account (UPDATE) and member (get-or-create) own. Ids generated before the
     * statement (a pooled sequence, a UUID) and assigned ones: the persistence context keys the pending entity by
     * Hibernate's placeholder until its statement ran, so its collections are written under the stored id, never the
     * proposed one.
     */
    @jakarta.persistence.MappedSuperclass
    abstract static class Keyed {
        String email;
        String name;

        abstract Object id();

        abstract Set<String> tags();

        abstract Set<Group> groups();

        abstract Set<Card> cards();
    }

    /** IDENTITY ids, and a bag: no primary key, so rows appended to the stored ones would be counted, not refused. */
    @Entity(name = "CollAccount") @Table(name = "coll_account", uniqueConstraints = @UniqueConstraint(name = "coll_account_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class Account extends Keyed {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @ElementCollection @CollectionTable(name = "coll_account_tags", joinColumns = @JoinColumn(name = "account_id"))
        @Column(name = "tag") Set<String> tags = new HashSet<>();
        @ElementCollection @CollectionTable(name = "coll_account_notes", joinColumns = @JoinColumn(name = "account_id"))
        @Column(name = "note") List<String> notes = new ArrayList<>();
        @ManyToMany @JoinTable(name = "coll_account_groups", joinColumns = @JoinColumn(name = "account_id"),
                inverseJoinColumns = @JoinColumn(name = "group_id"))
        Set<Group> groups = new HashSet<>();
        @OneToMany(cascade = CascadeType.PERSIST) @JoinTable(name = "coll_account_cards", joinColumns = @JoinColumn(name = "account_id"),
                inverseJoinColumns = @JoinColumn(name = "card_id"))
        Set<Card> cards = new HashSet<>();

        @Override Object id() { return id; }
        @Override Set<String> tags() { return tags; }
        @Override Set<Group> groups() { return groups; }
        @Override Set<Card> cards() { return cards; }
    }

    @Entity(name = "CollMember") @Table(name = "coll_member", uniqueConstraints = @UniqueConstraint(name = "coll_member_email_key", columnNames = "email"))
    @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class Member extends Keyed {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @ElementCollection @CollectionTable(name = "coll_member_tags", joinColumns = @JoinColumn(name = "member_id"))
        @Column(name = "tag") Set<String> tags = new HashSet<>();
        @ManyToMany @JoinTable(name = "coll_member_groups", joinColumns = @JoinColumn(name = "member_id"),
                inverseJoinColumns = @JoinColumn(name = "group_id"))
        Set<Group> groups = new HashSet<>();
        @Transient Set<Card> cards = new HashSet<>();

        @Override Object id() { return id; }
        @Override Set<String> tags() { return tags; }
        @Override Set<Group> groups() { return groups; }
        @Override Set<Card> cards() { return cards; }
    }

    /** Orphan removal: children the stored row had and the entity does not are deleted, as a merge deletes them. */
    @Entity(name = "CollOwner") @Table(name = "coll_owner", uniqueConstraints = @UniqueConstraint(name = "coll_owner_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class Owner {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String email;
        String name;
        @OneToMany(cascade = CascadeType.ALL, orphanRemoval = true) @JoinTable(name = "coll_owner_cards",
                joinColumns = @JoinColumn(name = "owner_id"), inverseJoinColumns = @JoinColumn(name = "card_id"))
        Set<Card> cards = new HashSet<>();

        Owner() {
        }

        Owner(String email, String name, Card... cards) {
            this.email = email;
            this.name = name;
            this.cards.addAll(List.of(cards));
        }
    }


    @Entity(name = "CollSeqAccount") @Table(name = "coll_seq_account", uniqueConstraints = @UniqueConstraint(name = "coll_seq_account_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class SeqAccount extends Keyed {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "coll_seq_ids")
        @jakarta.persistence.SequenceGenerator(name = "coll_seq_ids", sequenceName = "coll_seq_ids", allocationSize = 50)
        Long id;
        @ElementCollection @CollectionTable(name = "coll_seq_account_tags", joinColumns = @JoinColumn(name = "account_id"))
        @Column(name = "tag") Set<String> tags = new HashSet<>();
        @ManyToMany @JoinTable(name = "coll_seq_account_groups", joinColumns = @JoinColumn(name = "account_id"),
                inverseJoinColumns = @JoinColumn(name = "group_id"))
        Set<Group> groups = new HashSet<>();
        @OneToMany(cascade = CascadeType.ALL, orphanRemoval = true) @JoinTable(name = "coll_seq_account_cards",
                joinColumns = @JoinColumn(name = "account_id"), inverseJoinColumns = @JoinColumn(name = "card_id"))
        Set<Card> cards = new HashSet<>();

        @Override Object id() { return id; }
        @Override Set<String> tags() { return tags; }
        @Override Set<Group> groups() { return groups; }
        @Override Set<Card> cards() { return cards; }
    }

    @Entity(name = "CollUuidAccount") @Table(name = "coll_uuid_account", uniqueConstraints = @UniqueConstraint(name = "coll_uuid_account_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class UuidAccount extends Keyed {
        @Id @GeneratedValue java.util.UUID id;
        @ElementCollection @CollectionTable(name = "coll_uuid_account_tags", joinColumns = @JoinColumn(name = "account_id"))
        @Column(name = "tag") Set<String> tags = new HashSet<>();
        @ManyToMany @JoinTable(name = "coll_uuid_account_groups", joinColumns = @JoinColumn(name = "account_id"),
                inverseJoinColumns = @JoinColumn(name = "group_id"))
        Set<Group> groups = new HashSet<>();
        @OneToMany(cascade = CascadeType.PERSIST) @JoinTable(name = "coll_uuid_account_cards",
                joinColumns = @JoinColumn(name = "account_id"), inverseJoinColumns = @JoinColumn(name = "card_id"))
        Set<Card> cards = new HashSet<>();

        @Override Object id() { return id; }
        @Override Set<String> tags() { return tags; }
        @Override Set<Group> groups() { return groups; }
        @Override Set<Card> cards() { return cards; }
    }

    @Entity(name = "CollAssignedAccount") @Table(name = "coll_assigned_account", uniqueConstraints = @UniqueConstraint(name = "coll_assigned_account_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class AssignedAccount extends Keyed {
        private static final java.util.concurrent.atomic.AtomicLong NEXT = new java.util.concurrent.atomic.AtomicLong(7_000);
        @Id Long id = NEXT.incrementAndGet();
        @ElementCollection @CollectionTable(name = "coll_assigned_account_tags", joinColumns = @JoinColumn(name = "account_id"))
        @Column(name = "tag") Set<String> tags = new HashSet<>();
        @ManyToMany @JoinTable(name = "coll_assigned_account_groups", joinColumns = @JoinColumn(name = "account_id"),
                inverseJoinColumns = @JoinColumn(name = "group_id"))
        Set<Group> groups = new HashSet<>();
        @OneToMany(cascade = CascadeType.PERSIST) @JoinTable(name = "coll_assigned_account_cards",
                joinColumns = @JoinColumn(name = "account_id"), inverseJoinColumns = @JoinColumn(name = "card_id"))
        Set<Card> cards = new HashSet<>();

        @Override Object id() { return id; }
        @Override Set<String> tags() { return tags; }
        @Override Set<Group> groups() { return groups; }
        @Override Set<Card> cards() { return cards; }
    }

    /** Get-or-create with each id kind: a stored key keeps its collections. */
    @Entity(name = "CollSeqMember") @Table(name = "coll_seq_member", uniqueConstraints = @UniqueConstraint(name = "coll_seq_member_email_key", columnNames = "email"))
    @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class SeqMember extends Keyed {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "coll_seq_member_ids")
        @jakarta.persistence.SequenceGenerator(name = "coll_seq_member_ids", sequenceName = "coll_seq_member_ids", allocationSize = 50)
        Long id;
        @ElementCollection @CollectionTable(name = "coll_seq_member_tags", joinColumns = @JoinColumn(name = "member_id"))
        @Column(name = "tag") Set<String> tags = new HashSet<>();
        @ManyToMany @JoinTable(name = "coll_seq_member_groups", joinColumns = @JoinColumn(name = "member_id"),
                inverseJoinColumns = @JoinColumn(name = "group_id"))
        Set<Group> groups = new HashSet<>();
        @Transient Set<Card> cards = new HashSet<>();

        @Override Object id() { return id; }
        @Override Set<String> tags() { return tags; }
        @Override Set<Group> groups() { return groups; }
        @Override Set<Card> cards() { return cards; }
    }

    @Entity(name = "CollUuidMember") @Table(name = "coll_uuid_member", uniqueConstraints = @UniqueConstraint(name = "coll_uuid_member_email_key", columnNames = "email"))
    @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class UuidMember extends Keyed {
        @Id @GeneratedValue java.util.UUID id;
        @ElementCollection @CollectionTable(name = "coll_uuid_member_tags", joinColumns = @JoinColumn(name = "member_id"))
        @Column(name = "tag") Set<String> tags = new HashSet<>();
        @ManyToMany @JoinTable(name = "coll_uuid_member_groups", joinColumns = @JoinColumn(name = "member_id"),
                inverseJoinColumns = @JoinColumn(name = "group_id"))
        Set<Group> groups = new HashSet<>();
        @Transient Set<Card> cards = new HashSet<>();

        @Override Object id() { return id; }
        @Override Set<String> tags() { return tags; }
        @Override Set<Group> groups() { return groups; }
        @Override Set<Card> cards() { return cards; }
    }

    @Entity(name = "CollAssignedMember") @Table(name = "coll_assigned_member", uniqueConstraints = @UniqueConstraint(name = "coll_assigned_member_email_key", columnNames = "email"))
    @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class AssignedMember extends Keyed {
        private static final java.util.concurrent.atomic.AtomicLong NEXT = new java.util.concurrent.atomic.AtomicLong(8_000);
        @Id Long id = NEXT.incrementAndGet();
        @ElementCollection @CollectionTable(name = "coll_assigned_member_tags", joinColumns = @JoinColumn(name = "member_id"))
        @Column(name = "tag") Set<String> tags = new HashSet<>();
        @ManyToMany @JoinTable(name = "coll_assigned_member_groups", joinColumns = @JoinColumn(name = "member_id"),
                inverseJoinColumns = @JoinColumn(name = "group_id"))
        Set<Group> groups = new HashSet<>();
        @Transient Set<Card> cards = new HashSet<>();

        @Override Object id() { return id; }
        @Override Set<String> tags() { return tags; }
        @Override Set<Group> groups() { return groups; }
        @Override Set<Card> cards() { return cards; }
    }

    /** An id kind: its UPDATE entity and table, its get-or-create entity and table. */
    enum Ids {
        IDENTITY(Account.class, Account::new, Member.class, Member::new),
        SEQUENCE(SeqAccount.class, SeqAccount::new, SeqMember.class, SeqMember::new),
        UUID(UuidAccount.class, UuidAccount::new, UuidMember.class, UuidMember::new),
        ASSIGNED(AssignedAccount.class, AssignedAccount::new, AssignedMember.class, AssignedMember::new);

        final Class<? extends Keyed> account;
        final String accountTable;
        final Class<? extends Keyed> member;
        final String memberTable;
        private final Map<Class<? extends Keyed>, java.util.function.Supplier<Keyed>> constructors;

        Ids(Class<? extends Keyed> account, java.util.function.Supplier<Keyed> newAccount,
            Class<? extends Keyed> member, java.util.function.Supplier<Keyed> newMember) {
            this.account = account;
            this.accountTable = account.getAnnotation(Table.class).name();
            this.member = member;
            this.memberTable = member.getAnnotation(Table.class).name();
            this.constructors = Map.of(account, newAccount, member, newMember);
        }

        /**
         * IDENTITY on an entity with collections keeps Hibernate's IDENTITY path: its statement runs at persist, so the
         * outcome and the stored id are there before the flush.
         */
        boolean runsAtPersist() {
            return this == IDENTITY;
        }

        Keyed create(Class<? extends Keyed> type, String email, String name) {
            Keyed k = constructors.get(type).get();
            k.email = email;
            k.name = name;
            return k;
        }
    }

    /** A plain entity whose collection cascades persist to {@code @Upsert} ones: they are persisted by the flush. */
    @Entity(name = "CollTeam") @Table(name = "coll_team")
    static class Team {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String name;
        @OneToMany(cascade = CascadeType.PERSIST) @JoinTable(name = "coll_team_accounts", joinColumns = @JoinColumn(name = "team_id"),
                inverseJoinColumns = @JoinColumn(name = "account_id"))
        Set<SeqAccount> accounts = new HashSet<>();
    }

    static TestSchema db;
    @AutoClose static Jpa jpa;
    private static final AtomicInteger SEQ = new AtomicInteger();

    @BeforeAll
    static void boot(TestSchema schema) {
        Jpa.assertEnhancedExactlyInTheEnhancedCopy(UpsertCollectionsIT.class, SeqAccount.class);
        db = schema;
        jpa = new Jpa(schema, Map.of("hibernate.jdbc.batch_size", "20"), Group.class, Card.class, Account.class, Member.class, Owner.class,
                SeqAccount.class, UuidAccount.class, AssignedAccount.class, SeqMember.class, UuidMember.class, AssignedMember.class, Team.class);
    }

    private static String email(String what) {
        return what + "-" + SEQ.incrementAndGet() + "@x.org";
    }

    private long groupId(String name) {
        return db.queryLong("select id from coll_group where name = '" + name + "'");
    }

    private List<List<Object>> rows(String sql) {
        return db.query(sql);
    }

    private long newGroups(String... names) {
        jpa.run(em -> {
            for (String name : names) {
                em.persist(new Group(name));
            }
        });
        return names.length;
    }

    /** A bag (no primary key): an insert writes its repeated elements, an update replaces the stored row's. */
    @Test
    void aBagIsWrittenWhenInsertedAndReplacedWhenUpdated() {
        String email = email("bag");
        Account created = jpa.tx(em -> {
            Account a = (Account) Ids.IDENTITY.create(Account.class, email, "Cy");
            a.notes.addAll(List.of("n", "n"));
            em.persist(a);
            return a;
        });
        assertThat(db.queryLong("select count(*) from coll_account_notes where account_id = " + created.id)).isEqualTo(2);

        jpa.run(em -> {
            Account again = (Account) Ids.IDENTITY.create(Account.class, email, "Anna");
            again.notes.add("n3");
            em.persist(again);
            assertThat(Upserts.outcome(em, again)).contains(UpsertOutcome.UPDATED);
        });

        assertThat(rows("select note from coll_account_notes where account_id = " + created.id)).containsExactly(List.of("n3"));
        jpa.run(em -> assertThat(em.find(Account.class, created.id).notes).containsExactly("n3"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Ids.class)
    void updatedThenChangedBeforeTheFlushWritesTheChangedCollection(Ids ids) {
        String email = email("updchg-" + ids);
        jpa.run(em -> {
            Keyed a = ids.create(ids.account, email, "Ann");
            a.tags().addAll(List.of("a", "b"));
            em.persist(a);
        });
        Object stored = storedIdOf(ids.accountTable, email);

        jpa.run(em -> {
            Keyed again = ids.create(ids.account, email, "Anna");
            again.tags().add("c");
            em.persist(again);
            again.tags().add("d");
            em.flush();
            again.tags().remove("c");
        });

        assertThat(rows("select tag from " + ids.accountTable + "_tags where account_id = " + quoted(stored) + " order by tag"))
                .containsExactly(List.of("d"));
    }

    /** IDENTITY's statement ran at persist: the entity holds the stored collection already, a change to it is the row's. */
    @Test
    void skippedThenChangedWritesTheChangeToTheStoredCollection() {
        String email = email("skipchg");
        jpa.run(em -> {
            Keyed m = Ids.IDENTITY.create(Member.class, email, "Bob");
            m.tags().add("a");
            em.persist(m);
        });
        long stored = db.queryLong("select id from coll_member where email = '" + email + "'");

        jpa.run(em -> {
            Keyed again = Ids.IDENTITY.create(Member.class, email, "Bobby");
            again.tags().add("z");
            em.persist(again);
            again.tags().add("b");   // the entity now holds the stored collection: a change to it is a change of the row's
        });

        assertThat(rows("select tag from coll_member_tags where member_id = " + stored + " order by tag"))
                .containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void updatedWithOrphanRemovalDeletesTheStoredRowsOrphans() {
        String email = email("orphan");
        jpa.run(em -> em.persist(new Owner(email, "Old", new Card(email + "-old"))));
        long stored = db.queryLong("select id from coll_owner where email = '" + email + "'");

        Owner again = jpa.tx(em -> {
            Owner o = new Owner(email, "New", new Card(email + "-new"));
            em.persist(o);
            assertThat(Upserts.outcome(em, o)).contains(UpsertOutcome.UPDATED);
            return o;
        });

        assertThat(again.cards).extracting(c -> c.number).containsExactly(email + "-new");
        assertThat(rows("select c.number from coll_owner_cards oc join coll_card c on c.id = oc.card_id where oc.owner_id = "
                + stored)).containsExactly(List.of(email + "-new"));
        assertThat(db.queryLong("select count(*) from coll_card where number = '" + email + "-old'")).isZero();
    }

    private Object storedIdOf(String table, String email) {
        return db.queryValue("select id from " + table + " where email = '" + email + "'");
    }

    private static String quoted(Object id) {
        return "'" + id + "'";
    }

    /** Where the statement runs at persist, its outcome and the stored id are there already; else after the flush. */
    private void assertWritten(jakarta.persistence.EntityManager em, Ids ids, Keyed entity, UpsertOutcome outcome, Object stored) {
        if (!ids.runsAtPersist()) {
            em.flush();
        }
        assertThat(Upserts.outcome(em, entity)).contains(outcome);
        if (stored != null) {
            assertThat(entity.id()).isEqualTo(stored);
        }
        em.flush();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Ids.class)
    void insertedWritesTheEntitysCollectionsUnderTheStoredId(Ids ids) {
        String email = email("ins-" + ids);
        String g1 = email + "-g1";
        newGroups(g1);
        Keyed created = jpa.tx(em -> {
            Keyed a = ids.create(ids.account, email, "Cy");
            a.tags().addAll(List.of("x", "y"));
            a.groups().add(em.find(Group.class, groupId(g1)));
            a.cards().add(new Card(email + "-c1"));
            em.persist(a);
            assertWritten(em, ids, a, UpsertOutcome.INSERTED, null);
            return a;
        });
        Object stored = storedIdOf(ids.accountTable, email);
        assertThat(created.id()).isEqualTo(stored);
        assertThat(rows("select tag from " + ids.accountTable + "_tags where account_id = " + quoted(stored) + " order by tag"))
                .containsExactly(List.of("x"), List.of("y"));
        assertThat(rows("select group_id from " + ids.accountTable + "_groups where account_id = " + quoted(stored)))
                .containsExactly(List.of(groupId(g1)));
        assertThat(rows("select c.number from " + ids.accountTable + "_cards ac join coll_card c on c.id = ac.card_id where ac.account_id = "
                + quoted(stored))).containsExactly(List.of(email + "-c1"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Ids.class)
    void updatedReplacesEveryOwnedCollectionOfTheStoredRow(Ids ids) {
        String email = email("upd-" + ids);
        String g1 = email + "-g1", g2 = email + "-g2", g3 = email + "-g3";
        newGroups(g1, g2, g3);
        jpa.run(em -> {
            Keyed a = ids.create(ids.account, email, "Ann");
            a.tags().addAll(List.of("a", "b"));
            a.groups().add(em.find(Group.class, groupId(g1)));
            a.groups().add(em.find(Group.class, groupId(g2)));
            a.cards().add(new Card(email + "-c1"));
            em.persist(a);
        });
        Object stored = storedIdOf(ids.accountTable, email);

        jpa.run(em -> {
            Keyed again = ids.create(ids.account, email, "Anna");
            again.tags().addAll(List.of("b", "c"));       // "b" both had: no 23505
            again.groups().add(em.find(Group.class, groupId(g2)));
            again.groups().add(em.find(Group.class, groupId(g3)));
            again.cards().add(new Card(email + "-c2"));
            em.persist(again);
            assertWritten(em, ids, again, UpsertOutcome.UPDATED, stored);
            assertThat(em.find(ids.account, stored)).isSameAs(again);
        });

        assertThat(rows("select tag from " + ids.accountTable + "_tags where account_id = " + quoted(stored) + " order by tag"))
                .containsExactly(List.of("b"), List.of("c"));
        assertThat(rows("select g.name from " + ids.accountTable + "_groups ag join coll_group g on g.id = ag.group_id where ag.account_id = "
                + quoted(stored) + " order by g.name")).containsExactly(List.of(g2), List.of(g3));
        assertThat(rows("select c.number from " + ids.accountTable + "_cards ac join coll_card c on c.id = ac.card_id where ac.account_id = "
                + quoted(stored))).containsExactly(List.of(email + "-c2"));
        assertThat(db.queryLong("select count(*) from " + ids.accountTable + "_tags t where not exists "
                + "(select 1 from " + ids.accountTable + " a where a.id = t.account_id)")).isZero();
        if (ids == Ids.SEQUENCE) {  // orphanRemoval: the stored row's card is deleted, as a merge deletes it
            assertThat(db.queryLong("select count(*) from coll_card where number = '" + email + "-c1'")).isZero();
        }
        jpa.run(em -> {
            Keyed loaded = em.find(ids.account, stored);
            assertThat(loaded.tags()).containsExactlyInAnyOrder("b", "c");
            assertThat(loaded.groups()).extracting(g -> g.name).containsExactlyInAnyOrder(g2, g3);
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Ids.class)
    void skippedLeavesTheStoredCollectionsAloneAndHandsThemToTheEntity(Ids ids) {
        String email = email("skip-" + ids);
        String g1 = email + "-g1", g2 = email + "-g2";
        newGroups(g1, g2);
        jpa.run(em -> {
            Keyed m = ids.create(ids.member, email, "Bob");
            m.tags().add("a");
            m.groups().add(em.find(Group.class, groupId(g1)));
            em.persist(m);
        });
        Object stored = storedIdOf(ids.memberTable, email);

        jpa.run(em -> {
            Keyed again = ids.create(ids.member, email, "Bobby");
            again.tags().add("z");
            again.groups().add(em.find(Group.class, groupId(g2)));
            em.persist(again);
            assertWritten(em, ids, again, UpsertOutcome.SKIPPED, stored);
            assertThat(again.name).isEqualTo("Bob");
            assertThat(again.tags()).containsExactly("a");
            assertThat(again.groups()).extracting(g -> g.name).containsExactly(g1);
            again.tags().add("b");  // the stored collection: a change to it is written to the stored row's
        });

        assertThat(rows("select tag from " + ids.memberTable + "_tags where member_id = " + quoted(stored) + " order by tag"))
                .containsExactly(List.of("a"), List.of("b"));
        assertThat(rows("select g.name from " + ids.memberTable + "_groups mg join coll_group g on g.id = mg.group_id where mg.member_id = "
                + quoted(stored))).containsExactly(List.of(g1));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Ids.class)
    void batchesManyOwnersInOneFlush(Ids ids) {
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            emails.add(email("many-" + ids));
        }
        jpa.run(em -> {   // half of the keys exist, with a tag each
            for (int i = 0; i < emails.size(); i += 2) {
                Keyed a = ids.create(ids.account, emails.get(i), "Old");
                a.tags().add("old");
                em.persist(a);
            }
        });
        jpa.run(em -> {
            for (String e : emails) {
                Keyed a = ids.create(ids.account, e, "New");
                a.tags().add("new");
                em.persist(a);
            }
        });
        for (String e : emails) {
            assertThat(rows("select tag from " + ids.accountTable + "_tags where account_id = " + quoted(storedIdOf(ids.accountTable, e))))
                    .as(e).containsExactly(List.of("new"));
        }
        assertThat(db.queryLong("select count(*) from " + ids.accountTable + "_tags t where not exists "
                + "(select 1 from " + ids.accountTable + " a where a.id = t.account_id)")).isZero();
    }

    @Test
    void anOwnerPersistedByTheFlushsCascadeGetsItsCollectionsUnderTheStoredId() {
        String email = email("cascade");
        jpa.run(em -> {
            Keyed a = Ids.SEQUENCE.create(SeqAccount.class, email, "Old");
            a.tags().add("old");
            em.persist(a);
        });
        Object stored = storedIdOf("coll_seq_account", email);
        Long team = jpa.tx(em -> {
            Team t = new Team();
            t.name = email;
            em.persist(t);
            em.flush();
            SeqAccount joined = (SeqAccount) Ids.SEQUENCE.create(SeqAccount.class, email, "Joined");
            joined.tags.add("new");
            t.accounts.add(joined);   // not persisted: the flush's cascade persists it
            return t.id;
        });
        assertThat(rows("select tag from coll_seq_account_tags where account_id = " + stored)).containsExactly(List.of("new"));
        assertThat(rows("select account_id from coll_team_accounts where team_id = " + team)).containsExactly(List.of(stored));
        assertThat(rows("select name from coll_seq_account where id = " + stored)).containsExactly(List.of("Joined"));
    }
}
