package dev.upsert.internal.event;

import java.util.ArrayList;
import java.util.List;

import org.hibernate.event.internal.PostInsertEventListenerStandardImpl;
import org.hibernate.event.service.spi.EventListenerGroup;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.jpa.event.spi.CallbackRegistry;
import org.hibernate.jpa.event.spi.CallbackRegistryConsumer;
import org.hibernate.persister.entity.EntityPersister;

import dev.upsert.internal.batch.UpsertBatch;

/**
 * JPA's {@code @PostPersist} for an entity whose upsert waits in the flush's batch, run once the stored row is written
 * back: JPA promises generated ids there, and the id known when Hibernate fires the event is only the proposed one
 * (null in the entity). Wraps Hibernate's own listener in place; every other entity, and every other listener of the
 * event, is called as before.
 */
public final class PostPersistAfterWriteBack implements PostInsertEventListener, CallbackRegistryConsumer {

    private final PostInsertEventListener callbacks;

    private PostPersistAfterWriteBack(PostInsertEventListener callbacks) {
        this.callbacks = callbacks;
    }

    /** Puts the wrapper where Hibernate's JPA-callback listener is, in the order the group had. */
    public static void install(EventListenerRegistry registry) {
        EventListenerGroup<PostInsertEventListener> group = registry.getEventListenerGroup(EventType.POST_INSERT);
        List<PostInsertEventListener> listeners = new ArrayList<>();
        boolean found = false;
        for (PostInsertEventListener listener : group.listeners()) {
            boolean callbacks = listener instanceof PostInsertEventListenerStandardImpl;
            found |= callbacks;
            listeners.add(callbacks ? new PostPersistAfterWriteBack(listener) : listener);
        }
        if (found) {
            group.clearListeners();
            listeners.forEach(group::appendListener);
        }
    }

    @Override
    public void onPostInsert(PostInsertEvent event) {
        if (!UpsertBatch.deferAfterWriteBack(event.getSession(), event.getEntity(), () -> callbacks.onPostInsert(event))) {
            callbacks.onPostInsert(event);
        }
    }

    @Override
    public boolean requiresPostCommitHandling(EntityPersister persister) {
        return callbacks.requiresPostCommitHandling(persister);
    }

    @Override
    public void injectCallbackRegistry(CallbackRegistry callbackRegistry) {
        if (callbacks instanceof CallbackRegistryConsumer consumer) {
            consumer.injectCallbackRegistry(callbackRegistry);
        }
    }
}
