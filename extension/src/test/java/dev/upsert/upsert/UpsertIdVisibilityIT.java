package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * No wrong id is ever visible: the id attribute of an {@code @Upsert} entity with a generated id is null from
 * {@code persist} until the flush that runs its statement, and the stored row's id after it, whether the key existed
 * (the proposed id is then not the row's) or not. Assigned ids stay the application's. Written as application code
 * reads ids: the attribute, a Spring-Data-like {@code save}, {@code PersistenceUnitUtil}, callbacks, queries.
 */
@PostgresTest
class UpsertIdVisibilityIT {

    /** A plain entity pointing to an {@code @Upsert} one, cascading persist to it. */
    @Entity(name = "IdvOrder") @Table(name = "idv_order")
    static class Order extends SequenceId {
        String label;
        @ManyToOne(cascade = CascadeType.PERSIST) @JoinColumn(name = "seq_account_id") IdKind.SeqAccount seqAccount;
        @ManyToOne @JoinColumn(name = "identity_account_id") IdKind.IdentityAccount identityAccount;
        @Column(name = "created_by") String createdBy;

        Order() {
        }

        Order(String label) {
            this.label = label;
        }
    }

    static TestSchema db;
    @AutoClose static Jpa jpa;

    @BeforeAll
    static void boot(TestSchema schema) {
        Jpa.assertEnhancedExactlyInTheEnhancedCopy(UpsertIdVisibilityIT.class, IdKind.SeqAccount.class);
        db = schema;
        jpa = new Jpa(schema, Map.of("hibernate.jdbc.batch_size", "20"), IdKind.SeqAccount.class, IdKind.SeqOneAccount.class,
                IdKind.IdentityAccount.class, IdKind.UuidAccount.class, IdKind.TableAccount.class, IdKind.AssignedAccount.class,
                IdKind.IdentityTaggedAccount.class, Order.class);
    }

    static List<Arguments> cases() {
        return IdKind.keyStoredOrNot(IdKind.values());
    }

    /** A fresh key; when {@code existing}, its row is stored first (name 'Old'). */
    private static String key(IdKind ids, boolean existing) {
        return ids.key(jpa, "v", existing);
    }

    private static Object storedId(IdKind ids, String email) {
        return ids.storedId(db, email);
    }

    private static Object storedIdIn(EntityManager em, IdKind ids, String email) {
        return em.createNativeQuery("select id from " + ids.table + " where email = :email").setParameter("email", email)
                .getSingleResult();
    }

    /** A pending entity's generated id stays null until the flush (see {@link IdKind#nullUntilFlush}), then is the stored row's. */
    private static void assertNullUntilTheFlushThenStored(EntityManager em, IdKind ids, IdKind.Account account, String email) {
        if (ids.nullUntilFlush) {
            assertThat(account.id()).isNull();
        }
        em.flush();
        assertThat(account.id()).isEqualTo(storedIdIn(em, ids, email));
    }

    /** Over a stored key the entity ends with that row's id; an assigned id stays the application's. */
    private static void assertKeptTheStoredId(IdKind ids, boolean existing, Object seeded, Object id) {
        if (existing && ids != IdKind.ASSIGNED) {
            assertThat(id).isEqualTo(seeded);
        }
    }

    private static void assertStoredRow(IdKind ids, String email, Object id, String name) {
        assertThat(db.query("select id, name from " + ids.table + " where email = '" + email + "'")).containsExactly(List.of(id, name));
    }

    /**
     * What the application can read of the id right after persist: the attribute is null (generated ids) or the
     * application's own (assigned); {@code Session.getIdentifier} and {@code PersistenceUnitUtil.getIdentifier} answer
     * no value of the id's type (Hibernate's placeholder for an id the statement has yet to give, as for a delayed
     * IDENTITY insert) or, for the utility on an entity that is not enhanced, the attribute. Never a proposed id.
     */
    private static void assertIdBeforeFlush(EntityManager em, IdKind ids, IdKind.Account account, Object assigned, String email) {
        Object readable = em.getEntityManagerFactory().getPersistenceUnitUtil().getIdentifier(account);
        Object identifier = em.unwrap(org.hibernate.Session.class).getIdentifier(account);
        Class<?> idType = idType(ids);
        if (ids == IdKind.IDENTITY_WITH_COLLECTION) {
            assertThat(account.id()).isEqualTo(storedIdIn(em, ids, email));
            assertThat(identifier).isEqualTo(account.id());
            return;
        }
        assertThat(identifier).as("Session.getIdentifier before the flush").isNotNull().isNotInstanceOf(idType);
        if (ids == IdKind.ASSIGNED) {
            assertThat(account.id()).isEqualTo(assigned);
            assertThat(readable).satisfiesAnyOf(r -> assertThat(r).isEqualTo(assigned), r -> assertThat(r).isNotInstanceOf(idType));
        } else {
            assertThat(account.id()).isNull();
            assertThat(readable).satisfiesAnyOf(r -> assertThat(r).isNull(), r -> assertThat(r).isNotInstanceOf(idType));
        }
    }

    private static Class<?> idType(IdKind ids) {
        return ids == IdKind.UUID ? UUID.class : Long.class;
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void theIdIsNullUntilTheFlushThenTheStoredOne(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        Object seeded = existing ? storedId(ids, email) : null;
        IdKind.Account saved = jpa.tx(em -> {
            IdKind.Account account = ids.create(email, "New");
            Object assigned = account.id();
            em.persist(account);
            assertIdBeforeFlush(em, ids, account, assigned, email);
            assertThat(em.contains(account)).isTrue();
            if (ids.nullUntilFlush) {
                assertThat(account.idAtPrePersist).isNull();
                assertThat(account.idAtPostPersist).isEqualTo("unset");   // the insert action runs at the flush
            }
            em.flush();
            assertThat(account.id()).isNotNull().isEqualTo(storedIdIn(em, ids, email));
            // @PostPersist runs once the stored row is written back: JPA promises generated ids there
            assertThat(account.idAtPostPersist).isEqualTo(account.id());
            assertThat(em.getEntityManagerFactory().getPersistenceUnitUtil().getIdentifier(account)).isEqualTo(account.id());
            assertThat(Upserts.outcome(em, account)).contains(existing ? UpsertOutcome.UPDATED : UpsertOutcome.INSERTED);
            return account;
        });
        assertThat(storedId(ids, email)).isEqualTo(saved.id());
        assertKeptTheStoredId(ids, existing, seeded, saved.id());
        assertThat(db.queryLong("select count(*) from " + ids.table + " where email = '" + email + "' and name = 'New'")).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void commitWithoutAnExplicitFlushLeavesTheStoredId(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account saved = ids.persistedThen(jpa, email, (em, account) -> { });   // nothing more: the commit flushes
        assertThat(saved.id()).isNotNull().isEqualTo(storedId(ids, email));
    }

    /** {@code SimpleJpaRepository.save}: {@code isNew} (a null id) persists, anything else merges. */
    @SuppressWarnings("unchecked")
    private static <T extends IdKind.Account> T save(EntityManager em, T entity) {
        if (entity.id() == null) {
            em.persist(entity);
            return entity;
        }
        return (T) em.merge(entity);
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void aRepositoryStyleSaveReadsNullThenSaveAndFlushReadsTheStoredId(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        String other = key(ids, existing);
        jpa.run(em -> {
            IdKind.Account first = save(em, ids.create(email, "Saved"));
            if (ids.nullUntilFlush) {
                assertThat(first.id()).isNull();
            }
            first.setName("Saved twice");
            assertThat(save(em, first)).isSameAs(first);          // saved again before the flush: still one instance
            IdKind.Account second = save(em, ids.create(other, "Saved and flushed"));
            em.flush();                                          // saveAndFlush
            assertThat(second.id()).isEqualTo(storedIdIn(em, ids, other));
            assertThat(first.id()).isEqualTo(storedIdIn(em, ids, email));
            assertThat(save(em, first)).isSameAs(first);          // now a merge of the managed instance
        });
        assertThat(db.query("select name from " + ids.table + " where email in ('" + email + "', '" + other + "') order by email"))
                .containsExactly(List.of("Saved twice"), List.of("Saved and flushed"));
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void aChangeBeforeTheFlushKeepsTheIdNullThenUpdatesTheStoredRow(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account saved = ids.persistedThen(jpa, email, (em, account) -> {
            account.setName("Changed");
            assertNullUntilTheFlushThenStored(em, ids, account, email);
        });
        assertStoredRow(ids, email, saved.id(), "Changed");
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void removeAfterPersistRemovesTheStoredRowAndLeavesItsId(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        Object seeded = existing ? storedId(ids, email) : null;
        IdKind.Account removed = ids.persistedThen(jpa, email, (em, account) -> {
            em.remove(account);                                  // the upsert runs first; the stored row is deleted
            assertThat(account.id()).isNotNull();
        });
        assertThat(db.queryLong("select count(*) from " + ids.table + " where email = '" + email + "'")).isZero();
        assertKeptTheStoredId(ids, existing, seeded, removed.id());
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void aQueryByKeyFlushesAndFindsTheSameInstanceWithTheStoredId(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account saved = ids.persistedThen(jpa, email, (em, account) -> {
            IdKind.Account found = em.createQuery("select a from " + ids.entity() + " a where a.email = :email", ids.type)
                    .setParameter("email", email).getSingleResult();
            assertThat(found).isSameAs(account);
            assertThat(account.id()).isNotNull().isEqualTo(storedIdIn(em, ids, email));
            assertThat(em.find(ids.type, account.id())).isSameAs(account);
        });
        assertThat(storedId(ids, email)).isEqualTo(saved.id());
    }

    static List<Arguments> pendingCases() {
        return cases().stream().filter(c -> c.get()[0] != IdKind.IDENTITY_WITH_COLLECTION).toList();
    }

    /**
     * A service reads the id right after {@code persist} ({@code Session.getIdentifier}): before the flush it gets
     * Hibernate's placeholder, no value of the id's type, so nothing can be looked up, linked or cached under an id
     * no row has; after the flush the stored row's id, under which {@code find} finds the same instance. A merge's
     * copy is the same.
     */
    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("pendingCases")
    void getIdentifierAnswersNoProposedIdBeforeTheFlushAndTheStoredIdAfter(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        String merged = key(ids, existing);
        Object seeded = existing ? storedId(ids, email) : null;
        IdKind.Account saved = jpa.tx(em -> {
            var session = em.unwrap(org.hibernate.Session.class);
            IdKind.Account account = ids.create(email, "New");
            em.persist(account);
            IdKind.Account copy = em.merge(ids.create(merged, "Merged"));
            assertThat(session.getIdentifier(account)).isNotInstanceOf(idType(ids));
            assertThat(session.getIdentifier(copy)).isNotInstanceOf(idType(ids));
            assertThat(session.contains(account)).isTrue();
            em.flush();
            assertThat(session.getIdentifier(account)).isEqualTo(account.id()).isEqualTo(storedIdIn(em, ids, email));
            assertThat(session.getIdentifier(copy)).isEqualTo(copy.id()).isEqualTo(storedIdIn(em, ids, merged));
            assertThat(em.find(ids.type, account.id())).isSameAs(account);
            assertThat(em.find(ids.type, copy.id())).isSameAs(copy);
            return account;
        });
        assertThat(storedId(ids, email)).isEqualTo(saved.id());
        assertKeptTheStoredId(ids, existing, seeded, saved.id());
    }

    @ParameterizedTest(name = "{0}, key stored: {1}")
    @MethodSource("cases")
    void mergeOfANewInstanceReturnsACopyWithoutIdUntilTheFlush(IdKind ids, boolean existing) {
        String email = key(ids, existing);
        IdKind.Account merged = jpa.tx(em -> {
            IdKind.Account copy = em.merge(ids.create(email, "Merged"));
            assertNullUntilTheFlushThenStored(em, ids, copy, email);
            return copy;
        });
        assertStoredRow(ids, email, merged.id(), "Merged");
    }

    @ParameterizedTest(name = "key stored: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aPlainEntityPointingToPendingUpsertsGetsTheStoredIdsAsForeignKeys(boolean existing) {
        String seqEmail = key(IdKind.SEQUENCE, existing);
        String identityEmail = key(IdKind.IDENTITY, existing);
        Order order = jpa.tx(em -> {
            IdKind.SeqAccount seq = (IdKind.SeqAccount) IdKind.SEQUENCE.create(seqEmail, "Buyer");
            IdKind.IdentityAccount identity = (IdKind.IdentityAccount) IdKind.IDENTITY.create(identityEmail, "Seller");
            em.persist(identity);
            Order o = new Order("o-" + seqEmail);
            o.seqAccount = seq;                                  // persisted by cascade with the order
            o.identityAccount = identity;
            em.persist(o);
            assertThat(seq.id).isNull();
            assertThat(identity.id).isNull();
            assertThat(o.id).isNotNull();                        // a plain entity's sequence id is its own
            return o;
        });
        assertThat(order.seqAccount.id).isEqualTo(storedId(IdKind.SEQUENCE, seqEmail));
        assertThat(order.identityAccount.id).isEqualTo(storedId(IdKind.IDENTITY, identityEmail));
        assertThat(db.query("select seq_account_id, identity_account_id from idv_order where id = " + order.id))
                .containsExactly(List.of(order.seqAccount.id, order.identityAccount.id));
    }

    @Test
    void manyRowsInOneFlushEachGetTheirStoredId() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            keys.add(key(IdKind.IDENTITY, i % 2 == 0));
        }
        List<IdKind.Account> saved = jpa.tx(em -> {
            List<IdKind.Account> accounts = new ArrayList<>();
            for (String key : keys) {
                IdKind.Account account = IdKind.IDENTITY.create(key, "Bulk");
                em.persist(account);
                accounts.add(account);
            }
            assertThat(accounts).allMatch(a -> a.id() == null);
            return accounts;
        });
        for (int i = 0; i < keys.size(); i++) {
            assertThat(saved.get(i).id()).isEqualTo(storedId(IdKind.IDENTITY, keys.get(i)));
        }
        assertThat(db.queryLong("select count(*) from " + IdKind.IDENTITY.table + " where name = 'Bulk'")).isEqualTo(40);
    }
}
