package dev.upsert.internal.compat;

import org.hibernate.engine.jdbc.batch.spi.Batch;

/** {@link Batch} as 6.6 declares it: nothing to add (7.x also has an {@code addToBatch} with a {@code StaleStateMapper}). */
public interface LineBatch extends Batch {
}
