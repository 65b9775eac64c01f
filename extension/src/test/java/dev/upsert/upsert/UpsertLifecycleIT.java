package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

    /** A plain entity: its inserts and queries interleave with the upserts. */
    @Entity(name = "LcNote") @Table(name = "lc_note")
    static class Note extends SequenceId {
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
        @jakarta.persistence.ManyToOne @jakarta.persistence.JoinColumn(name = "owner_id") IdKind.SeqAccount owner;

        Ticket() {
        }

        Ticket(String title) {
            this.title = title;
        }

        void setOwner(IdKind.SeqAccount owner) {
            this.owner = owner;
        }
    }

    /** Every SQL string Hibernate prepares. */
    static final StatementRecorder prepared = new StatementRecorder();

    static TestSchema db;
    @AutoClose static Jpa jpa;

    @BeforeAll
    static void boot(TestSchema schema) {
        Jpa.assertEnhancedExactlyInTheEnhancedCopy(UpsertLifecycleIT.class, IdKind.SeqAccount.class);
        db = schema;
        jpa = new Jpa(schema, Map.of("hibernate.jdbc.batch_size", "20",
                        "hibernate.session_factory.statement_inspector", prepared),
                IdKind.SeqAccount.class, IdKind.IdentityAccount.class, IdKind.UuidAccount.class, IdKind.TableAccount.class,
                IdKind.AssignedAccount.class, Note.class, Event.class, Ticket.class);
    }

    static List<Arguments> cases() {
        return IdKind.keyStoredOrNot(IdKind.SEQUENCE, IdKind.IDENTITY, IdKind.UUID, IdKind.TABLE, IdKind.ASSIGNED);
    }

    /** A fresh key; when {@code existing}, stored first as (name 'Old', created_by 'seed', version 0). */
    private static String key(IdKind ids, boolean existing) {
        return ids.key(jpa, "k", existing);
    }

    private static List<Object> row(IdKind ids, String email) {
        List<List<Object>> rows = db.query("select id, name, created_by, version::bigint from " + ids.table + " where email = '" + email + "'");
        assertThat(rows).hasSizeLessThanOrEqualTo(1);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The row as the transaction of {@code em} sees it. */
    private static List<Object> rowIn(EntityManager em, IdKind ids, String email) {
        Object[] row = (Object[]) em.createNativeQuery("select id, name, created_by, version::bigint from " + ids.table
                + " where email = :email").setParameter("email", email).getSingleResult();
        return java.util.Arrays.asList(row);
    }

    private static Object storedId(IdKind ids, String email) {
        return ids.storedId(db, email);
    }

    /** The entity equals the stored row: id, name, created_by, version. */
    private static void assertEntityIsRow(IdKind ids, IdKind.Account a, String email) {
        assertThat(row(ids, email)).containsExactly(a.id(), a.name, a.createdBy, (long) a.version);
    }

    /**
     * The row {@code a} leaves: its id and {@code name}, created_by 'seed' when the key was stored first (an update
     * keeps it) else {@code createdBy}, and a version of {@code updates} after the insert, one more over a stored key.
     */
    private static List<Object> written(IdKind.Account a, String name, String createdBy, boolean existing, long updates) {
        return java.util.Arrays.asList(a.id(), name, existing ? "seed" : createdBy, existing ? updates + 1 : updates);
    }

    private static UpsertOutcome expected(boolean existing) {
        return existing ? UpsertOutcome.UPDATED : UpsertOutcome.INSERTED;
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void changeAfterPersistUpdatesTheStoredRowAtCommit(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account a = ids.persistedThen(jpa, email, (em, account) -> {
            account.setName("Changed");                           // a service method adjusting what it just saved
        });
        assertThat(row(ids, email)).isEqualTo(written(a, "Changed", "app", existing, 1));
        assertEntityIsRow(ids, a, email);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void changeAfterPersistWithExplicitFlushes(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account a = ids.persistedThen(jpa, email, (em, account) -> {
            account.setName("Changed");
            em.flush();
            assertThat(Upserts.outcome(em, account)).contains(expected(existing));
            assertThat(rowIn(em, ids, email)).isEqualTo(written(account, "Changed", "app", existing, 1));
            account.setName("Changed again");
            em.flush();
        });
        assertThat(row(ids, email)).isEqualTo(written(a, "Changed again", "app", existing, 2));
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void removeAfterPersistDeletesTheStoredRow(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        ids.persistedThen(jpa, email, (em, account) -> {
            em.remove(account);
            assertThat(em.contains(account)).isFalse();
        });
        assertThat(row(ids, email)).isNull();
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void refreshAfterPersistLoadsTheStoredRow(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account a = ids.persistedThen(jpa, email, (em, account) -> {
            account.setName("Unsaved");                            // refresh discards this, as for any entity
            em.refresh(account);
            assertThat(account.name).isEqualTo("New");
            assertThat(account.createdBy).isEqualTo(existing ? "seed" : "app");
            assertThat(rowIn(em, ids, email)).isEqualTo(written(account, "New", "app", existing, 0));
        });
        assertThat(row(ids, email)).isEqualTo(written(a, "New", "app", existing, 0));
        assertEntityIsRow(ids, a, email);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void mergeOfThePersistedInstanceKeepsIt(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account a = ids.persistedThen(jpa, email, (em, account) -> {
            IdKind.Account merged = em.merge(account);
            assertThat(merged).isSameAs(account);
            merged.setName("Merged");
        });
        assertThat(row(ids, email)).isEqualTo(written(a, "Merged", "app", existing, 1));
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void mergeOfANewInstanceUpsertsItsCopy(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account a = jpa.tx(em -> {
            IdKind.Account merged = em.merge(ids.create(email, "New", "app"));
            merged.setName("Merged");
            return merged;
        });
        assertThat(row(ids, email)).isEqualTo(written(a, "Merged", "app", existing, 1));
        assertEntityIsRow(ids, a, email);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void lockAfterPersistLocksTheStoredRow(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account a = ids.persistedThen(jpa, email, (em, account) -> {
            em.lock(account, LockModeType.PESSIMISTIC_WRITE);
            assertThat(Upserts.outcome(em, account)).contains(expected(existing));
            account.setName("Locked");
        });
        assertThat(row(ids, email)).isEqualTo(written(a, "Locked", "app", existing, 1));
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void detachAfterPersistWritesTheUpsertAndDetachesTheStoredRow(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account a = ids.persistedThen(jpa, email, (em, account) -> {
            em.detach(account);
            assertThat(em.contains(account)).isFalse();
            account.setName("Detached change");                   // not written: the instance is detached
        });
        assertThat(row(ids, email)).isEqualTo(written(a, "New", "app", existing, 0));
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void queryAfterChangeSeesTheStoredRowChanged(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account a = ids.persistedThen(jpa, email, (em, account) -> {
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
        });
        assertThat(row(ids, email)).isEqualTo(written(a, "Changed", "app", existing, 1));
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void removeThenPersistOfOneKeyLeavesTheNewRow(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account fresh = jpa.tx(em -> {
            IdKind.Account old = existing
                    ? em.createQuery("select a from " + ids.entity() + " a where a.email = :email", ids.type)
                        .setParameter("email", email).getSingleResult()
                    : persisted(em, ids.create(email, "Pending", "app"));
            em.remove(old);
            IdKind.Account replacement = ids.create(email, "Replacement", "app2");
            em.persist(replacement);
            return replacement;
        });
        assertThat(row(ids, email)).containsExactly(fresh.id(), "Replacement", "app2", 0L);
        assertEntityIsRow(ids, fresh, email);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void aServiceThatDoesEverythingInOneTransaction(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        String other = key(ids, existing);
        BiFunction<EntityManager, String, IdKind.Account> save = (em, key) -> persisted(em, ids.create(key, "Saved", "svc"));
        IdKind.Account kept = jpa.tx(em -> {
            IdKind.Account first = save.apply(em, email);
            IdKind.Account second = save.apply(em, other);
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
        assertThat(row(ids, email)).isEqualTo(written(kept, "Final", "svc", existing, 3));
        assertThat(storedId(ids, email)).isEqualTo(kept.id());
    }

    /**
     * Spring's {@code REQUIRES_NEW} inside a transaction with a pending upsert: a second EntityManager on the same thread
     * upserts the same key and commits while the outer upsert waits for its flush; the outer one then lands on that
     * row, changed after persist, and both entities hold its id.
     */
    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void anInnerTransactionOnTheSameThreadUpsertsTheKeyFirst(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account[] inner = new IdKind.Account[1];
        IdKind.Account outer = jpa.tx(em -> {
            IdKind.Account pending = persisted(em, ids.create(email, "Outer", "outer"));
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
    @org.junit.jupiter.params.provider.EnumSource(value = IdKind.class, names = {"SEQUENCE", "UUID", "ASSIGNED"})
    void untouchedUpsertsStayBatchedAcrossPlainInsertsAndQueries(IdKind ids) {
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add(key(ids, i % 3 == 0));
        }
        prepared.clear();
        List<IdKind.Account> accounts = jpa.tx(em -> {
            List<IdKind.Account> saved = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                if (i == 15) {
                    em.createQuery("select count(a) from " + IdKind.IDENTITY.entity() + " a", Long.class).getSingleResult();
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
    void changeAfterAnIdentityInsertRanTheQueuedUpsert(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account a = ids.persistedThen(jpa, email, (em, account) -> {
            em.persist(new Event("saved " + email));               // Hibernate runs the queued inserts first
            account.setName("Changed");
        });
        assertThat(row(ids, email)).isEqualTo(written(a, "Changed", "app", existing, 1));
        assertThat(db.queryLong("select count(*) from lc_event where text = 'saved " + email + "'")).isEqualTo(1);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "key stored: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void anUpdatePointingToAPendingUpsertBindsTheStoredId(boolean existing) {
        String email = key(IdKind.SEQUENCE, existing);
        long ticketId = jpa.tx(em -> persistedTicket(em, new Ticket("t-" + email)).id);
        IdKind.Account owner = jpa.tx(em -> {
            IdKind.Account account = persisted(em, IdKind.SEQUENCE.create(email, "Owner", "app"));
            em.find(Ticket.class, ticketId).setOwner((IdKind.SeqAccount) account);   // a plain update, at the same flush
            return account;
        });
        assertThat(db.queryValue("select owner_id from lc_ticket where id = " + ticketId)).isEqualTo(owner.id());
        assertThat(storedId(IdKind.SEQUENCE, email)).isEqualTo(owner.id());
    }

    private static Ticket persistedTicket(EntityManager em, Ticket ticket) {
        em.persist(ticket);
        return ticket;
    }

    private static IdKind.Account persisted(EntityManager em, IdKind.Account account) {
        Object assigned = account.id();
        em.persist(account);
        assertThat(account.id()).isEqualTo(assigned);   // generated ids stay null until the flush, assigned ones are kept
        return account;
    }
}
