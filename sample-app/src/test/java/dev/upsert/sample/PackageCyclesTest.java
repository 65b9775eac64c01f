package dev.upsert.sample;

import org.junit.jupiter.api.Test;

import dev.upsert.testing.Architecture;

/** The sample application's packages form no cycle (issue 23: every artifact). */
class PackageCyclesTest {

    @Test
    void packagesFormNoCycle() {
        Architecture.assertNoPackageCycles("dev.upsert", Account.class);
    }
}
