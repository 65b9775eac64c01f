package dev.upsert.quarkus.runtime;

import java.util.List;
import java.util.Optional;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * upsert-hibernate: {@code INSERT ... ON CONFLICT} for {@code @Upsert} entities and a typed
 * {@code DuplicateKeyException}. These settings apply to every Hibernate ORM persistence unit and are read at startup,
 * so they can be changed without a rebuild. Each one is the {@code dev.upsert.UpsertSettings} key of the same name.
 */
@ConfigMapping(prefix = "quarkus.upsert")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface UpsertConfig {

    /**
     * Whether every {@code @Upsert} conflict target is checked against the live catalog when Hibernate ORM starts, so
     * that a target without a matching non-deferrable unique index fails at startup, naming the indexes that do exist,
     * instead of failing with SQLSTATE 42P10 on the first request. The check runs after Hibernate's schema management.
     */
    @WithDefault("true")
    boolean validateSchema();

    /**
     * What happens at startup when the sequence behind a mapped generated id is behind the table's largest id (as
     * after a data-only restore), so that the next inserts would fail on the primary key.
     */
    @WithDefault("warn")
    CheckSequences checkSequences();

    /**
     * How exceptions and log lines treat key values.
     */
    Exception exception();

    /**
     * Micrometer meters ({@code upsert.duplicate.keys}, {@code upsert.rows}), bound when the application has
     * {@code quarkus-micrometer}.
     */
    Metrics metrics();

    /** The values of {@code quarkus.upsert.check-sequences}. */
    enum CheckSequences {
        /** One WARN line per drifted sequence (logger {@code dev.upsert}) naming the entity, sequence and repair. */
        WARN,
        /** Startup fails; the exception lists every drifted sequence and its repair. */
        FAIL,
        /** No check (no query at startup). */
        OFF
    }

    interface Exception {

        /**
         * Whether key values appear in {@code DuplicateKeyException} messages and in the log line Hibernate writes for a
         * failed statement. Key values are often personal data, so by default the messages name the constraint,
         * table, columns, entity and attributes only, and the SQL error log ({@code org.hibernate.orm.jdbc.error},
         * WARN) and Hibernate's exception messages leave out the server's DETAIL ({@code Key (...)=(...)},
         * {@code Failing row contains (...)}) and quoted input values. {@code DuplicateKeyException.getKeyValues()}
         * always returns the values to code that asks.
         */
        @WithDefault("false")
        boolean includeValues();
    }

    interface Metrics {

        /**
         * The unique constraints (or unique index names, as PostgreSQL reports them) whose duplicates are expected,
         * for example idempotent retries answered with 409: their {@code upsert.duplicate.keys} count is tagged
         * {@code expected=true}, every other constraint {@code expected=false}, so an alert can fire on the unexpected
         * ones only.
         */
        Optional<List<String>> expectedConstraints();
    }
}
