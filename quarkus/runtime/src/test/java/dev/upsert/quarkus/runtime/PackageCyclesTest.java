package dev.upsert.quarkus.runtime;

import org.junit.jupiter.api.Test;

import dev.upsert.testing.Architecture;

/** The Quarkus runtime module's packages form no cycle (issue 23: every artifact). */
class PackageCyclesTest {

    @Test
    void packagesFormNoCycle() {
        Architecture.assertNoPackageCycles("dev.upsert", UpsertRecorder.class);
    }
}
