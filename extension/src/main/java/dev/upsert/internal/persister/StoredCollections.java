package dev.upsert.internal.persister;

import org.hibernate.collection.spi.PersistentCollection;
import org.hibernate.engine.spi.PersistenceContext;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.metamodel.mapping.AttributeMappingsList;
import org.hibernate.metamodel.mapping.PluralAttributeMapping;
import org.hibernate.persister.collection.CollectionPersister;

import dev.upsert.UpsertOutcome;

/**
 * The collections an upserted entity owns (element collections, join tables) after its key turned out to exist.
 * Hibernate treats the entity's collections as new ones, to be inserted at flush under the owner's id: on top of the
 * stored row's elements, as if it had none. So the stored row's collection is put into the persistence context as
 * Hibernate itself registers a collection it loaded:
 * <ul>
 * <li>UPDATED: the stored collection stays unreferenced, so the flush removes its rows, as it does for a loaded
 *     collection the application replaced, and then inserts the entity's: the table ends up holding what the entity
 *     holds, and Envers sees the removal and the insertion (as for a merge of that state). A collection with orphan
 *     removal, which Hibernate does not let go unreferenced, is the stored one with the entity's elements instead
 *     (the entity then holds that instance): its orphans are removed, as a merge removes them;</li>
 * <li>SKIPPED: the entity gets the stored collection (loaded on first access), as it gets the stored basic values;
 *     the table is left alone.</li>
 * </ul>
 * Called once the stored row is written back and before Hibernate flushes the entity's collections: at {@code persist}
 * on Hibernate's IDENTITY path, and for every other id at the start of the flush (or of the cascade at flush that
 * persisted the entity), where the pending upserts of collection owners run ({@code UpsertLifecycleListener}). Until
 * then the entity is keyed by Hibernate's placeholder ({@code DelayedIdKeys}), never by the proposed id.
 */
public final class StoredCollections {

    private StoredCollections() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void replaceElements(PersistentCollection<?> stored, Object entitys) {
        if (stored instanceof java.util.Map map) {
            map.clear();
            if (entitys != null) {
                map.putAll((java.util.Map) entitys);
            }
        } else {
            java.util.Collection elements = (java.util.Collection) stored;
            elements.clear();
            if (entitys != null) {
                elements.addAll((java.util.Collection) entitys);
            }
        }
    }

    /** After the write-back of {@code entity}'s stored row, before Hibernate registers its collections. */
    public static void afterUpsert(UpsertEntityPersister persister, Object entity, Object[] values, Object storedId,
                                   UpsertOutcome outcome, SharedSessionContractImplementor session) {
        if (outcome == UpsertOutcome.INSERTED || !persister.hasCollections()) {
            return;
        }
        PersistenceContext context = session.getPersistenceContextInternal();
        if (context.getEntry(entity) == null) {
            return;  // a StatelessSession writes no collections
        }
        AttributeMappingsList attributes = persister.getAttributeMappings();
        for (int i = 0; i < attributes.size(); i++) {
            if (!(attributes.get(i) instanceof PluralAttributeMapping plural)) {
                continue;
            }
            CollectionPersister collection = plural.getCollectionDescriptor();
            if (collection.isInverse()) {
                continue;  // written by the other side
            }
            PersistentCollection<?> stored = collection.getCollectionType().instantiate(session, collection, storedId);
            stored.setOwner(entity);
            context.addUninitializedCollection(collection, stored, storedId);
            if (outcome == UpsertOutcome.SKIPPED) {
                values[i] = stored;
                persister.setValue(entity, i, stored);
                continue;
            }
            // Read now, while the key names only this instance: its rows are removed at flush, and the removal's
            // listeners (Envers) are told which elements went.
            session.initializeCollection(stored, false);
            if (collection.hasOrphanDelete()) {
                // Hibernate refuses to drop a collection with orphan removal: the stored one takes the entity's
                // elements instead, so the flush updates it and removes the orphans, as a merge does.
                replaceElements(stored, values[i]);
                values[i] = stored;
                persister.setValue(entity, i, stored);
            }
        }
    }
}
