/**
 * SQL fragments of the upsert statement that need no persister: the {@code ON CONFLICT} clause and the typed column
 * arrays that {@code unnest} reads. Not API.
 */
package dev.upsert.internal.statement;
