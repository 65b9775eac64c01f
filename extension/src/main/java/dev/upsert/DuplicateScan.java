package dev.upsert;

import java.util.List;

import jakarta.persistence.EntityManager;

/**
 * Finds the rows that would stop a unique index from being built: before adding {@code @Upsert(on = ...)} or a
 * unique constraint to a table that already holds data, list the values that more than one row shares, resolve them,
 * then create the index.
 *
 * <pre>{@code
 * List<DuplicateGroup> groups = DuplicateScan.find(em, Subscriber.class, "email");
 * for (DuplicateGroup group : groups) {            // largest first
 *     keepTheFirstAndMergeTheRest(group.ids());    // your rule: merge, delete, or rename
 * }
 * // then: create unique index concurrently subscriber_email_key on subscriber (email)
 * }</pre>
 *
 * @since 0.2
 */
public final class DuplicateScan {

    private DuplicateScan() {
    }

    /**
     * The groups of rows of {@code entityClass}'s table that share a value of {@code attributes}, largest group first
     * (then by value). NULLs are distinct, as in a unique index: a row with a NULL in any of the attributes is in no
     * group. An empty list means a unique index on those columns can be built now.
     * <p>
     * One {@code GROUP BY} query over the whole table, run through {@code em} (in its transaction, if one is active);
     * it compares the stored values exactly, so a case-insensitive index ({@code lower(email)}) needs its own query.
     *
     * @param em          an EntityManager of a persistence unit that maps {@code entityClass}
     * @param entityClass an entity with a single-column id
     * @param attributes  one or more basic attributes, embedded ones as paths ({@code "key.tenantId"})
     * @return the groups, largest first; empty when no two rows share a value
     * @throws IllegalArgumentException for an unknown class or attribute, or a non-basic attribute
     */
    public static List<DuplicateGroup> find(EntityManager em, Class<?> entityClass, String... attributes) {
        return UpsertImplementation.get().duplicates(em, entityClass, attributes);
    }
}
