package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresExtension;
import dev.upsert.testing.TestSchema;

/**
 * A test class's one {@link Jpa}, booted on the class's schema before its first test and closed after its last, with
 * the steps the feature tests repeat (persist a new entity in a transaction of its own, check what the upsert did).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "20"), Account.class);
 * }</pre>
 *
 * Register it on a {@code @PostgresTest} class (whose schema it uses); its {@code @BeforeAll} methods run after the boot.
 */
final class JpaPerClass implements BeforeAllCallback, AfterAllCallback {

    private final Map<String, Object> settings;
    private final Class<?>[] entities;
    private Consumer<TestSchema> prepare = db -> { };
    private TestSchema db;
    private Jpa jpa;

    JpaPerClass(Map<String, Object> settings, Class<?>... entities) {
        this.settings = settings;
        this.entities = entities;
    }

    /** Runs {@code prepare} on the schema before the boot (tables the test creates itself, with triggers); returns this. */
    JpaPerClass preparing(Consumer<TestSchema> prepare) {
        this.prepare = prepare;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        db = PostgresExtension.schema(context);
        prepare.accept(db);
        jpa = new Jpa(db, settings, entities);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (jpa != null) {
            jpa.close();
        }
    }

    /** The test class's schema, for asserting what the tables hold. */
    TestSchema db() {
        return db;
    }

    EntityManagerFactory factory() {
        return jpa.factory;
    }

    <T> T tx(Function<EntityManager, T> work) {
        return jpa.tx(work);
    }

    void run(Consumer<EntityManager> work) {
        jpa.run(work);
    }

    /** Persists {@code entity} in a transaction of its own (its commit flushes); returns it. */
    <T> T persisted(T entity) {
        return jpa.tx(em -> {
            em.persist(entity);
            return entity;
        });
    }

    /** Persists {@code entity} in a transaction of its own, flushes and asserts the upsert's outcome; returns it. */
    <T> T upserted(T entity, UpsertOutcome expected) {
        return upserted(entity, expected, managed -> { });
    }

    /**
     * {@link #upserted(Object, UpsertOutcome)} of {@code again}, whose key {@code stored} holds; asserts that the upsert
     * handed {@code again} the stored row's id. Returns {@code again}.
     */
    <T> T upsertedOver(T stored, T again, UpsertOutcome expected) {
        upserted(again, expected);
        assertThat(id(again)).as("the stored row's id").isEqualTo(id(stored));
        return again;
    }

    /** The id of {@code entity}, managed or not. */
    Object id(Object entity) {
        return jpa.factory.getPersistenceUnitUtil().getIdentifier(entity);
    }

    /**
     * {@link #upserted(Object, UpsertOutcome)}, then {@code then} on the entity, still managed, before the commit: what
     * it changes is the dirty-checked update after the upsert.
     */
    <T> T upserted(T entity, UpsertOutcome expected, Consumer<T> then) {
        return jpa.tx(em -> {
            em.persist(entity);
            em.flush();
            assertThat(Upserts.outcome(em, entity)).contains(expected);
            then.accept(entity);
            return entity;
        });
    }

    /** Persists every entity in one transaction and one flush; returns each one's outcome, in order (each has one). */
    List<UpsertOutcome> outcomes(Object... entities) {
        return jpa.tx(em -> {
            FlushedOutcomes flushed = new FlushedOutcomes();
            List<UpsertOutcome> outcomes = flushed.of(flushed.persist(em, entities));
            assertThat(outcomes).as("an outcome for every entity").doesNotContainNull();
            return outcomes;
        });
    }
}
