/**
 * The write of an {@code @Upsert} entity, from the {@code EntityPersister} Hibernate calls to the rows read back: the
 * persister and its unique key ({@code UpsertMapping}), the insert/merge coordinators, the plan and the ON CONFLICT
 * statement (one row, or one {@code unnest} statement per chunk), the JDBC batch that holds rows until the flush, and
 * the write-back of the stored row into the entity and the persistence context. One package because these parts call
 * each other in both directions (the persister builds the plan, the plan renders for the persister). Not API.
 */
package dev.upsert.internal.persister;
