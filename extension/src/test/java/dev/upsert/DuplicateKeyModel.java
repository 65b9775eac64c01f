package dev.upsert;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PersistenceUnit;

/**
 * The entities of the duplicate-key tests: {@link #ENTITIES}, which most of them share, then the tables of single
 * tests. Constraints that JPA cannot declare are added in SQL by the tests.
 */
final class DuplicateKeyModel {

    private DuplicateKeyModel() {
    }

    static final Class<?>[] ENTITIES = {Account.class, Member.class, Page.class, Person.class, Weird.class, Ticket.class, Pair.class};

    static final ExpectedKey ACCOUNT_EMAIL = ExpectedKey.of("account_email_uq", "account", Account.class, "email");
    static final ExpectedKey MEMBER_EMAIL = ExpectedKey.of("member_email_uq", "member", Member.class, "email");
    static final ExpectedKey PAGE_PKEY = new ExpectedKey("page_pkey", "page", List.of("tenant_id", "slug"), Page.class,
            List.of("id.tenantId", "id.slug"));
    /** The expression index that some tests add in SQL. */
    static final ExpectedKey PERSON_EMAIL_LOWER = new ExpectedKey("person_email_lower_uq", "person",
            List.of("lower(email::text)"), Person.class, List.of("email"));

    /** Creates the model's tables in {@code db}; the test then adds in SQL what JPA cannot declare. */
    static void createTables(TestSchema db) {
        PersistenceUnit.inSchema(db, "create", Map.of(), ENTITIES).close();
    }

    /**
     * A unit {@code name} of {@link #ENTITIES} over the tables as they are (built after the test's indexes exist: a
     * SessionFactory reads the unique keys of its tables at boot): {@code connection} (the schema's or a role's
     * {@code jpaProperties()}), then {@code settings}.
     */
    static EntityManagerFactory boot(String name, Map<String, Object> connection, Map<String, ?> settings) {
        Map<String, Object> all = new LinkedHashMap<>(connection);
        all.put("jakarta.persistence.schema-generation.database.action", "none");
        all.putAll(settings);
        return PersistenceUnit.create(name, all, ENTITIES);
    }

    /** IDENTITY id: persist inserts at once. */
    @Entity(name = "Account")
    @Table(name = "account", uniqueConstraints = @UniqueConstraint(name = "account_email_uq", columnNames = "email"))
    static class Account {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @Column(length = 10000) String email;
        String name;

        Account() {
        }

        Account(String email, String name) {
            this.email = email;
            this.name = name;
        }
    }

    /** Sequence id: inserts run at flush, batched when hibernate.jdbc.batch_size is set. */
    @Entity(name = "Member")
    @Table(name = "member", uniqueConstraints = @UniqueConstraint(name = "member_email_uq", columnNames = "email"))
    static class Member {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        String email;

        Member() {
        }

        Member(String email) {
            this.email = email;
        }
    }

    @Embeddable
    record PageKey(@Column(name = "tenant_id") Long tenantId, String slug) {
    }

    /** Composite primary key. */
    @Entity(name = "Page")
    @Table(name = "page")
    static class Page {
        @EmbeddedId PageKey id;
        String title;

        Page() {
        }

        Page(long tenantId, String slug, String title) {
            this.id = new PageKey(tenantId, slug);
            this.title = title;
        }
    }

    /** Expression index on lower(email) and partial index on handle, both added in SQL. */
    @Entity(name = "Person")
    @Table(name = "person")
    static class Person {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String email;
        String handle;
        boolean deleted;

        Person() {
        }

        Person(String email, String handle, boolean deleted) {
            this.email = email;
            this.handle = handle;
            this.deleted = deleted;
        }
    }

    /** Quoted identifiers; the constraint (named {@code weird "uq", x}) is added in SQL. */
    @Entity(name = "Weird")
    @Table(name = "\"Weird Table\"")
    static class Weird {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @Column(name = "\"Tenant Id\"") Integer tenantId;
        @Column(name = "\"a,b\"") String ab;

