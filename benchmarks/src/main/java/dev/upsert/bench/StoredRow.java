package dev.upsert.bench;

import java.time.OffsetDateTime;

/** A row as the table holds it. */
record StoredRow(long id, String email, String name, long balance, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
