package dev.upsert.bench;

import java.time.OffsetDateTime;

/** One proposed account row: what an upsert sends. {@code createdAt} must survive only if the row is new. */
record AccountRow(String email, String name, long balance, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
