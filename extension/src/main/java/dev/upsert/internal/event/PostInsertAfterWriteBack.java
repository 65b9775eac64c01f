package dev.upsert.internal.event;

import java.util.ArrayList;
import java.util.List;

import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.event.internal.PostInsertEventListenerStandardImpl;
import org.hibernate.event.internal.PostUpdateEventListenerStandardImpl;
import org.hibernate.event.service.spi.EventListenerGroup;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventSource;
import org.hibernate.event.spi.EventType;
import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.event.spi.PostUpdateEvent;
import org.hibernate.event.spi.PostUpdateEventListener;
import org.hibernate.jpa.event.spi.CallbackRegistry;
import org.hibernate.jpa.event.spi.CallbackRegistryConsumer;
import org.hibernate.jpa.event.spi.CallbackType;
import org.hibernate.persister.entity.EntityPersister;

import dev.upsert.UpsertOutcome;
import dev.upsert.internal.exception.DuplicateKeyWrites;
import dev.upsert.internal.persister.UpsertBatch;
import dev.upsert.internal.compat.HibernateAccess;
import dev.upsert.internal.persister.UpsertEntityPersister;
import dev.upsert.internal.outcome.UpsertResults;

/**
 * Hibernate's post-insert listeners (Envers, JPA's {@code @PostPersist}, the application's) told of an {@code @Upsert}
 * entity's outcome, never of its proposed row. Hibernate fires the event as the insert action runs: for a row that then
 * waits in the flush's batch the id is only the proposed one (null in the entity), and whether a row was inserted at
 * all is not known. So this listener takes the group's place and calls its listeners itself: for an {@code @Upsert}
 * entity the event waits until the stored row is written back, and then
 * <ul>
 * <li>INSERTED: the listener gets it with the stored id and state;</li>
 * <li>UPDATED: the listeners of {@code POST_UPDATE} get a post-update of the stored row instead (Envers: a MOD in the
 *     transaction's revision), with no old state (the statement does not return the row it replaced);</li>
 * <li>SKIPPED (the row was left alone): nobody is told, no row was written.</li>
 * </ul>
 * JPA's callbacks keep JPA's pairing: {@code @PostPersist} follows the {@code @PrePersist} that ran at {@code persist},
 * for every outcome, with the stored id; no {@code @PostUpdate} without a {@code @PreUpdate}. Every other entity is
 * passed through untouched.
 */
public final class PostInsertAfterWriteBack implements PostInsertEventListener, CallbackRegistryConsumer {

    /** The group's listeners, in their order (one listener in the group: Hibernate refuses two of one class). */
    private final List<PostInsertEventListener> listeners;
    private final EventListenerGroup<PostUpdateEventListener> postUpdate;
    private volatile CallbackRegistry callbacks;

    private PostInsertAfterWriteBack(List<PostInsertEventListener> listeners, EventListenerGroup<PostUpdateEventListener> postUpdate) {
        this.listeners = List.copyOf(listeners);
        this.postUpdate = postUpdate;
    }

    /**
     * Puts this listener in place of the group's listeners, calling them in their order. Called once all integrators
     * ran (Envers appends its listeners in its own), so theirs are covered too.
     */
    public static void install(EventListenerRegistry registry) {
        EventListenerGroup<PostInsertEventListener> group = registry.getEventListenerGroup(EventType.POST_INSERT);
        List<PostInsertEventListener> listeners = new ArrayList<>();
        for (PostInsertEventListener listener : group.listeners()) {
            if (listener instanceof PostInsertAfterWriteBack) {
                return;  // installed already
            }
            listeners.add(listener);
        }
        group.clearListeners();
        group.appendListener(new PostInsertAfterWriteBack(listeners, registry.getEventListenerGroup(EventType.POST_UPDATE)));
    }

