package dev.upsert.internal.event;

import dev.upsert.internal.persister.UpsertBatch;
import dev.upsert.internal.persister.UpsertEntityPersister;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.hibernate.HibernateException;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.event.spi.EventSource;
import org.hibernate.event.spi.LoadEvent;
import org.hibernate.event.spi.LoadEventListener;
import org.hibernate.event.spi.PersistContext;
import org.hibernate.event.spi.PersistEvent;
import org.hibernate.event.spi.PersistEventListener;
import org.hibernate.metamodel.mapping.internal.ToOneAttributeMapping;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.proxy.HibernateProxy;

/**
 * Runs the pending upserts before Hibernate reads a proposed id where it would outlive the flush, as Hibernate runs a
 * delayed IDENTITY insert early when an id is needed ({@code ActionQueue.executeInserts()}):
 * <ul>
 * <li>the persist of an entity whose id is derived from a pending {@code @Upsert} entity ({@code @MapsId}): Hibernate
 * copies the parent's id into the child at {@code persist}, so the child would keep the proposed id, which is no
 * row's when the key existed (a foreign key violation, or an orphan row without the constraint);</li>
 * <li>{@code find}/{@code getReference} by an id that keys a pending {@code @Upsert} entity in the persistence
 * context (only an id type that {@link DelayedIdKeys} leaves keyed by the proposed id): the instance is found under
 * its stored id afterwards, and a proposed id that no row took finds nothing. Entities keyed by the placeholder
 * are keyed by no id at all until their statement ran.</li>
 * </ul>
 * Anything else is one map lookup.
 */
public final class ProposedIdListener implements PersistEventListener, LoadEventListener {

    private static final List<ToOneAttributeMapping> NONE = List.of();

    /** Per entity type, its {@code @MapsId} associations to {@code @Upsert} types (usually none). */
    private final Map<EntityPersister, List<ToOneAttributeMapping>> derivedIds = new ConcurrentHashMap<>();

    @Override
    public void onPersist(PersistEvent event) throws HibernateException {
        derivedIdFirst(event);
    }

    @Override
    public void onPersist(PersistEvent event, PersistContext createdAlready) throws HibernateException {
        derivedIdFirst(event);
    }

    @Override
    public void onLoad(LoadEvent event, LoadType loadType) throws HibernateException {
        EventSource session = event.getSession();
        Object id = event.getEntityId();
        if (id == null || event.getEntityClassName() == null || session.getPersistenceContextInternal().isFlushing()) {
            return;
        }
        EntityPersister persister = session.getFactory().getMappingMetamodel().findEntityDescriptor(event.getEntityClassName());
        if (!(persister instanceof UpsertEntityPersister) || !persister.getIdentifierMapping().getJavaType().isInstance(id)) {
            return;
        }
        Object managed = session.getPersistenceContextInternal().getEntity(session.generateEntityKey(id, persister));
        if (managed != null && pending(session, managed)) {
            runPending(session);
        }
    }

    private void derivedIdFirst(PersistEvent event) {
        Object entity = event.getObject();
        if (entity == null || entity instanceof HibernateProxy) {
            return;
        }
        EventSource session = event.getSession();
        EntityPersister persister = session.getFactory().getMappingMetamodel().findEntityDescriptor(entity.getClass());
        if (persister == null) {
            return;
        }
        List<ToOneAttributeMapping> parents = derivedIds.computeIfAbsent(persister, ProposedIdListener::derivedIdsOf);
        // most entities derive no id: the persistence context is not asked about them
        if (parents.isEmpty() || session.getPersistenceContextInternal().getEntry(entity) != null) {
            return;
        }
        for (ToOneAttributeMapping parent : parents) {
            Object value = parent.getValue(entity);
            if (value == null || value instanceof HibernateProxy) {
                continue;  // a proxy stands for a loaded row: its id is stored
            }
            if (session.getPersistenceContextInternal().getEntry(value) == null) {
                // what Hibernate does itself when it derives the id (IdentifierGeneratorHelper.getForeignId), done first
                session.persist(parent.getEntityMappingType().getEntityName(), value);
            }
            if (pending(session, value)) {
                runPending(session);
            }
        }
    }

    private static boolean pending(EventSource session, Object entity) {
        EntityEntry entry = session.getPersistenceContextInternal().getEntry(entity);
        return entry != null && entry.getPersister() instanceof UpsertEntityPersister
                && UpsertEntityPersister.awaitsUpsert(entry, entity, session);
    }

    private static void runPending(EventSource session) {
        session.getActionQueue().executeInserts();
        UpsertBatch.runPending(session);
    }

    /** The to-one attributes to {@code @Upsert} types whose foreign key columns are (part of) the entity's id. */
    private static List<ToOneAttributeMapping> derivedIdsOf(EntityPersister persister) {
        Set<String> idColumns = new HashSet<>();
        persister.getIdentifierMapping().forEachSelectable((i, selectable) -> idColumns.add(selectable.getSelectionExpression()));
        List<ToOneAttributeMapping> found = new ArrayList<>();
        var attributes = persister.getAttributeMappings();
        for (int i = 0; i < attributes.size(); i++) {
            if (attributes.get(i) instanceof ToOneAttributeMapping toOne
                    && toOne.getEntityMappingType().getEntityPersister() instanceof UpsertEntityPersister
                    && toOne.getForeignKeyDescriptor() != null) {
                boolean[] inId = {false};
                toOne.getForeignKeyDescriptor().getKeyPart().forEachSelectable(
                        (k, selectable) -> inId[0] |= idColumns.contains(selectable.getSelectionExpression()));
                if (inId[0]) {
                    found.add(toOne);
                }
            }
        }
        return found.isEmpty() ? NONE : List.copyOf(found);
    }
}
