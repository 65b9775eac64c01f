package dev.upsert.bench;

/** One delivered event of W3: its key (the idempotency key) and its payload. */
record InboxEvent(String key, String payload) {
}
