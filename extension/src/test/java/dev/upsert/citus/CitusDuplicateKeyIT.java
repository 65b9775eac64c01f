package dev.upsert.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyException;
import dev.upsert.SequenceDrift;
import dev.upsert.UpsertSettings;
import dev.upsert.micrometer.UpsertMetrics;
import dev.upsert.citus.CitusModel.Country;
import dev.upsert.citus.CitusModel.Customer;
import dev.upsert.citus.CitusModel.Invoice;
import dev.upsert.citus.CitusModel.Member;
import dev.upsert.citus.CitusModel.Subscriber;
import dev.upsert.testing.CitusTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PersistenceUnit;
import dev.upsert.testing.jpa.Teardown;
import dev.upsert.testing.jpa.Transactions;

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

    static final String LONG_NAME = "subscriber_tenant_and_handle_must_be_unique_within_each_tenant_x";

    private static EntityManagerFactory emf;
    private static SimpleMeterRegistry registry;
    private static UpsertMetrics metrics;

    @BeforeAll
    static void boot(TestSchema db) {
        db.execute("""
                create sequence customer_seq increment by 50;
                create table customer (id bigint not null, tenant_id bigint not null, email text not null, name text,
                    primary key (tenant_id, id), constraint customer_tenant_id_email_key unique (tenant_id, email));
                select create_distributed_table('customer', 'tenant_id');
                create sequence subscriber_seq increment by 50;
                create table subscriber (id bigint not null, tenant_id bigint not null, handle text not null,
                    primary key (tenant_id, id), constraint %s unique (tenant_id, handle));
                select create_distributed_table('subscriber', 'tenant_id');
                create table country (code text primary key, name text not null);
                select create_reference_table('country');
                create sequence member_seq increment by 50;
                create table member (id bigint not null, tenant_id bigint not null, email text not null, username text not null,
                    primary key (tenant_id, id), constraint member_email_key unique (tenant_id, email),
                    constraint member_username_key unique (tenant_id, username));
                select create_distributed_table('member', 'tenant_id');
                create sequence invoice_seq increment by 50;
                create table invoice (id bigint not null, tenant_id bigint not null, primary key (tenant_id, id));
                select create_distributed_table('invoice', 'tenant_id');
                """.formatted(LONG_NAME.substring(0, 63)));
        emf = PersistenceUnit.inSchema(db, "none", Map.of(UpsertSettings.METRICS_EXPECTED_CONSTRAINTS, "customer_tenant_id_email_key"),
                Customer.class, Subscriber.class, Country.class, Member.class, Invoice.class);
        registry = new SimpleMeterRegistry();
        metrics = new UpsertMetrics(emf);
        metrics.bindTo(registry);
    }

    @AfterAll
    static void close() {
        Teardown.closeAll(metrics, emf);
    }

    private static void run(Consumer<EntityManager> work) {
        Transactions.runInTransaction(emf, work);
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
        assertThat(drift.sequenceName()).endsWith("invoice_seq");
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
