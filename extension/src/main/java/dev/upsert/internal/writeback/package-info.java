/**
 * The write-back: the stored row (id, values, version) copied into the entity and the persistence context after an upsert. Not API.
 */
package dev.upsert.internal.writeback;
