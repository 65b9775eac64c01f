package dev.upsert.micrometer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.persistence.EntityManagerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.hibernate.engine.spi.SessionFactoryImplementor;

import dev.upsert.DuplicateKeyException;
import dev.upsert.UpsertOutcome;
import dev.upsert.UpsertSettings;
import dev.upsert.internal.outcome.UpsertListener;
import dev.upsert.internal.outcome.UpsertListeners;
import dev.upsert.internal.settings.UpsertSettingValues;

/**
 * Micrometer meters for one {@link EntityManagerFactory}: duplicate keys by constraint, and upserted rows by outcome.
 * Micrometer is an optional dependency of upsert-hibernate: nothing loads a Micrometer class unless this class is
 * built.
 *
 * <pre>{@code
 * new UpsertMetrics(emf).bindTo(meterRegistry);   // Spring Boot: declare it as a @Bean, it is bound for you
 * }</pre>
 *
 * <h2>Meters</h2>
 * <ul>
 *   <li>Counter {@code upsert.duplicate.keys}: one per SQLSTATE 23505 that the extension converts into a
 *       {@link DuplicateKeyException}, from any statement of any entity or native SQL. Tags: {@code constraint} (as
 *       PostgreSQL names it), {@code table} (without schema), {@code entity} (the simple name of the entity being written;
 *       {@code none} for native SQL and HQL/criteria mutations, which write no entity), {@code expected} ({@code true} for a
 *       constraint listed in {@link UpsertSettings#METRICS_EXPECTED_CONSTRAINTS}, else {@code false}). Alert on
 *       {@code expected="false"}: an idempotent retry is not a page, a duplicate on a key that should be exclusive is.
 *       A deferred constraint failing at commit counts too, with {@code entity} {@code none}: no statement wrote it.</li>
 *   <li>Counter {@code upsert.rows}: one per row written by an {@code @Upsert} entity. Tags: {@code entity},
 *       {@code outcome} ({@code inserted}, {@code updated}, {@code skipped}). Counted when the statement returns, as
 *       {@link dev.upsert.Upserts#outcome} reports it: a transaction rolled back later does not take it back.</li>
 * </ul>
 * No key value ever becomes a tag: the tag values are names from the schema and the mapping, so the number of
 * series is bounded by them.
 *
 * @since 0.2
 */
public final class UpsertMetrics implements MeterBinder, AutoCloseable {

    private final UpsertListeners listeners;
    private final Set<String> expected;
    private final List<UpsertListener> bound = new ArrayList<>();

    /**
     * @param emf the persistence unit to observe; its {@link UpsertSettings#METRICS_EXPECTED_CONSTRAINTS} is read here
     */
    public UpsertMetrics(EntityManagerFactory emf) {
        this.listeners = UpsertListeners.of(emf);
        this.expected = UpsertSettingValues.names(emf.unwrap(SessionFactoryImplementor.class).getProperties(),
                UpsertSettings.METRICS_EXPECTED_CONSTRAINTS);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        // one Counter per entity and outcome, looked up without building tags: this runs for every upserted row
        Map<Class<?>, Counter[]> rows = new ConcurrentHashMap<>();
        UpsertListener listener = new UpsertListener() {
            @Override
            public void duplicateKey(DuplicateKeyException duplicate, Class<?> writtenEntity) {
                String constraint = duplicate.getConstraintName() == null ? "unknown" : duplicate.getConstraintName();
                Counter.builder("upsert.duplicate.keys")
                        .description("SQLSTATE 23505 (unique_violation) converted into DuplicateKeyException")
                        .tag("constraint", constraint)
                        .tag("table", duplicate.getTableName() == null ? "unknown" : duplicate.getTableName())
                        .tag("entity", writtenEntity == null ? "none" : writtenEntity.getSimpleName())
                        .tag("expected", String.valueOf(expected.contains(constraint)))
                        .register(registry)
                        .increment();
            }

            @Override
            public void upserted(Class<?> entity, UpsertOutcome outcome) {
                rows.computeIfAbsent(entity, e -> {
                    Counter[] byOutcome = new Counter[UpsertOutcome.values().length];
                    for (UpsertOutcome o : UpsertOutcome.values()) {
                        byOutcome[o.ordinal()] = Counter.builder("upsert.rows")
                                .description("Rows written by @Upsert entities, by outcome")
                                .tag("entity", e.getSimpleName())
                                .tag("outcome", o.name().toLowerCase(Locale.ROOT))
                                .register(registry);
                    }
                    return byOutcome;
                })[outcome.ordinal()].increment();
            }
        };
        synchronized (bound) {
            bound.add(listener);
        }
        listeners.add(listener);
    }

    /** Stops counting into every registry this was bound to; the meters stay registered. */
    @Override
    public void close() {
        synchronized (bound) {
            bound.forEach(listeners::remove);
            bound.clear();
        }
    }
}
