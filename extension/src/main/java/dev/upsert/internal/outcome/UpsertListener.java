package dev.upsert.internal.outcome;

import dev.upsert.DuplicateKeyException;
import dev.upsert.UpsertOutcome;

/**
 * What a SessionFactory reports to observers such as {@code dev.upsert.micrometer.UpsertMetrics}: deliberately free
 * of Micrometer types, so the extension never loads one unless the application built the metrics. Called on the
 * thread that ran the statement; an implementation must be fast and must not throw.
 */
public interface UpsertListener {

    /**
     * A 23505 the converter turned into {@code duplicate}; called once per conversion.
     *
     * @param writtenEntity the entity whose write failed, or null when the statement wrote no entity (native SQL,
     *                      HQL/criteria mutations), even if the exception names the table's entity
     */
    default void duplicateKey(DuplicateKeyException duplicate, Class<?> writtenEntity) {
    }

    /** One {@code @Upsert} row was written back with {@code outcome}. */
    default void upserted(Class<?> entity, UpsertOutcome outcome) {
    }
}