    @Override
    public void onPostInsert(PostInsertEvent event) {
        // Hibernate 6.6's StatelessSession fires the event without a session; a stateless session has no write-back to wait for
        if (!(event.getPersister() instanceof UpsertEntityPersister) || event.getSession() == null
                || HibernateAccess.get().isStateless(event.getSession())) {
            for (PostInsertEventListener listener : listeners) {
                listener.onPostInsert(event);
            }
            return;
        }
        if (nobodyListens(event.getPersister(), event.getSession())) {
            return;  // nothing to tell, now or after the write-back: no work queued per row
        }
        if (!UpsertBatch.deferAfterWriteBack(event.getSession(), event.getEntity(), () -> afterWriteBack(event))) {
            afterWriteBack(event);
        }
    }

    private void afterWriteBack(PostInsertEvent event) {
        EventSource session = (EventSource) event.getSession();
        Object entity = event.getEntity();
        EntityEntry entry = session.getPersistenceContextInternal().getEntry(entity);
        UpsertOutcome outcome = entry == null ? null : UpsertResults.outcome(entry);
        Object id = storedId(event, session);
        PostInsertEvent stored = id == event.getId() ? event
                : new PostInsertEvent(entity, id, event.getState(), event.getPersister(), session);
        for (PostInsertEventListener listener : listeners) {
            if (outcome == null || outcome == UpsertOutcome.INSERTED || listener instanceof PostInsertEventListenerStandardImpl) {
                listener.onPostInsert(stored);
            }
        }
        if (outcome == UpsertOutcome.UPDATED) {
            PostUpdateEvent updated = new PostUpdateEvent(entity, id, event.getState(), null, null, event.getPersister(), session);
            for (PostUpdateEventListener listener : postUpdate.listeners()) {
                if (!(listener instanceof PostUpdateEventListenerStandardImpl)) {  // JPA's @PostUpdate: see the class comment
                    listener.onPostUpdate(updated);
                }
            }
        }
    }

    /**
     * True when no listener would act on {@code persister}'s entity whatever its outcome, so nothing needs to wait for
     * the write-back: JPA's callback listener where the entity has no {@code @PostPersist} (its own or an entity
     * listener's), JPA's post-update listener (never called from here), and the library's own record of rows in
     * flight where it keeps batched rows until the flush ends. Read per event: an application may append listeners late.
     */
    private boolean nobodyListens(EntityPersister persister, SharedSessionContractImplementor session) {
        for (PostInsertEventListener listener : listeners) {
            if (!ignores(listener, persister, session)) {
                return false;
            }
        }
        for (PostUpdateEventListener listener : postUpdate.listeners()) {
            if (!ignores(listener, persister, session)) {
                return false;
            }
        }
        return true;
    }

    private boolean ignores(Object listener, EntityPersister persister, SharedSessionContractImplementor session) {
        if (listener instanceof PostInsertEventListenerStandardImpl) {
            CallbackRegistry registry = callbacks;
            return registry != null && !registry.hasRegisteredCallbacks(persister.getMappedClass(), CallbackType.POST_PERSIST);
        }
        return listener instanceof PostUpdateEventListenerStandardImpl
                || listener == DuplicateKeyWrites.INSTANCE && DuplicateKeyWrites.ignoresWrittenBack(persister, session);
    }

    /** The id the entity holds now: the stored row's once written back; the event's where none is set. */
    private static Object storedId(PostInsertEvent event, EventSource session) {
        Object id = event.getPersister().getIdentifier(event.getEntity(), session);
        return id == null || event.getPersister().getIdentifierMapping().areEqual(id, event.getId(), session) ? event.getId() : id;
    }

    @Override
    public boolean requiresPostCommitHandling(EntityPersister persister) {
        for (PostInsertEventListener listener : listeners) {
            if (listener.requiresPostCommitHandling(persister)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void injectCallbackRegistry(CallbackRegistry callbackRegistry) {
        this.callbacks = callbackRegistry;
        for (PostInsertEventListener listener : listeners) {
            if (listener instanceof CallbackRegistryConsumer consumer) {
                consumer.injectCallbackRegistry(callbackRegistry);
            }
        }
    }
}
