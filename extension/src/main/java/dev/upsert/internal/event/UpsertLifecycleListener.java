package dev.upsert.internal.event;

import dev.upsert.internal.persister.UpsertBatch;
import dev.upsert.internal.persister.IdentityBlockGenerator;
import dev.upsert.internal.persister.UpsertEntityPersister;
import java.util.Map;

import org.hibernate.FlushMode;
import org.hibernate.HibernateException;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.PersistenceContext;
import org.hibernate.engine.spi.Status;
import org.hibernate.event.spi.AutoFlushEvent;
import org.hibernate.event.spi.AutoFlushEventListener;
import org.hibernate.event.spi.DeleteContext;
import org.hibernate.event.spi.DeleteEvent;
import org.hibernate.event.spi.DeleteEventListener;
import org.hibernate.event.spi.EventSource;
import org.hibernate.event.spi.EvictEvent;
import org.hibernate.event.spi.EvictEventListener;
import org.hibernate.event.spi.FlushEvent;
import org.hibernate.event.spi.FlushEventListener;
import org.hibernate.event.spi.LockEvent;
import org.hibernate.event.spi.LockEventListener;
import org.hibernate.event.spi.RefreshContext;
import org.hibernate.event.spi.RefreshEvent;
import org.hibernate.event.spi.RefreshEventListener;
import org.hibernate.proxy.HibernateProxy;

/**
 * Runs the pending upserts before Hibernate would act on a proposed id.
 * <p>
 * An {@code @Upsert} entity (IDENTITY ones too, whose ids {@link IdentityBlockGenerator} draws ahead; not an IDENTITY
 * entity with collections, inserted at {@code persist}) holds a proposed id from {@code persist} until its statement runs at flush;
 * when the key existed, the stored id replaces it only then. Hibernate builds an update, a delete, a refresh, a lock
 * or an eviction from the id the entity holds at the time, so each of these runs the queued inserts first (Hibernate's
 * own {@code ActionQueue.executeInserts()}, as for an IDENTITY insert that must run early): remove, refresh, lock and
 * detach of such an entity, and a flush whose dirty-check would find one changed since {@code persist}, or that
 * flushes the collections of one. A flush in which no pending {@code @Upsert} entity changed or owns collections keeps
 * them batched to the end of its inserts. Rows whose insert
 * action already ran but whose statement still waits in {@link UpsertBatch} run first in every case.
 */
public final class UpsertLifecycleListener implements FlushEventListener, AutoFlushEventListener, DeleteEventListener,
        RefreshEventListener, LockEventListener, EvictEventListener {

    @Override
    public void onFlush(FlushEvent event) throws HibernateException {
        runIfAnyChanged(event.getSession());
    }

    @Override
    public void onAutoFlush(AutoFlushEvent event) throws HibernateException {
        FlushMode mode = event.getSession().getHibernateFlushMode();
        if (mode == FlushMode.AUTO || mode == FlushMode.ALWAYS) {
            runIfAnyChanged(event.getSession());
        }
    }

    @Override
    public void onDelete(DeleteEvent event) throws HibernateException {
        runIfPending(event.getSession(), event.getObject());
    }

    @Override
    public void onDelete(DeleteEvent event, DeleteContext transientEntities) throws HibernateException {
        runIfPending(event.getSession(), event.getObject());
    }

    @Override
    public void onRefresh(RefreshEvent event) throws HibernateException {
        runIfPending(event.getSession(), event.getObject());
    }

    @Override
    public void onRefresh(RefreshEvent event, RefreshContext refreshedAlready) throws HibernateException {
        runIfPending(event.getSession(), event.getObject());
    }

    @Override
    public void onLock(LockEvent event) throws HibernateException {
        runIfPending(event.getSession(), event.getObject());
    }

    @Override
    public void onEvict(EvictEvent event) throws HibernateException {
        // Hibernate itself cannot run an insert whose entity was evicted ("possible non-threadsafe access"): the upsert
        // the application asked for runs first, and the detached instance holds the stored row.
        runIfPending(event.getSession(), event.getObject());
    }

    private static void runIfPending(EventSource session, Object object) {
        if (object == null || object instanceof HibernateProxy) {
            return;  // a proxy was loaded from the database: it never holds a proposed id
        }
        runParked(session);
        EntityEntry entry = session.getPersistenceContextInternal().getEntry(object);
        if (entry != null && pending(entry)) {
            session.getActionQueue().executeInserts();
            UpsertBatch.runPending(session);
        }
    }

    /**
     * A pending entity changed since {@code persist}: the dirty-check must see its stored id and row. A pending entity
     * that owns collections: its stored collections are registered by the write-back ({@code StoredCollections}), which
     * must precede the flush of its collections. Either way every pending upsert runs, in one batch.
     */
    private static void runIfAnyChanged(EventSource session) {
        runParked(session);
        PersistenceContext context = session.getPersistenceContextInternal();
        if (context.getNumberOfManagedEntities() == 0) {
            return;
        }
        for (Map.Entry<Object, EntityEntry> managed : context.reentrantSafeEntityEntries()) {
            EntityEntry entry = managed.getValue();
            // a collection owner's stored collections must be in place before the flush looks at its collections
            if (pending(entry) && (((UpsertEntityPersister) entry.getPersister()).ownsCollections()
                    || changed(entry, managed.getKey(), session))) {
                session.getActionQueue().executeInserts();
                UpsertBatch.runPending(session);
                return;
            }
        }
    }

    /**
     * Upserts whose insert action already ran but whose statement waits ({@link UpsertBatch#pendingFor}): outside a
     * flush only after Hibernate ran the queued inserts early (before an IDENTITY insert). Their entities look
     * inserted to Hibernate, so they run now, before anything reads their ids.
     */
    private static void runParked(EventSource session) {
        if (UpsertBatch.hasPending(session)) {
            UpsertBatch.runPending(session);
        }
    }

    /** Persisted, with its upsert still queued (Hibernate marks an entry as existing once its insert action ran). */
    static boolean pending(EntityEntry entry) {
        return entry.getPersister() instanceof UpsertEntityPersister
                && !entry.isExistsInDatabase()
                && (entry.getStatus() == Status.MANAGED || entry.getStatus() == Status.SAVING || entry.getStatus() == Status.READ_ONLY);
    }

    private static boolean changed(EntityEntry entry, Object entity, EventSource session) {
        Object[] loaded = entry.getLoadedState();
        if (loaded == null) {
            return false;
        }
        var persister = entry.getPersister();
        return persister.findDirty(persister.getValues(entity), loaded, entity, session) != null;
    }
}
