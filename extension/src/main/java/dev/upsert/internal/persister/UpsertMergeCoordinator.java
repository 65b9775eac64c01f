package dev.upsert.internal.persister;

import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.generator.values.GeneratedValues;
import org.hibernate.persister.entity.mutation.UpdateCoordinator;
import org.hibernate.sql.model.MutationOperationGroup;

/**
 * {@code StatelessSession.upsert} of an {@code @Upsert} entity: the upsert by the entity's key, like {@code insert},
 * instead of Hibernate's merge by id (which would insert a second row for an existing key and fail with 23505). The
 * stored row and id are written back into the entity. Hibernate itself refuses an entity without an id before this
 * runs; forced version increments stay Hibernate's.
 */
public final class UpsertMergeCoordinator implements UpdateCoordinator {

    private final UpsertEntityPersister persister;
    private final UpdateCoordinator standard;

    public UpsertMergeCoordinator(UpsertEntityPersister persister, UpdateCoordinator standard) {
        this.persister = persister;
        this.standard = standard;
    }

    @Override
    public GeneratedValues update(Object entity, Object id, Object rowId, Object[] values, Object oldVersion,
                                  Object[] incomingOldValues, int[] dirtyAttributeIndexes, boolean hasDirtyCollection,
                                  SharedSessionContractImplementor session) {
        UpsertPlan plan = persister.plan(session);
        UpsertPlan.StoredRow row = UpsertInsertCoordinator.executeOne(plan, plan.jdbcValues(id, values, session), session);
        WriteBack.apply(plan, entity, values, row, session);
        persister.setStoredIdentifier(entity, row.id(), session);
        return null;
    }

    @Override
    public void forceVersionIncrement(Object id, Object currentVersion, Object nextVersion, SharedSessionContractImplementor session) {
        standard.forceVersionIncrement(id, currentVersion, nextVersion, session);
    }

    @Override
    public void forceVersionIncrement(Object id, Object currentVersion, Object nextVersion, boolean batching,
                                      SharedSessionContractImplementor session) {
        standard.forceVersionIncrement(id, currentVersion, nextVersion, batching, session);
    }

    @Override
    public MutationOperationGroup getStaticMutationOperationGroup() {
        return standard.getStaticMutationOperationGroup();
    }
}
