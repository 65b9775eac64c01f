package dev.upsert.bench;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** One way of upserting account rows. */
interface Contender extends AutoCloseable {

    /** What a Java object holds after its upsert committed: entity contenders only. */
    record Held(Long id, OffsetDateTime createdAt) {
    }

    String name();

    /** Raw JDBC: the ratio column is relative to the fastest of these. */
    default boolean rawJdbc() {
        return false;
    }

    /** Whether W2 (concurrent single-row upserts) runs this contender. */
    default boolean inContention() {
        return true;
    }

    /**
     * W1: upserts every row, one transaction per inner list, one thread.
     *
     * @return what each Java object holds after commit, by email (entity contenders, and raw JDBC with RETURNING);
     * otherwise null
     */
    Map<String, Held> upsertAll(List<List<AccountRow>> transactions) throws Exception;

    /** W2: upserts one row in its own transaction. */
    void upsertOne(AccountRow row) throws Exception;

    @Override
    default void close() {
    }
}
