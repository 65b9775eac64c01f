package dev.upsert.internal.persister;

import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.EntityEntryExtraState;
import org.hibernate.engine.spi.EntityHolder;
import org.hibernate.engine.spi.EntityKey;
import org.hibernate.engine.spi.PersistenceContext;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * Moves a managed entity to another id in its persistence context: from the id Hibernate proposed at {@code persist}
 * to a placeholder ({@code event.DelayedIdKeys}), and from that to the stored row's id (the write-back). What
 * Hibernate's {@code replaceDelayedEntityIdentityInsertKeys} does after a delayed IDENTITY insert, and with the same
 * calls (the entity under its new key, a new entry with the old one's state), except that the entity keeps its place
 * among the managed entities: Hibernate's method takes it out of that list and its identity map and appends it again,
 * which costs a cache miss on both of its neighbours and a rehash of its map slot's run; the two moves of each row were
 * an eighth of {@code @Upsert}'s client CPU in the benchmarks' W1, and about 7% this way (docs/benchmarks.md). Adding an entry for an entity
 * that has one replaces it where it is, as Hibernate's own {@code persist} does when it turns its SAVING entry into a
 * MANAGED one. The same calls exist in every Hibernate line the library supports (6.6, 7.2 to 7.4).
 */
public final class Rekey {

    private Rekey() {
    }

    /** Moves {@code entity}, whose entry is {@code entry}, to {@code id}; returns its new entry, with the old one's extra state. */
    public static EntityEntry to(Object id, Object entity, EntityEntry entry, SharedSessionContractImplementor session) {
        PersistenceContext context = session.getPersistenceContextInternal();
        // the holder of the old key goes (only that map: a new entity is in no other), as in Hibernate's method
        context.getEntityHoldersByKey().remove(entry.getEntityKey());
        EntityKey key = session.generateEntityKey(id, entry.getPersister());
        EntityHolder holder = context.addEntityHolder(key, entity);
        EntityEntry moved = context.addEntry(entity, entry.getStatus(), entry.getLoadedState(), entry.getRowId(), id,
                entry.getVersion(), entry.getLockMode(), entry.isExistsInDatabase(), entry.getPersister(),
                entry.isBeingReplicated());
        holder.setEntityEntry(moved);
        EntityEntryExtraState extra = entry.getExtraState(EntityEntryExtraState.class);
        if (extra != null) {
            moved.addExtraState(extra);
        }
        return moved;
    }
}
