package dev.upsert;

import org.junit.jupiter.api.Test;

import dev.upsert.testing.Architecture;

/**
 * The floors of docs/architecture.md, checked on this artifact's main classes (hibernate-66 runs this test on its own
 * classes: the same packages, with its side of the compat seam).
 */
class ArchitectureTest {

    @Test
    void packagesFormNoCycle() {
        Architecture.assertNoPackageCycles("dev.upsert", Upsert.class);
    }

    @Test
    void eachFloorUsesOnlyFloorsBelowIt() {
        Architecture.assertFloors(Upsert.class, "dev.upsert",
                "dev.upsert.micrometer",          // an integration: observes outcomes through the listener registry
                "dev.upsert.internal.boot",       // wiring: integrators, service contributors, the public entry
                "dev.upsert.internal.event",      // session hooks: persist, flush, lifecycle callbacks
                "dev.upsert.internal.exception",  // 23505 -> DuplicateKeyException, with the writes that caused it
                "dev.upsert.internal.persister",  // the write: persister, plan, statement, batch, write-back
                "dev.upsert.internal.statement",  // SQL fragments that need no persister
                "dev.upsert.internal.outcome",    // what happened to each entity, and who is told
                "dev.upsert.internal.catalog",    // what the database says: unique keys, tables, duplicate rows
                "dev.upsert.internal.settings",   // the settings as read, the boot-time mapping error
                "dev.upsert.internal.session",    // what a session keeps for the library's hooks, without a lock
                "dev.upsert.internal.compat",     // the Hibernate-version seam
                "dev.upsert");                    // the public types, which every floor may use
    }
}
