package dev.upsert.internal.persister;

import dev.upsert.internal.outcome.UpsertListeners;
import jakarta.persistence.EntityExistsException;

import org.hibernate.action.internal.DelayedPostInsertIdentifier;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.EntityKey;
import org.hibernate.engine.spi.PersistenceContext;
import org.hibernate.engine.spi.SelfDirtinessTracker;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.metamodel.mapping.NaturalIdMapping;

import dev.upsert.UpsertOutcome;
import dev.upsert.internal.outcome.UpsertResults;

/**
 * Makes the entity, and Hibernate's snapshot of it, equal the stored row: every basic attribute, the version, and
 * for ids generated before the insert, the stored row's id (the id attribute is null until then; the persistence
 * context held the proposed one).
 */
public final class WriteBack {

    private WriteBack() {
    }

    /** Copies the stored row's basic attributes into {@code values} (Hibernate's state array) and the entity. */
    public static UpsertOutcome apply(UpsertPlan plan, Object entity, Object[] values, UpsertPlan.StoredRow row,
                               SharedSessionContractImplementor session) {
        String[] changedSincePersist = trackedChanges(entity);
        var readBacks = row.readBacks();
        for (int r = 0; r < readBacks.size(); r++) {
            int attribute = readBacks.get(r).attributeIndex();
            if (attribute >= 0) {
                // A value the application changed after persist (the upsert ran later, at flush) stays in the entity:
                // the snapshot takes the stored value, so the dirty-check writes the change to the stored row.
                boolean unchanged = plan.persister.getPropertyTypes()[attribute]
                        .isSame(values[attribute], plan.persister.getValue(entity, attribute));
                values[attribute] = row.values()[r];
                if (unchanged) {
                    plan.persister.setValue(entity, attribute, row.values()[r]);
                }
            }
        }
        // the stored values set above are not the application's changes; the changes it made are, and stay tracked
        retrack(entity, changedSincePersist);
        UpsertOutcome outcome = row.inserted() ? UpsertOutcome.INSERTED : row.skipped() ? UpsertOutcome.SKIPPED : UpsertOutcome.UPDATED;
        if (outcome == UpsertOutcome.UPDATED) {
            SecondLevelCache.evictEntity(plan.persister, row.id(), session);
        }
        UpsertListeners.in(session.getFactory()).upserted(plan.persister.getMappedClass(), outcome);
        return outcome;
    }

    /**
     * After a batched upsert ran: writes the row back and, when the key belonged to another id, moves the entity to
     * the stored id in the persistence context (what Hibernate does for delayed identity inserts), including its
     * natural-id resolution, so that later dirty-checks update the right row.
     */
    public static void applyAfterInsert(UpsertPlan plan, UpsertBatch.PendingRow pending, UpsertPlan.StoredRow row,
                                 SharedSessionContractImplementor session) {
        String[] changedSincePersist = trackedChanges(pending.entity());
        var persister = plan.persister;
        // the natural id as Hibernate's insert action saw it (its state, before the stored row replaces it)
        NaturalIdMapping naturalIdMapping = persister.getNaturalIdMapping();
        Object proposedNaturalId = naturalIdMapping == null ? null : naturalIdMapping.extractNaturalIdFromEntityState(pending.values());
        UpsertOutcome outcome = apply(plan, pending.entity(), pending.values(), row, session);
        if (proposedNaturalId != null && !persister.getIdentifierMapping().areEqual(pending.id(), row.id(), session)) {
            SecondLevelCache.evictNaturalId(persister, proposedNaturalId, session);
        }
        PersistenceContext context = session.getPersistenceContextInternal();
        Object storedId = row.id();
        EntityEntry current = context.getEntry(pending.entity());
        if (current == null) {
            // StatelessSession.insert: no persistence context to move the entity in, only the entity itself
            persister.setStoredIdentifier(pending.entity(), storedId, session);
            return;
        }
        boolean moved = !persister.getIdentifierMapping().areEqual(pending.id(), storedId, session);
        if (moved || current.getId() instanceof DelayedPostInsertIdentifier) {
            EntityKey storedKey = session.generateEntityKey(storedId, persister);
            Object managed = context.getEntity(storedKey);
            if (managed != null && managed != pending.entity()) {
                throw new EntityExistsException("@Upsert on " + persister.getMappedClass().getSimpleName() + ": the row with key ("
                        + plan.keyDescription + ") is already managed in this persistence context as another instance; "
                        + "modify that instance instead of persisting a new one");
            }
            // from the placeholder (event.DelayedIdKeys) or the proposed id to the stored one, as after a delayed identity insert
            current = Rekey.to(storedId, pending.entity(), current, session);  // a new entry, under the stored id
            NaturalIdMapping naturalId = persister.getNaturalIdMapping();
            if (naturalId != null && moved) {
                Object naturalIdValues = naturalId.extractNaturalIdFromEntity(pending.entity());
                context.getNaturalIdResolutions().removeLocalResolution(pending.id(), naturalIdValues, persister);
                context.getNaturalIdResolutions().cacheResolutionFromLoad(storedId, naturalIdValues, persister);
            }
        }
        // the id attribute stayed null since persist (UpsertEntityPersister#setIdentifier): now it is the stored row's
        persister.setStoredIdentifier(pending.entity(), storedId, session);
        // the collections it owns, under the stored id (written by this flush: the upsert ran before its collections
        // were flushed, UpsertLifecycleListener)
        StoredCollections.afterUpsert(persister, pending.entity(), pending.values(), storedId, outcome, session);
        Object version = persister.isVersioned() ? pending.values()[persister.getVersionMapping().getVersionAttribute().getStateArrayPosition()]
                : current.getVersion();
        // the snapshot is the stored row: a later dirty-check compares against it, never against proposed values.
        // A read-only entry (@Immutable) keeps no snapshot and is never dirty-checked; it refuses the update's lock.
        if (!current.isReadOnly()) {
            current.postUpdate(pending.entity(), pending.values(), version);
        }
        // postUpdate also cleared an enhanced entity's dirty tracker, which is all a flush asks it: the changes
        // made since persist must still reach the stored row as an update
        retrack(pending.entity(), changedSincePersist);
        UpsertResults.record(current, outcome);
    }

    /**
     * The attributes a bytecode-enhanced entity recorded as changed (Hibernate clears the record at {@code persist},
     * so these are the changes made since); null for an entity without dirty tracking.
     */
    private static String[] trackedChanges(Object entity) {
        return entity instanceof SelfDirtinessTracker tracker ? tracker.$$_hibernate_getDirtyAttributes() : null;
    }

    /** Makes an enhanced entity's record of changes {@code changes} again. */
    private static void retrack(Object entity, String[] changes) {
        if (changes != null && entity instanceof SelfDirtinessTracker tracker) {
            tracker.$$_hibernate_clearDirtyAttributes();
            for (String attribute : changes) {
                tracker.$$_hibernate_trackChange(attribute);
            }
        }
    }
}
