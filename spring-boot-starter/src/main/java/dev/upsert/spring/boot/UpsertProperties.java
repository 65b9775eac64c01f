package dev.upsert.spring.boot;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.upsert.UpsertSettings;

/**
 * upsert-hibernate's settings as Spring Boot properties under {@code upsert.*}, passed into Hibernate as the
 * {@link UpsertSettings} keys when the {@code EntityManagerFactory} is built. A property left unset is not passed, so
 * the library's default applies (the one named here) and a key set the plain way, under
 * {@code spring.jpa.properties.upsert.*}, keeps working; both set to different values stop the boot with a message
 * naming both.
 *
 * <pre>{@code
 * upsert.validate-schema=true
 * upsert.exception.include-values=false
 * upsert.check-sequences=warn
 * upsert.metrics.expected-constraints=account_email_key,webhook_event_event_id_key
 * }</pre>
 *
 * @since 0.2
 */
@ConfigurationProperties("upsert")
public class UpsertProperties {

    /**
     * Whether every @Upsert conflict target is checked against the database's unique indexes when the
     * EntityManagerFactory is built (after Hibernate's schema generation), so that a target without a matching
     * non-deferrable unique index stops the boot instead of failing on the first request. Default: true.
     */
    private Boolean validateSchema;

    /**
     * What happens at boot when the sequence behind a generated id is behind its table's largest id (as after a
     * data-only restore): warn logs one line per drifted sequence with its repair, fail stops the boot, off runs no
     * check. Default: warn.
     */
    private CheckSequences checkSequences;

    private final ExceptionMessages exception = new ExceptionMessages();

    private final Metrics metrics = new Metrics();

    /** @return {@link UpsertSettings#VALIDATE_SCHEMA}, or null when unset (the library's default, true, applies) */
    public Boolean getValidateSchema() {
        return validateSchema;
    }

    /** @param validateSchema {@link UpsertSettings#VALIDATE_SCHEMA} */
    public void setValidateSchema(Boolean validateSchema) {
        this.validateSchema = validateSchema;
    }

    /** @return {@link UpsertSettings#CHECK_SEQUENCES}, or null when unset (the library's default, warn, applies) */
    public CheckSequences getCheckSequences() {
        return checkSequences;
    }

    /** @param checkSequences {@link UpsertSettings#CHECK_SEQUENCES} */
    public void setCheckSequences(CheckSequences checkSequences) {
        this.checkSequences = checkSequences;
    }

    /** @return the {@code upsert.exception.*} properties */
    public ExceptionMessages getException() {
        return exception;
    }

    /** @return the {@code upsert.metrics.*} properties */
    public Metrics getMetrics() {
        return metrics;
    }

    /** The values of {@code upsert.check-sequences}. */
    public enum CheckSequences {
        /** One WARN line per drifted sequence (logger {@code dev.upsert}), naming the entity, the sequence and the repair. */
        WARN,
        /** The boot stops, listing every drifted sequence and its repair. */
        FAIL,
        /** No check, no query at boot. */
        OFF
    }

    /** {@code upsert.exception.*}: what exception messages may show. */
    public static class ExceptionMessages {

        /**
         * Whether key values (often personal data: emails, user names) appear in DuplicateKeyException messages,
         * in Spring's DuplicateKeyException built from it, and in the log line Hibernate writes for a failed
         * statement. getKeyValues() always returns them to code that asks. Default: false.
         */
        private Boolean includeValues;

        /** @return {@link UpsertSettings#EXCEPTION_INCLUDE_VALUES}, or null when unset (the library's default, false) */
        public Boolean getIncludeValues() {
            return includeValues;
        }

        /** @param includeValues {@link UpsertSettings#EXCEPTION_INCLUDE_VALUES} */
        public void setIncludeValues(Boolean includeValues) {
            this.includeValues = includeValues;
        }
    }

    /** {@code upsert.metrics.*}: the meters of {@code dev.upsert.micrometer.UpsertMetrics}. */
    public static class Metrics {

        /**
         * Unique constraints (or unique index names, as PostgreSQL reports them) whose duplicates are expected, such
         * as idempotent retries answered with 409: their upsert.duplicate.keys count is tagged expected=true, every
         * other constraint expected=false, so that an alert can fire on the unexpected ones only. Default: none.
         */
        private List<String> expectedConstraints = new ArrayList<>();

        /** @return {@link UpsertSettings#METRICS_EXPECTED_CONSTRAINTS}; empty when unset */
        public List<String> getExpectedConstraints() {
            return expectedConstraints;
        }

        /** @param expectedConstraints {@link UpsertSettings#METRICS_EXPECTED_CONSTRAINTS} */
        public void setExpectedConstraints(List<String> expectedConstraints) {
            this.expectedConstraints = expectedConstraints;
        }
    }
}
