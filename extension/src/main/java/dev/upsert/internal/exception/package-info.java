/**
 * Duplicate-key conversion: SQLSTATE 23505 turned into {@code DuplicateKeyException} (constraint, columns, entity, attributes, key values), with key values redacted from Hibernate's SQL error log unless opted in. Not API.
 */
package dev.upsert.internal.exception;