        Weird() {
        }

        Weird(int tenantId, String ab) {
            this.tenantId = tenantId;
            this.ab = ab;
        }
    }

    /** A DEFERRABLE INITIALLY DEFERRED unique constraint on code, added in SQL. */
    @Entity(name = "Ticket")
    @Table(name = "ticket")
    static class Ticket {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String code;

        Ticket() {
        }

        Ticket(String code) {
            this.code = code;
        }
    }

    /** UNIQUE NULLS NOT DISTINCT (a, b) on PostgreSQL 15+, a plain unique index before. */
    @Entity(name = "Pair")
    @Table(name = "pair")
    static class Pair {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String a;
        String b;

        Pair() {
        }

        Pair(String a, String b) {
            this.a = a;
            this.b = b;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // DuplicateKeyWhichRowIT's own tables

    static final Class<?>[] WHICH_ROW_ENTITIES = {Alpha.class, Beta.class, Tag.class, Counter.class};

    /** @Upsert on code; handle has a unique constraint of its own, which ON CONFLICT (code) does not absorb. */
    @Entity(name = "Alpha")
    @Table(name = "alpha", uniqueConstraints = {
            @UniqueConstraint(name = "alpha_code_uq", columnNames = "code"),
            @UniqueConstraint(name = "alpha_handle_uq", columnNames = "handle")})
    @Upsert(on = "code")
    static class Alpha {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        String code;
        String handle;

        Alpha() {
        }

        Alpha(String code, String handle) {
            this.code = code;
            this.handle = handle;
        }
    }

    /** Another @Upsert type: its rows wait in the same pending batch as Alpha's. */
    @Entity(name = "Beta")
    @Table(name = "beta", uniqueConstraints = @UniqueConstraint(name = "beta_code_uq", columnNames = "code"))
    @Upsert(on = "code")
    static class Beta {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        String code;

        Beta() {
        }

        Beta(String code) {
            this.code = code;
        }
    }

    /** Two text columns: ("x", "y, z") and ("x, y", "z") print alike in DETAIL. */
    @Entity(name = "Tag")
    @Table(name = "tag", uniqueConstraints = @UniqueConstraint(name = "tag_owner_name_uq", columnNames = {"owner", "name"}))
    static class Tag {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        String owner;
        String name;

        Tag() {
        }

        Tag(String owner, String name) {
            this.owner = owner;
            this.name = name;
        }
    }

    /** Keys of several types, each with its own unique constraint. */
    @Entity(name = "Counter")
    @Table(name = "counter", uniqueConstraints = {
            @UniqueConstraint(name = "counter_number_uq", columnNames = "number"),
            @UniqueConstraint(name = "counter_token_uq", columnNames = "token"),
            @UniqueConstraint(name = "counter_at_uq", columnNames = "at")})
    static class Counter {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        Long number;
        UUID token;
        java.time.Instant at;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // DuplicateKeyHostileValuesIT's own tables: one unique text column, inserted at persist or batched at flush

    /** The unique text column, long enough for every hostile key. */
    @MappedSuperclass
    abstract static class HandleValue {
        @Column(length = 100_000) String value;

        HandleValue() {
        }

        HandleValue(String value) {
            this.value = value;
        }
    }

    @Entity(name = "Handle")
    @Table(name = "handle", uniqueConstraints = @UniqueConstraint(name = "handle_value_uq", columnNames = "value"))
    static class Handle extends HandleValue {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        Handle() { }
        Handle(String value) { super(value); }
    }

    @Entity(name = "BatchedHandle")
    @Table(name = "batched_handle", uniqueConstraints = @UniqueConstraint(name = "batched_handle_value_uq", columnNames = "value"))
    static class BatchedHandle extends HandleValue {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        BatchedHandle() { }
        BatchedHandle(String value) { super(value); }
    }
}
