package dev.upsert.internal.event;

import dev.upsert.internal.persister.UpsertBatch;
import org.hibernate.HibernateException;
import org.hibernate.event.spi.AutoFlushEvent;
import org.hibernate.event.spi.AutoFlushEventListener;
import org.hibernate.event.spi.FlushEvent;
import org.hibernate.event.spi.FlushEventListener;
import org.hibernate.event.spi.PreCollectionRecreateEvent;
import org.hibernate.event.spi.PreCollectionRecreateEventListener;
import org.hibernate.event.spi.PreCollectionRemoveEvent;
import org.hibernate.event.spi.PreCollectionRemoveEventListener;
import org.hibernate.event.spi.PreCollectionUpdateEvent;
import org.hibernate.event.spi.PreCollectionUpdateEventListener;
import org.hibernate.event.spi.PreDeleteEvent;
import org.hibernate.event.spi.PreDeleteEventListener;
import org.hibernate.event.spi.PreUpdateEvent;
import org.hibernate.event.spi.PreUpdateEventListener;

/**
 * Runs a session's pending upserts ({@link UpsertBatch#pendingFor}) at the end of the flush's inserts: before its
 * first update, delete or collection statement (Hibernate runs all inserts of a flush before those), and after the
 * flush itself (appended to the flush listeners). Nothing pending: one map lookup.
 */
public final class PendingUpsertsListener implements PreUpdateEventListener, PreDeleteEventListener,
        PreCollectionRecreateEventListener, PreCollectionUpdateEventListener, PreCollectionRemoveEventListener,
        FlushEventListener, AutoFlushEventListener {

    @Override
    public boolean onPreUpdate(PreUpdateEvent event) {
        UpsertBatch.runPending(event.getSession());
        return false;
    }

    @Override
    public boolean onPreDelete(PreDeleteEvent event) {
        UpsertBatch.runPending(event.getSession());
        return false;
    }

    @Override
    public void onPreRecreateCollection(PreCollectionRecreateEvent event) {
        UpsertBatch.runPending(event.getSession());
    }

    @Override
    public void onPreUpdateCollection(PreCollectionUpdateEvent event) {
        UpsertBatch.runPending(event.getSession());
    }

    @Override
    public void onPreRemoveCollection(PreCollectionRemoveEvent event) {
        UpsertBatch.runPending(event.getSession());
    }

    @Override
    public void onFlush(FlushEvent event) throws HibernateException {
        UpsertBatch.runPending(event.getSession());
    }

    @Override
    public void onAutoFlush(AutoFlushEvent event) throws HibernateException {
        UpsertBatch.runPending(event.getSession());
    }
}
