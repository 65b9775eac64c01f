package dev.upsert.internal.compat;

import org.hibernate.engine.jdbc.batch.spi.Batch;
import org.hibernate.engine.jdbc.mutation.JdbcValueBindings;
import org.hibernate.engine.jdbc.mutation.TableInclusionChecker;

/** {@link Batch} as 7.x declares it: the form of {@code addToBatch} with a {@code StaleStateMapper}, which 6.6 lacks. */
public interface LineBatch extends Batch {

    @Override
    default void addToBatch(JdbcValueBindings bindings, TableInclusionChecker inclusionChecker, StaleStateMapper mapper) {
        addToBatch(bindings, inclusionChecker);
    }
}
