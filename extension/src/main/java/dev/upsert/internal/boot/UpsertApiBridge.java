package dev.upsert.internal.boot;

import java.util.List;
import java.util.Optional;

import jakarta.persistence.EntityManager;

import dev.upsert.DuplicateGroup;
import dev.upsert.DuplicateKeyException;
import dev.upsert.UpsertImplementation;
import dev.upsert.UpsertOutcome;
import dev.upsert.internal.catalog.DuplicateRows;
import dev.upsert.internal.exception.DuplicateKeyFinder;
import dev.upsert.internal.exception.ExistingRow;
import dev.upsert.internal.outcome.UpsertResults;

/**
 * The public package's one entry into the implementation, registered in {@code META-INF/services}: in boot, the top
 * floor, because it may use every floor below and none of them uses it.
 */
public final class UpsertApiBridge implements UpsertImplementation {

    @Override
    public Optional<DuplicateKeyException> find(Throwable t) {
        return DuplicateKeyFinder.find(t);
    }

    @Override
    public <T> Optional<T> findExisting(DuplicateKeyException duplicate, EntityManager em, Class<T> type) {
        return ExistingRow.find(duplicate, em, type);
    }

    @Override
    public List<DuplicateGroup> duplicates(EntityManager em, Class<?> entityClass, String... attributes) {
        return DuplicateRows.find(em, entityClass, attributes);
    }

    @Override
    public Optional<UpsertOutcome> outcome(EntityManager em, Object entity) {
        return UpsertResults.outcome(em, entity);
    }
}
