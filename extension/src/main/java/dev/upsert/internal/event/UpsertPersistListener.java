package dev.upsert.internal.event;

import dev.upsert.internal.persister.UpsertEntityPersister;
import dev.upsert.internal.persister.UpsertPlan;
import dev.upsert.internal.session.SessionState;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityExistsException;

import org.hibernate.HibernateException;
import org.hibernate.engine.spi.PersistenceContext;
import org.hibernate.engine.spi.Status;
import org.hibernate.event.spi.PersistContext;
import org.hibernate.event.spi.EventSource;
import org.hibernate.event.spi.PersistEvent;
import org.hibernate.event.spi.PersistEventListener;

/**
 * Refuses, before any SQL runs, to persist an {@code @Upsert} entity whose key is already held by a managed instance
 * (loaded earlier, or persisted earlier in the same flush): the upsert would make two managed instances of one row,
 * or send the key twice in one batch. The caller should modify the managed instance instead. A key holding a NULL
 * is nobody's duplicate (NULLs are distinct in a unique index), unless the index is {@code NULLS NOT DISTINCT}.
 * An instance removed earlier in the same unit of work gives its key up: the removal is flushed first.
 */
public final class UpsertPersistListener implements PersistEventListener {

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
        refuseManagedKey(persister, entity, session, context);
        // only once the persist goes ahead: an expectation left by a refused persist would outlive it
        persister.expectProposedId(entity, session);
    }

    private static void refuseManagedKey(UpsertEntityPersister persister, Object entity, EventSource session,
                                         PersistenceContext context) {
        UpsertPlan plan = persister.plan(session);
        if (plan.keyAttributes.length == 0 || context.getNumberOfManagedEntities() == 0) {
            // nothing managed, nothing holds the key: the first persist of a unit of work (a one-row transaction's
            // only one) neither builds nor registers an index
            return;
        }
        ManagedKeys index = SessionState.of(session).computeIfAbsent(INDEX, ManagedKeys::new);
        Object managed = index.find(context, plan, entity);
        if (managed != null && context.getEntry(managed).getStatus() == Status.DELETED) {
            // remove, then persist of one key: the removal must run first, or the upsert would find the removed row
            // and the delete would then remove the new instance's row.
            if (context.isFlushing() || context.getCascadeLevel() > 0) {
                throw new EntityExistsException("@Upsert on " + persister.getMappedClass().getSimpleName() + ": an instance "
                        + "with the same key (" + plan.keyDescription + ") was removed in this persistence context and the "
                        + "removal is not flushed yet; call flush() after remove() and before persisting the new instance");
            }
            session.flush();
            return;
        }
        if (managed != null) {
            throw new EntityExistsException("@Upsert on " + persister.getMappedClass().getSimpleName()
                    + ": an instance with the same key (" + plan.keyDescription + ") is already managed in this "
                    + "persistence context" + managedId(context.getEntry(managed)) + "; modify that instance instead of "
                    + "persisting another");
        }
    }

    /** The managed instance's id, unless its upsert is pending: then the id is only proposed, and not shown. */
    private static String managedId(org.hibernate.engine.spi.EntityEntry entry) {
        return entry.isExistsInDatabase() && !DelayedIdKeys.isDelayed(entry) ? " (id " + entry.getId() + ")" : "";
    }

    /** One index per session, in its state: the listener itself is shared by all sessions. */
    private static final SessionState.Slot<ManagedKeys> INDEX = new SessionState.Slot<>();

    /**
     * Managed {@code @Upsert} entities by key, so a persist costs one lookup instead of a scan of the persistence
     * context. Rebuilt whenever the context holds a different number of entities than the index expects (loads,
     * clear, evict, cascades); a persist adds exactly its own entity, so a run of persists never rebuilds.
     */
    private static final class ManagedKeys {
        private final Map<UpsertEntityPersister, Map<Object, Object>> byKey = new HashMap<>();
        private int expectedEntities = -1;

        Object find(PersistenceContext context, UpsertPlan plan, Object entity) {
            int entities = context.getNumberOfManagedEntities();
            if (entities != expectedEntities) {
                // emptied, not dropped: after a clear() the next unit of work fills tables already grown to its size
                byKey.values().forEach(Map::clear);
                for (var managed : context.reentrantSafeEntityEntries()) {
                    Status status = managed.getValue().getStatus();
                    if (status == Status.GONE || status == Status.LOADING) {
                        continue;
                    }
                    if (managed.getValue().getPersister() instanceof UpsertEntityPersister p) {
                        UpsertPlan managedPlan = p.plan();
                        if (managedPlan != null && managedPlan.keyAttributes.length > 0) {
                            byKey.computeIfAbsent(p, x -> new HashMap<>()).put(key(managedPlan, managed.getKey()), managed.getKey());
                        }
                    }
                }
            }
            Map<Object, Object> keys = byKey.computeIfAbsent(plan.persister, x -> new HashMap<>());
            Object key = key(plan, entity);
            if (!plan.nullsNotDistinct && (key == null || key instanceof KeyValues values && values.holdsNull())) {
                expectedEntities = entities + 1;
                return null;  // a NULL in the key never conflicts: each such row is a row of its own
            }
            Object managed = keys.get(key);
            // the index may be stale when a managed entity's key was changed in memory: confirm before refusing
            if (managed != null && managed != entity && context.getEntry(managed) != null && sameKey(plan, entity, managed)) {
                return managed;
            }
            keys.put(key, entity);
            expectedEntities = entities + 1;
            return null;
        }

        /** The key's value, for a key of one attribute (the common case: no list per persist), else its values. */
        private static Object key(UpsertPlan plan, Object entity) {
            var attributes = plan.persister.getAttributeMappings();
            if (plan.keyAttributes.length == 1) {
                return attributes.get(plan.keyAttributes[0]).getValue(entity);
            }
            Object[] values = new Object[plan.keyAttributes.length];
            for (int k = 0; k < values.length; k++) {
                values[k] = attributes.get(plan.keyAttributes[k]).getValue(entity);
            }
            return new KeyValues(Arrays.asList(values));
        }

        /** A key of several attributes: equal when every value is (never equal to a single value). */
        private record KeyValues(List<Object> values) {
            boolean holdsNull() {
                return values.contains(null);
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
            if ((a == null && !plan.nullsNotDistinct) || !java.util.Objects.deepEquals(a, b)) {
                return false;
            }
        }
        return true;
    }
}
