package dev.upsert.internal.compat;

import org.hibernate.engine.jdbc.batch.spi.BatchKey;
import org.hibernate.jdbc.Expectation;

/**
 * {@link BatchKey} as 6.6 declares it: an expectation and a statement count, which 6.6's own batch reads and ours does
 * not (UpsertBatch checks its rows itself); 7.x dropped both.
 */
public interface LineBatchKey extends BatchKey {

    @Override
    default int getBatchedStatementCount() {
        return 1;
    }

    @Override
    default Expectation getExpectation() {
        return new Expectation.None();
    }
}
