/**
 * The {@code EntityPersister} that {@code @Upsert} entities get, the unique key it upserts on ({@code UpsertMapping}) and the identity-column id blocks. Not API.
 */
package dev.upsert.internal.persister;
