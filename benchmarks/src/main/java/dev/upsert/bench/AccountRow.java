package dev.upsert.bench;

import java.time.OffsetDateTime;

/** One proposed account row: what an upsert sends. {@code createdAt} must survive only if the row is new. */
record AccountRow(String email, String name, long balance, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    /** Tenants of the distributed table ({@code --citus}): enough to spread a transaction over both workers. */
    static final int TENANTS = 16;

    /**
     * The row's tenant, the distribution column of {@code --citus}: taken from the key, so an email keeps its tenant
     * in every round and stays unique across tenants (the verifier keys rows by email).
     */
    long tenantId() {
        return Math.floorMod(email.hashCode(), TENANTS) + 1;
    }
}
