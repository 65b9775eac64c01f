package dev.upsert.bench;

import java.time.OffsetDateTime;

/** What the harness needs from each contender's entity class (all map table {@code account}). */
interface AccountEntity {

    Long getId();

    String getEmail();

    OffsetDateTime getCreatedAt();

    /** Copies the proposed values; {@code createdAt} too, which an upsert must not write over an existing row. */
    void assign(AccountRow row);

    /** Copies only what an update changes, as find-then-save does on a row it found. */
    default void update(AccountRow row) {
        throw new UnsupportedOperationException();
    }
}
