package dev.upsert.testing;

import org.junit.jupiter.api.Test;

/** The test support's own packages form no cycle (issue 23: every artifact). */
class PackageCyclesTest {

    @Test
    void packagesFormNoCycle() {
        Architecture.assertNoPackageCycles("dev.upsert", Architecture.class);
    }
}
