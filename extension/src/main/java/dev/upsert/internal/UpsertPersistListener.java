package dev.upsert.internal;

import jakarta.persistence.EntityExistsException;

import org.hibernate.HibernateException;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.PersistenceContext;
import org.hibernate.event.spi.PersistContext;
import org.hibernate.event.spi.PersistEvent;
import org.hibernate.event.spi.PersistEventListener;

/**
 * Refuses, before any SQL runs, to persist an {@code @Upsert} entity whose key is already held by a managed instance
 * (loaded earlier, or persisted earlier in the same flush): the upsert would make two managed instances of one row,
 * or send the key twice in one batch. The caller should modify the managed instance instead.
 */
final class UpsertPersistListener implements PersistEventListener {

    @Override
    public void onPersist(PersistEvent event) throws HibernateException {
        check(event);
    }

    @Override
    public void onPersist(PersistEvent event, PersistContext createdAlready) throws HibernateException {
        check(event);
    }

    private static void check(PersistEvent event) {
        var session = event.getSession();
        Object entity = event.getObject();
        if (entity == null) {
            return;
        }
        var descriptor = session.getFactory().getMappingMetamodel().findEntityDescriptor(entity.getClass());
        if (!(descriptor instanceof UpsertEntityPersister persister)) {
            return;
        }
        PersistenceContext context = session.getPersistenceContextInternal();
        if (context.getEntry(entity) != null) {
            return; // already managed: persist is a no-op for it
        }
        UpsertPlan plan = persister.plan(session);
        for (var managed : context.reentrantSafeEntityEntries()) {
            EntityEntry entry = managed.getValue();
            if (entry.getPersister() == persister && managed.getKey() != entity && sameKey(plan, entity, managed.getKey())) {
                throw new EntityExistsException("@Upsert on " + persister.getMappedClass().getSimpleName()
                        + ": an instance with the same key (" + plan.keyDescription + ") is already managed in this "
                        + "persistence context (id " + entry.getId() + "); modify that instance instead of persisting another");
            }
        }
    }

    private static boolean sameKey(UpsertPlan plan, Object candidate, Object managed) {
        if (plan.keyAttributes.length == 0) {
            return false;
        }
        var attributes = plan.persister.getAttributeMappings();
        for (int index : plan.keyAttributes) {
            var attribute = attributes.get(index);
            Object a = attribute.getValue(candidate);
            Object b = attribute.getValue(managed);
            if (a == null || !java.util.Objects.deepEquals(a, b)) {
                return false;
            }
        }
        return true;
    }
}
