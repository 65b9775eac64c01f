package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.StatementRecorder;

/**
 * Every path an application takes between {@code persist} and commit, written as a service method would be: change,
 * remove, refresh, merge, lock, detach, a query that flushes, remove-then-persist of one key, an explicit flush. Each
 * runs with the key stored already and not, for every id strategy, and checks the table, the entity and the outcome.
 * <p>
 * The build runs this class twice: as it is, and copied into {@code dev.upsert.upsert.enhanced}, whose entities it
 * bytecode-enhances with dirty tracking and lazy initialization (extension's pom, exec-maven-plugin).
 */
@PostgresTest
class UpsertLifecycleIT {

    @MappedSuperclass
    abstract static class Account {
        String email;
        String name;
        @Column(name = "created_by", updatable = false) String createdBy;
        @Version int version;

        abstract Object id();

        /**
         * Changes after persist go through a setter, as in an application: an enhanced entity tracks changes in its
         * own methods only (a write to its field from another class is invisible to Hibernate's dirty tracking).
         */
        void setName(String name) {
            this.name = name;
        }
    }

    @Entity(name = "LcSeq") @Table(name = "lc_seq", uniqueConstraints = @UniqueConstraint(name = "lc_seq_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class SeqAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "lc_seq_ids")
        @SequenceGenerator(name = "lc_seq_ids", sequenceName = "lc_seq_ids", allocationSize = 50)
        Long id;

        @Override Object id() { return id; }
    }

    @Entity(name = "LcIdentity") @Table(name = "lc_identity", uniqueConstraints = @UniqueConstraint(name = "lc_identity_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class IdentityAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;

        @Override Object id() { return id; }
    }

    @Entity(name = "LcUuid") @Table(name = "lc_uuid", uniqueConstraints = @UniqueConstraint(name = "lc_uuid_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class UuidAccount extends Account {
        @Id @GeneratedValue UUID id;

        @Override Object id() { return id; }
    }

    @Entity(name = "LcAssigned") @Table(name = "lc_assigned", uniqueConstraints = @UniqueConstraint(name = "lc_assigned_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class AssignedAccount extends Account {
        private static final AtomicLong NEXT = new AtomicLong(1_000);
        @Id Long id = NEXT.incrementAndGet();   // the application assigns it, e.g. from its own id service

        @Override Object id() { return id; }
    }

    /** A plain entity: its inserts and queries interleave with the upserts. */
    @Entity(name = "LcNote") @Table(name = "lc_note")
    static class Note {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "lc_note_ids")
        @SequenceGenerator(name = "lc_note_ids", sequenceName = "lc_note_ids", allocationSize = 50)
        Long id;
        String text;

        Note() {
        }

        Note(String text) {
            this.text = text;
        }
    }

    /** A plain IDENTITY entity: its persist runs Hibernate's queued inserts at once, the upserts among them. */
    @Entity(name = "LcEvent") @Table(name = "lc_event")
    static class Event {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String text;

        Event() {
        }

        Event(String text) {
            this.text = text;
        }
    }

    /** A plain entity whose foreign key points to an {@code @Upsert} one: an update of it needs the stored id. */
    @Entity(name = "LcTicket") @Table(name = "lc_ticket")
    static class Ticket {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String title;
        @jakarta.persistence.ManyToOne @jakarta.persistence.JoinColumn(name = "owner_id") SeqAccount owner;

        Ticket() {
        }

        Ticket(String title) {
            this.title = title;
        }

        void setOwner(SeqAccount owner) {
            this.owner = owner;
        }
    }

    /** Every SQL string Hibernate prepares. */
    static final StatementRecorder prepared = new StatementRecorder();

    enum Ids {
        SEQUENCE(SeqAccount.class, "lc_seq"), IDENTITY(IdentityAccount.class, "lc_identity"),
        UUID(UuidAccount.class, "lc_uuid"), ASSIGNED(AssignedAccount.class, "lc_assigned");

        final Class<? extends Account> type;
        final String table;

        Ids(Class<? extends Account> type, String table) {
            this.type = type;
            this.table = table;
        }

        String entity() {
            return type.getAnnotation(Entity.class).name();
        }

        Account create(String email, String name, String createdBy) {
            try {
                var constructor = type.getDeclaredConstructor();
                constructor.setAccessible(true);
                Account a = constructor.newInstance();
                a.email = email;
                a.name = name;
                a.createdBy = createdBy;
                return a;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static TestSchema db;
    static Jpa jpa;

    @BeforeAll
    static void boot(TestSchema schema) {
        // the copy in the enhanced package must really run on enhanced entities, the original on plain ones
        assertThat(org.hibernate.engine.spi.SelfDirtinessTracker.class.isAssignableFrom(SeqAccount.class))
                .as("entities of " + UpsertLifecycleIT.class.getName() + " enhanced")
                .isEqualTo(UpsertLifecycleIT.class.getPackageName().endsWith(".enhanced"));
        db = schema;
        jpa = new Jpa(schema, Map.of("hibernate.jdbc.batch_size", "20",
                        "hibernate.session_factory.statement_inspector", prepared),
                SeqAccount.class, IdentityAccount.class, UuidAccount.class, AssignedAccount.class, Note.class, Event.class, Ticket.class);
    }

    @AfterAll
    static void close() {
        jpa.close();
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new java.util.ArrayList<>();
        for (Ids ids : Ids.values()) {
            cases.add(Arguments.of(ids, true));
            cases.add(Arguments.of(ids, false));
        }
        return cases;
    }

    private static int counter;

    /** A fresh key; when {@code existing}, stored first as (name 'Old', created_by 'seed', version 0). */
    private static String key(Ids ids, boolean existing) {
        String email = "k" + (++counter) + "-" + ids.name().toLowerCase() + "@x.org";
        if (existing) {
            jpa.run(em -> em.persist(ids.create(email, "Old", "seed")));
        }
        return email;
    }

    private static List<Object> row(Ids ids, String email) {
        List<List<Object>> rows = db.query("select id, name, created_by, version::bigint from " + ids.table + " where email = '" + email + "'");
        assertThat(rows).hasSizeLessThanOrEqualTo(1);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The row as the transaction of {@code em} sees it. */
    private static List<Object> rowIn(EntityManager em, Ids ids, String email) {
        Object[] row = (Object[]) em.createNativeQuery("select id, name, created_by, version::bigint from " + ids.table
                + " where email = :email").setParameter("email", email).getSingleResult();
        return java.util.Arrays.asList(row);
    }

    private static Object storedId(Ids ids, String email) {
        return db.queryValue("select id from " + ids.table + " where email = '" + email + "'");
    }

    /** The entity equals the stored row: id, name, created_by, version. */
    private static void assertEntityIsRow(Ids ids, Account a, String email) {
        assertThat(row(ids, email)).containsExactly(a.id(), a.name, a.createdBy, (long) a.version);
    }

    private static UpsertOutcome expected(boolean existing) {
        return existing ? UpsertOutcome.UPDATED : UpsertOutcome.INSERTED;
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void changeAfterPersistUpdatesTheStoredRowAtCommit(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account a = jpa.tx(em -> {
            Account account = ids.create(email, "New", "app");
            em.persist(account);
            account.setName("Changed");                           // a service method adjusting what it just saved
            return account;
        });
        assertThat(row(ids, email)).containsExactly(a.id(), "Changed", existing ? "seed" : "app", existing ? 2L : 1L);
        assertEntityIsRow(ids, a, email);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void changeAfterPersistWithExplicitFlushes(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account a = jpa.tx(em -> {
            Account account = ids.create(email, "New", "app");
            em.persist(account);
            account.setName("Changed");
            em.flush();
            assertThat(Upserts.outcome(em, account)).contains(expected(existing));
            assertThat(rowIn(em, ids, email)).containsExactly(account.id(), "Changed", existing ? "seed" : "app", existing ? 2L : 1L);
            account.setName("Changed again");
            em.flush();
            return account;
        });
        assertThat(row(ids, email)).containsExactly(a.id(), "Changed again", existing ? "seed" : "app", existing ? 3L : 2L);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void removeAfterPersistDeletesTheStoredRow(Ids ids, boolean existing) {
        String email = key(ids, existing);
        jpa.run(em -> {
            Account account = ids.create(email, "New", "app");
            em.persist(account);
            em.remove(account);
            assertThat(em.contains(account)).isFalse();
        });
        assertThat(row(ids, email)).isNull();
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void refreshAfterPersistLoadsTheStoredRow(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account a = jpa.tx(em -> {
            Account account = ids.create(email, "New", "app");
            em.persist(account);
            account.setName("Unsaved");                            // refresh discards this, as for any entity
            em.refresh(account);
            assertThat(account.name).isEqualTo("New");
            assertThat(account.createdBy).isEqualTo(existing ? "seed" : "app");
            assertThat(rowIn(em, ids, email)).containsExactly(account.id(), "New", existing ? "seed" : "app", existing ? 1L : 0L);
            return account;
        });
        assertThat(row(ids, email)).containsExactly(a.id(), "New", existing ? "seed" : "app", existing ? 1L : 0L);
        assertEntityIsRow(ids, a, email);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void mergeOfThePersistedInstanceKeepsIt(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account a = jpa.tx(em -> {
            Account account = ids.create(email, "New", "app");
            em.persist(account);
            Account merged = em.merge(account);
            assertThat(merged).isSameAs(account);
            merged.setName("Merged");
            return account;
        });
        assertThat(row(ids, email)).containsExactly(a.id(), "Merged", existing ? "seed" : "app", existing ? 2L : 1L);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void mergeOfANewInstanceUpsertsItsCopy(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account a = jpa.tx(em -> {
            Account merged = em.merge(ids.create(email, "New", "app"));
            merged.setName("Merged");
            return merged;
        });
        assertThat(row(ids, email)).containsExactly(a.id(), "Merged", existing ? "seed" : "app", existing ? 2L : 1L);
        assertEntityIsRow(ids, a, email);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void lockAfterPersistLocksTheStoredRow(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account a = jpa.tx(em -> {
            Account account = ids.create(email, "New", "app");
            em.persist(account);
            em.lock(account, LockModeType.PESSIMISTIC_WRITE);
            assertThat(Upserts.outcome(em, account)).contains(expected(existing));
            account.setName("Locked");
            return account;
        });
        assertThat(row(ids, email)).containsExactly(a.id(), "Locked", existing ? "seed" : "app", existing ? 2L : 1L);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void detachAfterPersistWritesTheUpsertAndDetachesTheStoredRow(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account a = jpa.tx(em -> {
            Account account = ids.create(email, "New", "app");
            em.persist(account);
            em.detach(account);
            assertThat(em.contains(account)).isFalse();
            account.setName("Detached change");                   // not written: the instance is detached
            return account;
        });
        assertThat(row(ids, email)).containsExactly(a.id(), "New", existing ? "seed" : "app", existing ? 1L : 0L);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void queryAfterChangeSeesTheStoredRowChanged(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account a = jpa.tx(em -> {
            Account account = ids.create(email, "New", "app");
            em.persist(account);
            account.setName("Changed");
            List<Object> found = (List<Object>) (List<?>) em.createQuery("select a from " + ids.entity() + " a where a.email = :email", ids.type)
                    .setParameter("email", email).getResultList();
            assertThat(found).containsExactly(account);
            assertThat(row(ids, email)).isEqualTo(existing ? List.of(storedId(ids, email), "Old", "seed", 0L) : null); // not committed yet
            var cb = em.getCriteriaBuilder();
            var criteria = cb.createQuery(Long.class);
            var root = criteria.from(ids.type);
            criteria.select(cb.count(root)).where(cb.equal(root.get("name"), "Changed"), cb.equal(root.get("email"), email));
            assertThat(em.createQuery(criteria).getSingleResult()).isEqualTo(1L);
            assertThat(Upserts.outcome(em, account)).contains(expected(existing));
            return account;
        });
        assertThat(row(ids, email)).containsExactly(a.id(), "Changed", existing ? "seed" : "app", existing ? 2L : 1L);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void removeThenPersistOfOneKeyLeavesTheNewRow(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account fresh = jpa.tx(em -> {
            Account old = existing
                    ? em.createQuery("select a from " + ids.entity() + " a where a.email = :email", ids.type)
                        .setParameter("email", email).getSingleResult()
                    : persisted(em, ids.create(email, "Pending", "app"));
            em.remove(old);
            Account replacement = ids.create(email, "Replacement", "app2");
            em.persist(replacement);
            return replacement;
        });
        assertThat(row(ids, email)).containsExactly(fresh.id(), "Replacement", "app2", 0L);
        assertEntityIsRow(ids, fresh, email);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void aServiceThatDoesEverythingInOneTransaction(Ids ids, boolean existing) {
        String email = key(ids, existing);
        String other = key(ids, existing);
        BiFunction<EntityManager, String, Account> save = (em, key) -> persisted(em, ids.create(key, "Saved", "svc"));
        Account kept = jpa.tx(em -> {
            Account first = save.apply(em, email);
            Account second = save.apply(em, other);
            first.setName("Renamed");
            long renamed = em.createQuery("select count(a) from " + ids.entity() + " a where a.name = 'Renamed'", Long.class)
                    .getSingleResult();
            assertThat(renamed).isEqualTo(1L);
            em.remove(second);
            first.setName("Renamed twice");
            em.flush();
            first.setName("Final");
            return first;
        });
        assertThat(row(ids, other)).isNull();
        assertThat(row(ids, email)).containsExactly(kept.id(), "Final", existing ? "seed" : "svc", existing ? 4L : 3L);
        assertThat(storedId(ids, email)).isEqualTo(kept.id());
    }

    /**
     * Spring's {@code REQUIRES_NEW} inside a transaction with a pending upsert: a second EntityManager on the same thread
     * upserts the same key and commits while the outer upsert waits for its flush; the outer one then lands on that
     * row, changed after persist, and both entities hold its id.
     */
    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void anInnerTransactionOnTheSameThreadUpsertsTheKeyFirst(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account[] inner = new Account[1];
        Account outer = jpa.tx(em -> {
            Account pending = persisted(em, ids.create(email, "Outer", "outer"));
            inner[0] = jpa.tx(nested -> persisted(nested, ids.create(email, "Inner", "inner")));
            assertThat(row(ids, email)).as("the inner transaction committed").isNotNull();
            pending.setName("Outer, changed");
            return pending;
        });
        assertThat(outer.id()).isNotNull().isEqualTo(inner[0].id()).isEqualTo(storedId(ids, email));
        assertThat(row(ids, email).get(1)).isEqualTo("Outer, changed");
        assertEntityIsRow(ids, outer, email);
    }

    /**
     * Nothing changed after persist: the upserts stay batched to the end of the flush's inserts, whatever plain
     * inserts and queries that need no flush come between them (30 rows, batch size 20: one statement of column
     * arrays, whose chunks of up to 1,000 rows do not follow the batch size).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = Ids.class, names = {"SEQUENCE", "UUID", "ASSIGNED"})
    void untouchedUpsertsStayBatchedAcrossPlainInsertsAndQueries(Ids ids) {
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add(key(ids, i % 3 == 0));
        }
        prepared.clear();
        List<Account> accounts = jpa.tx(em -> {
            List<Account> saved = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                if (i == 15) {
                    em.createQuery("select count(a) from " + Ids.IDENTITY.entity() + " a", Long.class).getSingleResult();
                }
                saved.add(persisted(em, ids.create(keys.get(i), "Batched", "app")));
                em.persist(new Note("after " + i));
            }
            em.flush();
            for (int i = 0; i < 30; i++) {
                assertThat(Upserts.outcome(em, saved.get(i))).contains(expected(i % 3 == 0));
            }
            return saved;
        });
        List<String> upserts = prepared.stream().filter(sql -> sql.contains("insert into") && sql.contains(ids.table + " ")).toList();
        assertThat(upserts).hasSize(1).allMatch(sql -> sql.contains(" from unnest("));
        for (int i = 0; i < 30; i++) {
            assertEntityIsRow(ids, accounts.get(i), keys.get(i));
        }
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void changeAfterAnIdentityInsertRanTheQueuedUpsert(Ids ids, boolean existing) {
        String email = key(ids, existing);
        Account a = jpa.tx(em -> {
            Account account = persisted(em, ids.create(email, "New", "app"));
            em.persist(new Event("saved " + email));               // Hibernate runs the queued inserts first
            account.setName("Changed");
            return account;
        });
        assertThat(row(ids, email)).containsExactly(a.id(), "Changed", existing ? "seed" : "app", existing ? 2L : 1L);
        assertThat(db.queryLong("select count(*) from lc_event where text = 'saved " + email + "'")).isEqualTo(1);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "key stored: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void anUpdatePointingToAPendingUpsertBindsTheStoredId(boolean existing) {
        String email = key(Ids.SEQUENCE, existing);
        long ticketId = jpa.tx(em -> persistedTicket(em, new Ticket("t-" + email)).id);
        Account owner = jpa.tx(em -> {
            Account account = persisted(em, Ids.SEQUENCE.create(email, "Owner", "app"));
            em.find(Ticket.class, ticketId).setOwner((SeqAccount) account);   // a plain update, at the same flush
            return account;
        });
        assertThat(db.queryValue("select owner_id from lc_ticket where id = " + ticketId)).isEqualTo(owner.id());
        assertThat(storedId(Ids.SEQUENCE, email)).isEqualTo(owner.id());
    }

    private static Ticket persistedTicket(EntityManager em, Ticket ticket) {
        em.persist(ticket);
        return ticket;
    }

    private static Account persisted(EntityManager em, Account account) {
        Object assigned = account.id();
        em.persist(account);
        assertThat(account.id()).isEqualTo(assigned);   // generated ids stay null until the flush, assigned ones are kept
        return account;
    }
}
