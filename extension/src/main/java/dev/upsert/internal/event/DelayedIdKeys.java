package dev.upsert.internal.event;

import dev.upsert.internal.persister.Rekey;
import dev.upsert.internal.persister.UpsertBatch;
import dev.upsert.internal.persister.UpsertEntityPersister;

import org.hibernate.HibernateException;
import org.hibernate.action.internal.DelayedPostInsertIdentifier;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.PersistenceContext;
import org.hibernate.engine.spi.Status;
import org.hibernate.event.spi.EventSource;
import org.hibernate.event.spi.MergeContext;
import org.hibernate.event.spi.MergeEvent;
import org.hibernate.event.spi.MergeEventListener;
import org.hibernate.event.spi.PersistContext;
import org.hibernate.event.spi.PersistEvent;
import org.hibernate.event.spi.PersistEventListener;

/**
 * Keys a persisted {@code @Upsert} entity, until its statement ran, by a {@link DelayedPostInsertIdentifier} instead
 * of the id Hibernate proposed at {@code persist} (or at a merge's copy): Hibernate's own model for an id unknown until
 * the statement runs (a delayed IDENTITY insert, {@code EntityIdentityInsertAction}). On a conflict the proposed id is
 * no row's, so nothing may see or key by it: {@code Session.getIdentifier} and an enhanced entity's
 * {@code PersistenceUnitUtil.getIdentifier} answer the placeholder, a {@code @MapsId} child or a foreign key never
 * binds it, and the entity's collections are keyed by it, which Hibernate resolves from the owner's entry when their
 * statements run ({@code CollectionAction.getKey}). The write-back moves the entry to the stored id
 * ({@link Rekey}, as Hibernate's {@code replaceDelayedEntityIdentityInsertKeys} does after a delayed insert). The insert action
 * keeps the proposed id, which only the upsert statement binds.
 * <p>
 * Appended after Hibernate's persist and merge listeners (cascaded persists and merges come through them too).
 */
public final class DelayedIdKeys implements PersistEventListener, MergeEventListener {

    /** The instance on {@code PERSIST_ONFLUSH}: the persists that the flush's cascade makes. */
    private final boolean cascadeAtFlush;

    public DelayedIdKeys(boolean cascadeAtFlush) {
        this.cascadeAtFlush = cascadeAtFlush;
    }

    @Override
    public void onPersist(PersistEvent event) throws HibernateException {
        rekey(event.getSession(), event.getObject());
    }

    @Override
    public void onPersist(PersistEvent event, PersistContext createdAlready) throws HibernateException {
        rekey(event.getSession(), event.getObject());
    }

    @Override
    public void onMerge(MergeEvent event) throws HibernateException {
        rekey(event.getSession(), event.getResult());
    }

    @Override
    public void onMerge(MergeEvent event, MergeContext copiedAlready) throws HibernateException {
        rekey(event.getSession(), event.getResult());
    }

    private void rekey(EventSource session, Object entity) {
        if (entity == null) {
            return;
        }
        PersistenceContext context = session.getPersistenceContextInternal();
        EntityEntry entry = context.getEntry(entity);
        if (entry == null || !(entry.getPersister() instanceof UpsertEntityPersister persister)
                || entry.isExistsInDatabase()
                || entry.getStatus() != Status.MANAGED && entry.getStatus() != Status.READ_ONLY  // READ_ONLY: @Immutable
                || entry.getId() instanceof DelayedPostInsertIdentifier || !persister.keysByDelayedId()) {
            return;
        }
        Rekey.to(new DelayedPostInsertIdentifier(), entity, entry, session);
        if ((cascadeAtFlush || context.isFlushing()) && persister.ownsCollections()) {
            // persisted by the flush's cascade, after the flush's start ran the pending upserts of collection owners
            // (UpsertLifecycleListener): its stored collections must be in place before the flush reaches its own, so
            // its upsert runs now, as Hibernate runs an IDENTITY insert cascaded at flush
            session.getActionQueue().executeInserts();
            UpsertBatch.runPending(session);
        }
    }

    /** Whether {@code entry}'s entity is keyed by a placeholder: persisted, its statement not run yet. */
    public static boolean isDelayed(EntityEntry entry) {
        return entry.getId() instanceof DelayedPostInsertIdentifier;
    }
}
