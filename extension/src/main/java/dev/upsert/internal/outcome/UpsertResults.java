package dev.upsert.internal.outcome;

import java.util.Optional;

import jakarta.persistence.EntityManager;

import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.EntityEntryExtraState;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

import dev.upsert.UpsertOutcome;

/**
 * Remembers each upserted entity's outcome on its {@link EntityEntry}, so it lives exactly as long as the
 * persistence context holds the entity (nothing to release, nothing kept after {@code clear()}).
 */
public final class UpsertResults implements EntityEntryExtraState {

    private UpsertOutcome outcome;
    private EntityEntryExtraState next;

    private UpsertResults(UpsertOutcome outcome) {
        this.outcome = outcome;
    }

    public static void record(EntityEntry entry, UpsertOutcome outcome) {
        UpsertResults existing = entry.getExtraState(UpsertResults.class);
        if (existing != null) {
            existing.outcome = outcome;
        } else {
            entry.addExtraState(new UpsertResults(outcome));
        }
    }

    /** The outcome recorded on {@code entry}, or null if its entity was not upserted (yet). */
    public static UpsertOutcome outcome(EntityEntry entry) {
        UpsertResults state = entry.getExtraState(UpsertResults.class);
        return state == null ? null : state.outcome;
    }

    public static Optional<UpsertOutcome> outcome(EntityManager em, Object entity) {
        SharedSessionContractImplementor session = em.unwrap(SharedSessionContractImplementor.class);
        EntityEntry entry = session.getPersistenceContextInternal().getEntry(entity);
        if (entry == null) {
            return Optional.empty();
        }
        UpsertResults state = entry.getExtraState(UpsertResults.class);
        return state == null ? Optional.empty() : Optional.of(state.outcome);
    }

    @Override
    public void addExtraState(EntityEntryExtraState extraState) {
        if (next == null) {
            next = extraState;
        } else {
            next.addExtraState(extraState);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EntityEntryExtraState> T getExtraState(Class<T> extraStateType) {
        if (next == null) {
            return null;
        }
        return extraStateType.isInstance(next) ? (T) next : next.getExtraState(extraStateType);
    }
}
