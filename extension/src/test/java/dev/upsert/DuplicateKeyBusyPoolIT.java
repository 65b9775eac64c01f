package dev.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyModel.Account;
import dev.upsert.DuplicateKeyModel.Member;
import dev.upsert.DuplicateKeyModel.Page;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PooledPersistenceUnit;
import dev.upsert.testing.jpa.StartingGate;

/**
 * No duplicate waits for a connection: the failing transaction holds one, and a second one from a full pool would
 * take HikariCP's whole connection timeout (30 s here, its default). The unique keys of the mapped tables are read
 * at boot; each SessionFactory below is new, so every duplicate is its constraint's first.
 */
@PostgresTest
class DuplicateKeyBusyPoolIT {

    /** Generous against a loaded CI machine, and far below the pool timeout. */
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final long POOL_TIMEOUT_MS = 30_000;

    @BeforeAll
    static void schema(TestSchema db) {
        DuplicateKeyModel.createTables(db);
        db.execute("insert into account (email, name) values ('ann@x.org', 'Ann');"
                + "insert into member (id, email) values (-1, 'bob@x.org');"
                + "insert into page (tenant_id, slug, title) values (1, 'home', 'Home')");
    }

    @Test
    void aPoolOfOneAnswersEveryFirstDuplicateAtOnce(TestSchema db) throws Exception {
        try (PooledPersistenceUnit pooled = pooled(db, "dk-pool-1", 1)) {
            List<Long> millis = burst(pooled.factory(), db.name(), 3);
            assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(BOUND.toMillis()));
        }
        assertRowsUnchanged(db);
    }

    @Test
    void aPoolOfTwoAnswersTenConcurrentFirstDuplicatesAtOnce(TestSchema db) throws Exception {
        try (PooledPersistenceUnit pooled = pooled(db, "dk-pool-2", 2)) {
            List<Long> millis = burst(pooled.factory(), db.name(), 10);
            assertThat(millis).hasSize(10).allSatisfy(ms -> assertThat(ms).isLessThan(BOUND.toMillis()));
        }
        assertRowsUnchanged(db);
    }

    /**
     * An index created after boot is not waited for either: the first duplicate is answered from the server's
     * fields and DETAIL at once (an expression's columns are unknown then), and the catalog is read in the
     * background, so that a later duplicate has the columns.
     */
    @Test
    void anIndexCreatedAfterBootIsAnsweredAtOnceAndLearnedInTheBackground(TestSchema db) throws Exception {
        String owner;
        try (PooledPersistenceUnit pooled = pooled(db, "dk-pool-late", 1)) {
            owner = catalogOwner(pooled);
            db.execute("create unique index account_name_lower_uq on account (lower(name))");
            try {
                long start = System.nanoTime();
                DuplicateKeyException first = duplicate(pooled.factory(), em -> em.persist(new Account("new@x.org", "ANN")));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
                assertThat(first.getConstraintName()).isEqualTo("account_name_lower_uq");
                assertThat(first.getTableName()).isEqualTo("account");
                assertThat(first.getEntityClass()).contains(Account.class);
                assertThat(first.getColumnNames()).isEmpty();

                List<String> columns = List.of();
                long deadline = System.nanoTime() + BOUND.toNanos();
                while (columns.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    columns = duplicate(pooled.factory(), em -> em.persist(new Account("new@x.org", "ANN"))).getColumnNames();
                }
                assertThat(columns).containsExactly("lower(name::text)");
                assertThat(catalogThreads(owner)).as("the lookup ran on the SessionFactory's thread").isOne();
            } finally {
                db.execute("drop index account_name_lower_uq");
            }
        }
        // closing the SessionFactory stops the lookup thread
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (catalogThreads(owner) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(catalogThreads(owner)).isZero();
        assertRowsUnchanged(db);
    }

    /** Native SQL on a table no entity maps: not waited for either; the columns and values come from DETAIL. */
    @Test
    void aTableNoEntityMapsIsAnsweredAtOnce(TestSchema db) {
        db.execute("create table audit_code (code text constraint audit_code_uq unique); insert into audit_code values ('a1')");
        try (PooledPersistenceUnit pooled = pooled(db, "dk-pool-unmapped", 1)) {
            long start = System.nanoTime();
            DuplicateKeyException e = duplicate(pooled.factory(), em -> em
                    .createNativeQuery("insert into audit_code (code) values ('a1')").executeUpdate());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
            assertThat(e.getConstraintName()).isEqualTo("audit_code_uq");
            assertThat(e.getTableName()).isEqualTo("audit_code");
            assertThat(e.getColumnNames()).containsExactly("code");
            assertThat(e.getEntityClass()).isEmpty();
            assertThat(e.getKeyValues()).containsExactly(Map.entry("code", "a1"));
        } finally {
            assertThat(db.query("select code from audit_code")).containsExactly(List.of("a1"));
            db.execute("drop table audit_code");
        }
    }

    /** {@code threads} transactions at once, each hitting a duplicate; the time each took, start to exception. */
    private static List<Long> burst(EntityManagerFactory factory, String schema, int threads) throws Exception {
        List<Consumer<EntityManager>> duplicates = List.of(
                em -> em.persist(new Account("ann@x.org", "Ann again")),    // IDENTITY: inserts at persist
                em -> {
                    em.persist(new Member("bob@x.org"));
                    em.flush();
                },
                em -> {
                    em.persist(new Page(1, "home", "again"));
                    em.flush();
                });
        List<ExpectedKey> keys = List.of(DuplicateKeyModel.ACCOUNT_EMAIL, DuplicateKeyModel.MEMBER_EMAIL,
                DuplicateKeyModel.PAGE_PKEY);
        return StartingGate.run(threads, Duration.ofMinutes(2), task -> {
            int kind = task % duplicates.size();
            long start = System.nanoTime();
            DuplicateKeyException e = duplicate(factory, duplicates.get(kind));
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            keys.get(kind).assertNamedBy(e, schema);
            return millis;
        });
    }

    private static DuplicateKeyException duplicate(EntityManagerFactory factory, Consumer<EntityManager> work) {
        return DuplicateKeyException.find(DuplicateKeyIT.inTransactionFailing(factory, work)).orElseThrow();
    }

    /** The lookup thread is named after the SessionFactory: the unit's name on 7.x, its UUID on 6.6 (which names none). */
    private static String catalogOwner(PooledPersistenceUnit pooled) {
        var factory = pooled.factory().unwrap(org.hibernate.engine.spi.SessionFactoryImplementor.class);
        return factory.getName() != null ? factory.getName() : factory.getUuid();
    }

    private static long catalogThreads(String owner) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("upsert-hibernate unique key catalog of " + owner))
                .count();
    }

    private static void assertRowsUnchanged(TestSchema db) {
        assertThat(db.query("select email, name from account")).containsExactly(List.of("ann@x.org", "Ann"));
        assertThat(db.query("select email from member")).containsExactly(List.of("bob@x.org"));
        assertThat(db.query("select tenant_id, slug, title from page")).containsExactly(List.of(1L, "home", "Home"));
    }

    /** A SessionFactory over a HikariCP pool of {@code size} connections with a 30 s connection timeout. */
    private static PooledPersistenceUnit pooled(TestSchema db, String name, int size) {
        return PooledPersistenceUnit.boot(PooledPersistenceUnit.pool(db, name, size, "", c -> c.setConnectionTimeout(POOL_TIMEOUT_MS)),
                name, Map.of("hibernate.default_schema", db.name(), "jakarta.persistence.schema-generation.database.action", "none"),
                DuplicateKeyModel.ENTITIES);
    }
}
