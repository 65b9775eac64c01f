package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.StatelessSession;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.NaturalId;
import org.hibernate.annotations.NaturalIdCache;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * The second-level cache (JCache, Ehcache 3) on {@code @Upsert} entities: the stored row is cached under the stored
 * id, never a proposed one; an upsert that updates a row leaves no stale entry, in the entity, natural-id and query
 * caches alike. Ids come from a sequence, one at a time, so the id each persist proposed is known to the test.
 */
@PostgresTest
class UpsertSecondLevelCacheIT {

    /** READ_WRITE, with a cached natural id as the conflict target. */
    @Entity @Table(name = "l2_account")
    @Upsert @Cache(usage = CacheConcurrencyStrategy.READ_WRITE) @NaturalIdCache
    static class Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "l2_account_seq")
        @SequenceGenerator(name = "l2_account_seq", sequenceName = "l2_account_seq", allocationSize = 1)
        Long id;
        @NaturalId String email;
        String name;
        Account() { }
        Account(String email, String name) { this.email = email; this.name = name; }
    }

    /** NONSTRICT_READ_WRITE, IDENTITY id (its statement runs at persist), key by a unique column. */
    @Entity @Table(name = "l2_city", uniqueConstraints = @jakarta.persistence.UniqueConstraint(columnNames = "code"))
    @Upsert(on = "code") @Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
    static class City extends CodedEntity {
        City() { }
        City(String code, String name) { super(code, name); }
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(cacheSettings("l2-it"), Account.class, City.class);
    static SessionFactory factory;

    @BeforeAll
    static void unwrapFactory() {
        factory = jpa.factory().unwrap(SessionFactory.class);
    }

    /** A JCache second-level cache and query cache, regions created on demand, statistics on. */
    static Map<String, Object> cacheSettings(String prefix) {
        return Map.of(
                "hibernate.cache.use_second_level_cache", "true",
                "hibernate.cache.use_query_cache", "true",
                "hibernate.cache.region.factory_class", "jcache",
                "hibernate.javax.cache.provider", "org.ehcache.jsr107.EhcacheCachingProvider",
                "hibernate.javax.cache.missing_cache_strategy", "create",
                "hibernate.cache.region_prefix", prefix,
                "hibernate.generate_statistics", "true",
                "hibernate.jdbc.batch_size", "20");
    }

    @AfterAll
    static void close() {
        // one JCache CacheManager serves both factories: closing one closes it, so both close at the end (this unit
        // before the class's own, which the extension closes after every @AfterAll)
        if (cachedByMode != null) {
            cachedByMode.close();
        }
    }

    /** A second persistence unit, {@code sharedCache.mode = ALL}, opened by the one test that uses it. */
    static Jpa cachedByMode;

    @BeforeEach
    void emptyCaches() {
        factory.getCache().evictAllRegions();
        statistics().clear();
    }

    static Statistics statistics() {
        return factory.getStatistics();
    }

    /** The sequence's next value: the id the next persist proposes. */
    static long nextProposedId() {
        return jpa.db().queryLong("select last_value + 1 from l2_account_seq");
    }

    @Test
    void theInsertedRowIsCachedUnderItsIdAndReadFromTheCache() {
        Account ann = jpa.persisted(new Account("ann@x.org", "Ann"));
        assertThat(nameById(ann.id)).isEqualTo("Ann");
        assertThat(factory.getCache().containsEntity(Account.class, ann.id)).isTrue();
        long hits = statistics().getSecondLevelCacheHitCount();
        jpa.db().execute("update l2_account set name = 'changed behind the cache' where id = " + ann.id);
        assertThat(nameById(ann.id)).isEqualTo("Ann");  // served by the cache, as Hibernate serves any cached entity
        assertThat(statistics().getSecondLevelCacheHitCount()).isGreaterThan(hits);
    }

    @Test
    void anUpdatedRowLeavesNoStaleEntryAndNothingIsCachedUnderTheProposedId() {
        Account bob = jpa.persisted(new Account("bob@x.org", "Bob"));
        assertThat(nameById(bob.id)).isEqualTo("Bob");
        assertThat(factory.getCache().containsEntity(Account.class, bob.id)).isTrue();

        long proposed = nextProposedId();
        Account again = jpa.upserted(new Account("bob@x.org", "Bob B"), UpsertOutcome.UPDATED);
        assertThat(again.id).isEqualTo(bob.id).isNotEqualTo(proposed);
        assertThat(jpa.db().query("select id, name from l2_account where email = 'bob@x.org'")).containsExactly(List.of(bob.id, "Bob B"));
        assertThat(factory.getCache().containsEntity(Account.class, proposed)).isFalse();
        assertThat(nameById(bob.id)).isEqualTo("Bob B");
        assertThat(nameById(proposed)).isNull();
        assertThat(factory.getCache().containsEntity(Account.class, proposed)).isFalse();
    }

    @Test
    void theNaturalIdCacheResolvesTheKeyToTheStoredId() {
        Account cid = jpa.persisted(new Account("cid@x.org", "Cid"));
        assertThat(nameByNaturalId("cid@x.org")).isEqualTo("Cid");
        jpa.upserted(new Account("cid@x.org", "Cid B"), UpsertOutcome.UPDATED);
        assertThat(nameByNaturalId("cid@x.org")).isEqualTo("Cid B");
        assertThat(idByNaturalId("cid@x.org")).isEqualTo(cid.id);
        // a key first upserted when its row exists, before the natural id was ever resolved
        factory.getCache().evictAllRegions();
        jpa.persisted(new Account("cid@x.org", "Cid C"));
        assertThat(idByNaturalId("cid@x.org")).isEqualTo(cid.id);
        assertThat(nameByNaturalId("cid@x.org")).isEqualTo("Cid C");
    }

    @Test
    void aCachedQueryIsInvalidatedByAnUpsert() {
        jpa.run(em -> em.persist(new Account("dan@x.org", "Dan")));
        assertThat(cachedQueryNames("dan@x.org")).containsExactly("Dan");
        assertThat(cachedQueryNames("dan@x.org")).containsExactly("Dan");
        assertThat(statistics().getQueryCacheHitCount()).isEqualTo(1);
        jpa.run(em -> em.persist(new Account("dan@x.org", "Dan B")));
        assertThat(cachedQueryNames("dan@x.org")).containsExactly("Dan B");
        jpa.run(em -> em.persist(new Account("dan2@x.org", "Dan 2")));
        assertThat(cachedQueryNames("dan2@x.org")).containsExactly("Dan 2");
    }

    @Test
    void withAnIdentityIdTheUpdatedRowLeavesNoStaleEntry() {
        City first = jpa.persisted(new City("BER", "Berlin"));
        assertThat(cityName(first.id)).isEqualTo("Berlin");
        jpa.upsertedOver(first, new City("BER", "Berlin (DE)"), UpsertOutcome.UPDATED);
        assertThat(cityName(first.id)).isEqualTo("Berlin (DE)");
    }

    @Test
    void aStatelessUpsertEvictsTheStoredRow() {
        Account eve = jpa.persisted(new Account("eve@x.org", "Eve"));
        assertThat(nameById(eve.id)).isEqualTo("Eve");
        try (StatelessSession stateless = factory.openStatelessSession()) {
            stateless.getTransaction().begin();
            stateless.insert(new Account("eve@x.org", "Eve B"));
            stateless.getTransaction().commit();
        }
        assertThat(nameById(eve.id)).isEqualTo("Eve B");
    }

    @Test
    void sharedCacheModeAllCachesEveryUpsertEntity(TestSchema schema) {
        Map<String, Object> settings = new java.util.HashMap<>(cacheSettings("l2-all"));
        settings.put("jakarta.persistence.sharedCache.mode", "ALL");
        cachedByMode = new Jpa(schema, settings, Plain.class);
        Jpa all = cachedByMode;
        {
            SessionFactory sf = all.factory.unwrap(SessionFactory.class);
            Plain p = all.tx(em -> {
                var x = new Plain("k1", "v1");
                em.persist(x);
                return x;
            });
            all.run(em -> em.persist(new Plain("k1", "v2")));
            String value = all.tx(em -> em.find(Plain.class, p.id).value);
            assertThat(value).isEqualTo("v2");
            assertThat(sf.getCache().containsEntity(Plain.class, p.id)).isTrue();
            all.run(em -> em.persist(new Plain("k1", "v3")));
            String after = all.tx(em -> em.find(Plain.class, p.id).value);
            assertThat(after).isEqualTo("v3");
            long hits = sf.getStatistics().getSecondLevelCacheHitCount();
            String cached = all.tx(em -> em.find(Plain.class, p.id).value);
            assertThat(cached).isEqualTo("v3");
            assertThat(sf.getStatistics().getSecondLevelCacheHitCount()).isGreaterThan(hits);
        }
    }

    /** No {@code @Cache}: cached because of {@code sharedCache.mode = ALL}. */
    @Entity @Table(name = "l2_plain", uniqueConstraints = @jakarta.persistence.UniqueConstraint(columnNames = "k"))
    @Upsert(on = "k")
    static class Plain {
        @Id @GeneratedValue Long id;
        String k;
        String value;
        Plain() { }
        Plain(String k, String value) { this.k = k; this.value = value; }
    }

    private static String nameById(long id) {
        return jpa.tx(em -> {
            Account a = em.find(Account.class, id);
            return a == null ? null : a.name;
        });
    }

    private static String cityName(long id) {
        return jpa.tx(em -> em.find(City.class, id).name);
    }

    private static String nameByNaturalId(String email) {
        return jpa.tx(em -> {
            Account a = session(em).bySimpleNaturalId(Account.class).load(email);
            return a == null ? null : a.name;
        });
    }

    private static Long idByNaturalId(String email) {
        return jpa.tx(em -> {
            Account a = session(em).bySimpleNaturalId(Account.class).load(email);
            return a == null ? null : a.id;
        });
    }

    private static List<String> cachedQueryNames(String email) {
        return jpa.tx(em -> em.createQuery("select a.name from UpsertSecondLevelCacheIT$Account a where a.email = :email", String.class)
                .setParameter("email", email).setHint("org.hibernate.cacheable", true).getResultList());
    }

    private static Session session(EntityManager em) {
        return em.unwrap(Session.class);
    }
}
