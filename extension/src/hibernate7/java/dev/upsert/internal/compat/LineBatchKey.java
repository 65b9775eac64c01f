package dev.upsert.internal.compat;

import org.hibernate.engine.jdbc.batch.spi.BatchKey;

/** {@link BatchKey} as 7.x declares it: nothing to add (6.6 also asks for an expectation and a statement count). */
public interface LineBatchKey extends BatchKey {
}
