package dev.upsert;

import static dev.upsert.DuplicateKeyIT.inTransaction;
import static dev.upsert.DuplicateKeyIT.inTransactionFailing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManagerFactory;

import org.hibernate.exception.GenericJDBCException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyModel.BatchedHandle;
import dev.upsert.DuplicateKeyModel.Handle;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PersistenceUnit;
import dev.upsert.testing.jpa.Teardown;

/**
 * {@link DuplicateKeyException} for plain (non-{@code @Upsert}) entities whose unique text column holds
 * {@link HostileKeys}: {@code getKeyValues()} returns exactly what the entity held, whether the extension took it
 * from the entity (one row in flight), matched DETAIL against a batch, or parsed DETAIL alone (native SQL); and the
 * message is the same, character for character, as for a harmless value, so it contains none of them.
 */
@PostgresTest
class DuplicateKeyHostileValuesIT {

    private static final Map<String, String> KEYS = HostileKeys.all();
    private static EntityManagerFactory emf;

    @BeforeAll
    static void start(TestSchema db) {
        Map<String, Object> settings = new HashMap<>(db.jpaProperties());
        settings.put("jakarta.persistence.schema-generation.database.action", "drop-and-create");
        settings.put("hibernate.jdbc.batch_size", "10");
        emf = PersistenceUnit.create("hostile-duplicates", settings, Handle.class, BatchedHandle.class);
        inTransaction(emf, em -> {
            em.persist(new Handle("harmless"));
            em.persist(new BatchedHandle("harmless"));
            KEYS.values().forEach(key -> {
                em.persist(new Handle(key));
                em.persist(new BatchedHandle(key));
            });
        });
    }

    @AfterAll
    static void stop() {
        Teardown.closeAll(emf);
    }

    @Test
    void persistOfOneRowReportsTheEntitysValue(TestSchema db) {
        String harmless = duplicate(new Handle("harmless")).getMessage();
        assertThat(harmless).contains("handle_value_uq", "Handle (value)");
        KEYS.forEach((name, key) -> {
            DuplicateKeyException e = duplicate(new Handle(key));
            assertThat(e.getKeyValues()).as(name).containsExactly(entry("value", key));
            assertThat(e.getAttributeNames()).as(name).containsExactly("value");
            assertThat(e.getMessage()).as(name).isEqualTo(harmless);
            assertThat(e.toString()).as(name).isEqualTo(DuplicateKeyException.class.getName() + ": " + harmless);
        });
        assertThat(db.queryLong("select count(*) from handle")).isEqualTo(KEYS.size() + 1);
    }

    @Test
    void batchedFlushMatchesDetailToTheRowThatFailed(TestSchema db) {
        String harmless = duplicateInBatch("harmless", 0).getMessage();
        assertThat(harmless).contains("batched_handle_value_uq", "BatchedHandle (value)");
        int[] round = {1};
        KEYS.forEach((name, key) -> {
            DuplicateKeyException e = duplicateInBatch(key, round[0]++);
            assertThat(e.getKeyValues()).as(name).containsExactly(entry("value", key));
            assertThat(e.getMessage()).as(name).isEqualTo(harmless);
        });
        assertThat(db.queryLong("select count(*) from batched_handle")).isEqualTo(KEYS.size() + 1);
    }

    @Test
    void nativeInsertTakesTheValueFromDetailAlone(TestSchema db) {
        String harmless = nativeDuplicate("harmless").getMessage();
        KEYS.forEach((name, key) -> {
            DuplicateKeyException e = nativeDuplicate(key);
            if (key.equals("null")) {
                // DETAIL prints the text 'null' and SQL NULL alike: unknown, not a guess
                assertThat(e.getKeyValues()).as(name).isEmpty();
            } else {
                assertThat(e.getKeyValues()).as(name).containsExactly(entry("value", key));
            }
            assertThat(e.getMessage()).as(name).isEqualTo(harmless);
        });
        assertThat(db.queryLong("select count(*) from handle")).isEqualTo(KEYS.size() + 1);
    }

    /** 54000 (index row too large) is left to Hibernate: no DuplicateKeyException, nothing written. */
    @Test
    void aValueTooLargeForTheIndexIsNotADuplicate(TestSchema db) {
        for (String huge : List.of(HostileKeys.random(6_000, 1), HostileKeys.random(10_000, 2))) {
            Throwable single = inTransactionFailing(emf, em -> em.persist(new Handle(huge)));
            Throwable batched = inTransactionFailing(emf, em -> {
                em.persist(new BatchedHandle("fresh"));
                em.persist(new BatchedHandle(huge));
                em.flush();
            });
            for (Throwable thrown : List.of(single, batched)) {
                assertThat(thrown).isExactlyInstanceOf(GenericJDBCException.class);
                assertThat(((GenericJDBCException) thrown).getSQLState()).isEqualTo("54000");
                assertThat(DuplicateKeyException.find(thrown)).isEmpty();
            }
            assertThat(single.getMessage()).doesNotContain(huge.substring(0, 20));
            assertThat(batched.getMessage()).doesNotContain(huge.substring(0, 20)).contains("Batch entry 1 was aborted");
        }
        assertThat(db.queryLong("select count(*) from handle")).isEqualTo(KEYS.size() + 1);
        assertThat(db.queryLong("select count(*) from batched_handle")).isEqualTo(KEYS.size() + 1);
    }

    private static DuplicateKeyException duplicate(Object entity) {
        Throwable thrown = inTransactionFailing(emf, em -> em.persist(entity));
        assertThat(thrown).isInstanceOf(DuplicateKeyException.class);
        return (DuplicateKeyException) thrown;
    }

    /** The taken key between two new ones, flushed as one JDBC batch. */
    private static DuplicateKeyException duplicateInBatch(String key, int round) {
        Throwable thrown = inTransactionFailing(emf, em -> {
            em.persist(new BatchedHandle("new " + round + " a"));
            em.persist(new BatchedHandle(key));
            em.persist(new BatchedHandle("new " + round + " b"));
            em.flush();
        });
        assertThat(thrown).isInstanceOf(DuplicateKeyException.class);
        return (DuplicateKeyException) thrown;
    }

    private static DuplicateKeyException nativeDuplicate(String key) {
        Throwable thrown = inTransactionFailing(emf, em -> em.createNativeQuery("insert into handle (value) values (?1)")
                .setParameter(1, key).executeUpdate());
        assertThat(thrown).isInstanceOf(DuplicateKeyException.class);
        return (DuplicateKeyException) thrown;
    }
}
