package dev.upsert.quarkus.deployment;

import org.junit.jupiter.api.Test;

import dev.upsert.testing.Architecture;

/** The Quarkus deployment module's packages form no cycle (issue 23: every artifact). */
class PackageCyclesTest {

    @Test
    void packagesFormNoCycle() {
        Architecture.assertNoPackageCycles("dev.upsert", UpsertProcessor.class);
    }
}
