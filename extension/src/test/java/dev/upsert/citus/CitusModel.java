package dev.upsert.citus;

import java.util.Map;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import dev.upsert.Upsert;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PooledPersistenceUnit;

/**
 * The entities of the Citus tests, over hash-distributed tables (distributed by {@code tenant_id}) and a reference
 * table; each test creates its tables in SQL.
 */
final class CitusModel {

    private CitusModel() {
    }

    /** A unit of {@code entities} over a HikariCP pool of {@code size} connections to the coordinator, as in an application. */
    static PooledPersistenceUnit pooled(TestSchema db, String name, int size, Class<?>... entities) {
        return PooledPersistenceUnit.boot(PooledPersistenceUnit.pool(db, name, size, "", config -> { }), name,
                Map.of("hibernate.default_schema", db.name(), "jakarta.persistence.schema-generation.database.action", "none"),
                entities);
    }

    /**
     * A row of a table distributed by {@code tenant_id}, whose primary key is (tenant_id, id): Citus accepts only unique
     * keys that hold the distribution column. The id comes from the entity's own sequence, {@code <table>_seq} in steps
     * of 50 (Hibernate's default name and allocation size).
     */
    @MappedSuperclass
    abstract static class TenantRow {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        @Column(name = "tenant_id") Long tenantId;
    }

    @Entity(name = "Customer") @Table(name = "customer")
    static class Customer extends TenantRow {
        String email;
        String name;
        Customer() { }
        Customer(long tenantId, String email, String name) { this.tenantId = tenantId; this.email = email; this.name = name; }
    }

    /** A constraint name so long that Citus shortens its shards' names with a hash. */
    @Entity(name = "Subscriber") @Table(name = "subscriber")
    static class Subscriber extends TenantRow {
        String handle;
        Subscriber() { }
        Subscriber(long tenantId, String handle) { this.tenantId = tenantId; this.handle = handle; }
    }

    /** A reference table (one shard, a copy on every node): its error comes from a worker too. */
    @Entity(name = "Country") @Table(name = "country")
    static class Country {
        @Id String code;
        String name;
        Country() { }
        Country(String code, String name) { this.code = code; this.name = name; }
    }

    /** An upsert on (tenant_id, email) that collides on its other unique key, (tenant_id, username). */
    @Entity(name = "Member") @Table(name = "member") @Upsert(on = {"tenantId", "email"})
    static class Member extends TenantRow {
        String email;
        String username;
        Member() { }
        Member(long tenantId, String email, String username) { this.tenantId = tenantId; this.email = email; this.username = username; }
    }

    /** Ids from a sequence that someone reset: the primary key (tenant_id, id) collides. */
    @Entity(name = "Invoice") @Table(name = "invoice")
    static class Invoice extends TenantRow {
        Invoice() { }
        Invoice(long tenantId) { this.tenantId = tenantId; }
    }

    /** Get-or-create: an upsert that leaves an existing row alone. */
    @Entity(name = "Visit") @Table(name = "visit") @Upsert(on = {"tenantId", "page"}, action = Upsert.Action.NOTHING)
    static class Visit extends TenantRow {
        String page;
        Visit() { }
        Visit(long tenantId, String page) { this.tenantId = tenantId; this.page = page; }
    }

    /** An upsert whose {@code @Version} counts the updates of its key. */
    @Entity(name = "Tally") @Table(name = "tally") @Upsert(on = {"tenantId", "name"})
    static class Tally extends TenantRow {
        String name;
        String writer;
        @Version int version;
        Tally() { }
        Tally(long tenantId, String name, String writer) { this.tenantId = tenantId; this.name = name; this.writer = writer; }
    }
}
