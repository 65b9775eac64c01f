package dev.upsert.internal.persister;

import java.util.function.Supplier;

import org.hibernate.engine.jdbc.batch.spi.Batch;
import org.hibernate.engine.jdbc.batch.spi.BatchBuilder;
import org.hibernate.engine.jdbc.batch.spi.BatchKey;
import org.hibernate.engine.jdbc.mutation.group.PreparedStatementGroup;
import org.hibernate.engine.jdbc.spi.JdbcCoordinator;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/** Builds {@link UpsertBatch}es for upsert keys and hands every other batch to the builder Hibernate configured. */
public final class UpsertBatchBuilder implements BatchBuilder {

    private final BatchBuilder delegate;

    public UpsertBatchBuilder(BatchBuilder delegate) {
        this.delegate = delegate;
    }

    @Override
    public Batch buildBatch(BatchKey key, Integer batchSize, Supplier<PreparedStatementGroup> statementGroup,
                            JdbcCoordinator jdbcCoordinator) {
        if (key == UpsertInsertCoordinator.UpsertBatchKey.INSTANCE) {
            // a StatelessSession's own batch: the coordinator is its own, never shared
            return new UpsertBatch(batchSize, (SharedSessionContractImplementor) jdbcCoordinator.getJdbcSessionOwner());
        }
        return delegate.buildBatch(key, batchSize, statementGroup, jdbcCoordinator);
    }
}
