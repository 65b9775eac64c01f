package dev.upsert;

/**
 * What the database did for one {@link Upsert} persist.
 *
 * @see Upserts#outcome(jakarta.persistence.EntityManager, Object)
 * @since 0.1
 */
public enum UpsertOutcome {
    /** No row had the key: a new row was inserted. */
    INSERTED,
    /** A row had the key and was updated with the proposed values. */
    UPDATED,
    /**
     * A row had the key and was left untouched: {@link Upsert.Action#NOTHING}, an {@link Upsert#updateWhere()} that
     * did not hold, or {@link Upsert#skipUnchanged()} with nothing to change. The entity holds the stored row.
     */
    SKIPPED
}
