package dev.upsert.upsert;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.persistence.EntityManager;

import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;

/**
 * Persists rows and flushes them in one go, noting the outcome each got ({@link Upserts#outcome}) for the assertions
 * made after the transaction; each flush forgets the outcomes of the one before.
 */
final class FlushedOutcomes {

    private final Map<Object, UpsertOutcome> outcomes = new HashMap<>();

    @SafeVarargs
    final <T> T[] persist(EntityManager em, T... rows) {
        for (T row : rows) {
            em.persist(row);
        }
        em.flush();
        outcomes.clear();
        for (T row : rows) {
            outcomes.put(row, Upserts.outcome(em, row).orElse(null));
        }
        return rows;
    }

    /** The outcome of one row of the last flush, null if it had none. */
    UpsertOutcome of(Object row) {
        return outcomes.get(row);
    }

    /** The outcomes of the given rows of the last flush, in their order. */
    List<UpsertOutcome> of(Object[] rows) {
        return Stream.of(rows).map(outcomes::get).toList();
    }
}
