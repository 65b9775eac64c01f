package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostPersist;
import jakarta.persistence.PrePersist;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.TableGenerator;
import jakarta.persistence.Transient;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;

import org.junit.jupiter.params.provider.Arguments;

import dev.upsert.Upsert;
import dev.upsert.testing.TestSchema;

/**
 * The id kinds an {@code @Upsert} entity can have, each as one account entity keyed by email ({@code kind_*} tables):
 * the lifecycle and id-visibility tests run every scenario over them. (The build copies this file next to the
 * enhanced copies of those tests, so their entities are enhanced too.)
 */
enum IdKind {
    SEQUENCE(SeqAccount.class, SeqAccount::new, true), SEQUENCE_ONE(SeqOneAccount.class, SeqOneAccount::new, true),
    IDENTITY(IdentityAccount.class, IdentityAccount::new, true), UUID(UuidAccount.class, UuidAccount::new, true),
    TABLE(TableAccount.class, TableAccount::new, true), ASSIGNED(AssignedAccount.class, AssignedAccount::new, false),
    IDENTITY_WITH_COLLECTION(IdentityTaggedAccount.class, IdentityTaggedAccount::new, false);

    final Class<? extends Account> type;
    final String table;
    private final Supplier<Account> constructor;
    /** The id waits for the flush (every generated id but IDENTITY on an entity with collections). */
    final boolean nullUntilFlush;

    IdKind(Class<? extends Account> type, Supplier<Account> constructor, boolean nullUntilFlush) {
        this.type = type;
        this.table = type.getAnnotation(Table.class).name();
        this.constructor = constructor;
        this.nullUntilFlush = nullUntilFlush;
    }

    /** The columns every account shares: the key, a name, a column only an insert writes, a version. */
    @MappedSuperclass
    abstract static class Account {
        String email;
        String name;
        @Column(name = "created_by", updatable = false) String createdBy;
        @Version int version;
        @Transient Object idAtPrePersist = "unset";
        @Transient Object idAtPostPersist = "unset";

        abstract Object id();

        /**
         * Changes after persist go through a setter, as in an application: an enhanced entity tracks changes in its
         * own methods only (a write to its field from another class is invisible to Hibernate's dirty tracking).
         */
        void setName(String name) {
            this.name = name;
        }

        @PrePersist
        void prePersist() {
            idAtPrePersist = id();
        }

        @PostPersist
        void postPersist() {
            idAtPostPersist = id();
        }
    }

    @Entity(name = "KindSeq") @Table(name = "kind_seq", uniqueConstraints = @UniqueConstraint(name = "kind_seq_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class SeqAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "kind_seq_ids")
        @SequenceGenerator(name = "kind_seq_ids", sequenceName = "kind_seq_ids", allocationSize = 50)
        Long id;

        @Override Object id() { return id; }
    }

    @Entity(name = "KindSeqOne") @Table(name = "kind_seq_one", uniqueConstraints = @UniqueConstraint(name = "kind_seq_one_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class SeqOneAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "kind_seq_one_ids")
        @SequenceGenerator(name = "kind_seq_one_ids", sequenceName = "kind_seq_one_ids", allocationSize = 1)
        Long id;

        @Override Object id() { return id; }
    }

    @Entity(name = "KindIdentity") @Table(name = "kind_identity", uniqueConstraints = @UniqueConstraint(name = "kind_identity_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class IdentityAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;

        @Override Object id() { return id; }
    }

    @Entity(name = "KindUuid") @Table(name = "kind_uuid", uniqueConstraints = @UniqueConstraint(name = "kind_uuid_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class UuidAccount extends Account {
        @Id @GeneratedValue UUID id;

        @Override Object id() { return id; }
    }

    /** Hibernate's table generator (JPA's {@code TABLE} strategy), its ids in blocks of 10: Hibernate proposes them at persist. */
    @Entity(name = "KindTable") @Table(name = "kind_table", uniqueConstraints = @UniqueConstraint(name = "kind_table_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class TableAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.TABLE, generator = "kind_table_ids")
        @TableGenerator(name = "kind_table_ids", table = "kind_table_ids", allocationSize = 10)
        Long id;

        @Override Object id() { return id; }
    }

    @Entity(name = "KindAssigned") @Table(name = "kind_assigned", uniqueConstraints = @UniqueConstraint(name = "kind_assigned_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class AssignedAccount extends Account {
        private static final AtomicLong NEXT = new AtomicLong(1_000);
        @Id Long id = NEXT.incrementAndGet();   // the application assigns it, e.g. from its own id service

        @Override Object id() { return id; }
    }

    /** IDENTITY with a collection keeps Hibernate's IDENTITY path: the statement runs at persist, the id is stored. */
    @Entity(name = "KindIdentityTags") @Table(name = "kind_identity_tags", uniqueConstraints = @UniqueConstraint(name = "kind_identity_tags_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class IdentityTaggedAccount extends Account {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @ElementCollection List<String> tags = new ArrayList<>();

        @Override Object id() { return id; }
    }

    private static final AtomicInteger KEYS = new AtomicInteger();

    String entity() {
        return type.getAnnotation(Entity.class).name();
    }

    Account create(String email, String name) {
        return create(email, name, null);
    }

    Account create(String email, String name, String createdBy) {
        Account a = constructor.get();
        a.email = email;
        a.name = name;
        a.createdBy = createdBy;
        return a;
    }

    /**
     * A fresh key ({@code prefix} tells the test apart in logs); when {@code existing}, stored first as (name 'Old',
     * created_by 'seed', version 0).
     */
    String key(Jpa jpa, String prefix, boolean existing) {
        String email = prefix + KEYS.incrementAndGet() + "-" + name().toLowerCase() + "@x.org";
        if (existing) {
            jpa.run(em -> em.persist(create(email, "Old", "seed")));
        }
        return email;
    }

    /**
     * A new account (name 'New', created_by 'app') persisted in a transaction of its own, then {@code next}, a service
     * method's next step with it; answers the account once committed. A generated id is still null after persist.
     */
    Account persistedThen(Jpa jpa, String email, BiConsumer<EntityManager, Account> next) {
        return jpa.tx(em -> {
            Account account = create(email, "New", "app");
            em.persist(account);
            if (nullUntilFlush) {
                assertThat(account.id()).as("id after persist").isNull();
            }
            next.accept(em, account);
            return account;
        });
    }

    Object storedId(TestSchema db, String email) {
        return db.queryValue("select id from " + table + " where email = '" + email + "'");
    }

    /** Every kind given, with its key stored first and not: a test's cases. */
    static List<Arguments> keyStoredOrNot(IdKind... kinds) {
        List<Arguments> cases = new ArrayList<>();
        for (IdKind kind : kinds) {
            cases.add(Arguments.of(kind, true));
            cases.add(Arguments.of(kind, false));
        }
        return cases;
    }
}
