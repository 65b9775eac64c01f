package dev.upsert.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyException;
import dev.upsert.SequenceDrift;
import dev.upsert.Upsert;
import dev.upsert.UpsertSettings;
import dev.upsert.micrometer.UpsertMetrics;
import dev.upsert.testing.CitusTest;
import dev.upsert.testing.TestSchema;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A 23505 on Citus comes from a worker, re-raised by the coordinator without schema, table or constraint, naming the
 * shard's index ({@code customer_tenant_id_email_key_102009}). The {@link DuplicateKeyException} still carries what it
 * carries on PostgreSQL: the logical constraint, schema, table, columns, entity, attributes and typed key values, on
 * distributed and reference tables; {@code findExisting}, the metrics' tags and the sequence drift work too.
 */
@CitusTest
class CitusDuplicateKeyIT {

    @Entity(name = "Customer") @Table(name = "customer")
    static class Customer {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "customer_ids")
        @SequenceGenerator(name = "customer_ids", sequenceName = "customer_ids", allocationSize = 50)
        Long id;
        @Column(name = "tenant_id") Long tenantId;
        String email;
        String name;
        Customer() { }
        Customer(long tenantId, String email, String name) { this.tenantId = tenantId; this.email = email; this.name = name; }
    }

    /** A constraint name so long that Citus shortens its shards' names with a hash. */
    @Entity(name = "Subscriber") @Table(name = "subscriber")
    static class Subscriber {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "subscriber_ids")
        @SequenceGenerator(name = "subscriber_ids", sequenceName = "subscriber_ids", allocationSize = 50)
        Long id;
        @Column(name = "tenant_id") Long tenantId;
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
    static class Member {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "member_ids")
        @SequenceGenerator(name = "member_ids", sequenceName = "member_ids", allocationSize = 50)
        Long id;
        @Column(name = "tenant_id") Long tenantId;
        String email;
        String username;
        Member() { }
        Member(long tenantId, String email, String username) { this.tenantId = tenantId; this.email = email; this.username = username; }
    }

    /** Ids from a sequence that someone reset: the primary key (tenant_id, id) collides. */
    @Entity(name = "Invoice") @Table(name = "invoice")
    static class Invoice {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "invoice_ids")
        @SequenceGenerator(name = "invoice_ids", sequenceName = "invoice_ids", allocationSize = 50)
        Long id;
        @Column(name = "tenant_id") Long tenantId;
        Invoice() { }
        Invoice(long tenantId) { this.tenantId = tenantId; }
    }

    static final String LONG_NAME = "subscriber_tenant_and_handle_must_be_unique_within_each_tenant_x";

    private static EntityManagerFactory emf;
    private static SimpleMeterRegistry registry;
    private static UpsertMetrics metrics;

    @BeforeAll
    static void boot(TestSchema db) {
        db.execute("""
                create sequence customer_ids increment by 50;
                create table customer (id bigint not null, tenant_id bigint not null, email text not null, name text,
                    primary key (tenant_id, id), constraint customer_tenant_id_email_key unique (tenant_id, email));
                select create_distributed_table('customer', 'tenant_id');
                create sequence subscriber_ids increment by 50;
                create table subscriber (id bigint not null, tenant_id bigint not null, handle text not null,
                    primary key (tenant_id, id), constraint %s unique (tenant_id, handle));
                select create_distributed_table('subscriber', 'tenant_id');
                create table country (code text primary key, name text not null);
                select create_reference_table('country');
                create sequence member_ids increment by 50;
                create table member (id bigint not null, tenant_id bigint not null, email text not null, username text not null,
                    primary key (tenant_id, id), constraint member_email_key unique (tenant_id, email),
                    constraint member_username_key unique (tenant_id, username));
                select create_distributed_table('member', 'tenant_id');
                create sequence invoice_ids increment by 50;
                create table invoice (id bigint not null, tenant_id bigint not null, primary key (tenant_id, id));
                select create_distributed_table('invoice', 'tenant_id');
                """.formatted(LONG_NAME.substring(0, 63)));
        Map<String, Object> settings = new HashMap<>(db.jpaProperties());
        settings.put("jakarta.persistence.schema-generation.database.action", "none");
        settings.put(UpsertSettings.METRICS_EXPECTED_CONSTRAINTS, "customer_tenant_id_email_key");
        emf = dev.upsert.testing.jpa.PersistenceUnit.create("citus-duplicates", settings,
                Customer.class, Subscriber.class, Country.class, Member.class, Invoice.class);
        registry = new SimpleMeterRegistry();
        metrics = new UpsertMetrics(emf);
        metrics.bindTo(registry);
    }

    @AfterAll
    static void close() {
        if (metrics != null) {
            metrics.close();
        }
        if (emf != null) {
            emf.close();
        }
    }

    private static void run(Consumer<EntityManager> work) {
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            work.accept(em);
            em.getTransaction().commit();
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }

    /** The DuplicateKeyException the work ends with; the transaction's rollback must not hide it. */
    private static DuplicateKeyException duplicate(Consumer<EntityManager> work) {
        try {
            run(work);
        } catch (RuntimeException e) {
            return DuplicateKeyException.find(e).orElseThrow(() -> new AssertionError("not a duplicate key", e));
        }
        throw new AssertionError("no duplicate key");
    }

    @Test
    void aDistributedTablesDuplicateNamesTheLogicalConstraintTableEntityAndTypedKey(TestSchema db) {
        run(em -> em.persist(new Customer(7, "ann@x.org", "Ann")));
        DuplicateKeyException e = duplicate(em -> em.persist(new Customer(7, "ann@x.org", "Other Ann")));

        assertThat(e.getSQLException().getMessage()).as("the worker's error names the shard's index")
                .containsPattern("customer_tenant_id_email_key_\\d+");
        assertThat(e.getConstraintName()).isEqualTo("customer_tenant_id_email_key");
        assertThat(e.getSchemaName()).isEqualTo(db.name());
        assertThat(e.getTableName()).isEqualTo("customer");
        assertThat(e.getColumnNames()).containsExactly("tenant_id", "email");
        assertThat(e.getEntityClass()).contains(Customer.class);
        assertThat(e.getAttributeNames()).containsExactly("tenantId", "email");
        assertThat(e.getKeyValues()).containsExactly(entry("tenant_id", 7L), entry("email", "ann@x.org"));

        EntityManager em = emf.createEntityManager();
        try {
            Customer existing = e.findExisting(em, Customer.class).orElseThrow();
            assertThat(existing.name).isEqualTo("Ann");
            assertThat(existing.tenantId).isEqualTo(7L);
        } finally {
            em.close();
        }
        assertThat(db.queryLong("select count(*) from customer where email = 'ann@x.org'")).isEqualTo(1);
    }

    @Test
    void aConstraintNameThatCitusShortensWithAHashIsStillFound(TestSchema db) {
        run(em -> em.persist(new Subscriber(3, "@ann")));
        DuplicateKeyException e = duplicate(em -> em.persist(new Subscriber(3, "@ann")));

        assertThat(e.getSQLException().getMessage()).doesNotContain(LONG_NAME.substring(0, 63) + "_");
        assertThat(e.getConstraintName()).isEqualTo(LONG_NAME.substring(0, 63));
        assertThat(e.getTableName()).isEqualTo("subscriber");
        assertThat(e.getEntityClass()).contains(Subscriber.class);
        assertThat(e.getAttributeNames()).containsExactly("tenantId", "handle");
        assertThat(e.getKeyValues()).containsExactly(entry("tenant_id", 3L), entry("handle", "@ann"));
    }

    @Test
    void aReferenceTablesDuplicateToo(TestSchema db) {
        run(em -> em.persist(new Country("PT", "Portugal")));
        DuplicateKeyException e = duplicate(em -> em.persist(new Country("PT", "Portugal again")));

        assertThat(e.getConstraintName()).isEqualTo("country_pkey");
        assertThat(e.getSchemaName()).isEqualTo(db.name());
        assertThat(e.getTableName()).isEqualTo("country");
        assertThat(e.getColumnNames()).containsExactly("code");
        assertThat(e.getEntityClass()).contains(Country.class);
        assertThat(e.getAttributeNames()).containsExactly("code");
        assertThat(e.getKeyValues()).containsExactly(entry("code", "PT"));
        assertThat(db.queryValue("select name from country where code = 'PT'")).isEqualTo("Portugal");
    }

    @Test
    void anUpsertThatCollidesOnItsOtherUniqueKey(TestSchema db) {
        run(em -> em.persist(new Member(5, "ann@x.org", "ann")));
        DuplicateKeyException e = duplicate(em -> em.persist(new Member(5, "bob@x.org", "ann")));

        assertThat(e.getConstraintName()).isEqualTo("member_username_key");
        assertThat(e.getTableName()).isEqualTo("member");
        assertThat(e.getEntityClass()).contains(Member.class);
        assertThat(e.getAttributeNames()).containsExactly("tenantId", "username");
        assertThat(e.getKeyValues()).containsExactly(entry("tenant_id", 5L), entry("username", "ann"));
        assertThat(db.query("select email, username from member")).containsExactly(List.of("ann@x.org", "ann"));
    }

    @Test
    void theMetricsCountTheLogicalConstraint() {
        double before = count("customer_tenant_id_email_key", "customer", "Customer", true);
        run(em -> em.persist(new Customer(8, "cy@x.org", "Cy")));
        duplicate(em -> em.persist(new Customer(8, "cy@x.org", "Cy")));
        assertThat(count("customer_tenant_id_email_key", "customer", "Customer", true)).isEqualTo(before + 1);
    }

    @Test
    void aSequenceBehindTheDistributedTableIsReportedWithItsRepair(TestSchema db) {
        db.execute("insert into invoice (id, tenant_id) select g, 1 from generate_series(1, 120) g");
        DuplicateKeyException e = duplicate(em -> em.persist(new Invoice(1)));

        assertThat(e.getConstraintName()).isEqualTo("invoice_pkey");
        assertThat(e.getColumnNames()).containsExactly("tenant_id", "id");
        SequenceDrift drift = e.getSequenceDrift().orElseThrow();
        assertThat(drift.sequenceName()).endsWith("invoice_ids");
        assertThat(drift.maxKey()).isEqualTo(120);
        db.execute(drift.repairSql());
        run(em -> em.persist(new Invoice(1)));
        assertThat(db.queryLong("select count(*) from invoice")).isEqualTo(121);
    }

    private static double count(String constraint, String table, String entity, boolean expected) {
        Counter counter = registry.find("upsert.duplicate.keys").tags("constraint", constraint, "table", table,
                "entity", entity, "expected", String.valueOf(expected)).counter();
        return counter == null ? 0 : counter.count();
    }
}
