package dev.upsert.quarkus.runtime;

import java.util.Locale;
import java.util.function.BiConsumer;

import io.quarkus.hibernate.orm.runtime.integration.HibernateOrmIntegrationRuntimeInitListener;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;

import dev.upsert.UpsertSettings;

/**
 * Hands {@code quarkus.upsert.*} to Hibernate ORM when a persistence unit starts. Quarkus builds the runtime settings
 * from a snapshot taken at build time, before Hibernate's {@code ServiceContributor}s run, so the settings that
 * upsert-hibernate's contributor applies on plain Hibernate (the redacted error log) are given here instead.
 */
@Recorder
public class UpsertRecorder {

    /** {@code JdbcSettings.LOG_JDBC_ERRORS}. */
    static final String LOG_JDBC_ERRORS = "hibernate.jdbc.log.errors";
    /** {@code RedactedErrors.ACTIVE}: the converter writes the error log, redacted. */
    static final String REDACTED_ERROR_LOG = UpsertSettings.PREFIX + "internal.redacted_error_log";

    private final RuntimeValue<UpsertConfig> config;

    public UpsertRecorder(RuntimeValue<UpsertConfig> config) {
        this.config = config;
    }

    public HibernateOrmIntegrationRuntimeInitListener runtimeListener(String persistenceUnit) {
        return new SettingsListener(config.getValue(), persistenceUnit);
    }

    private record SettingsListener(UpsertConfig config, String persistenceUnit)
            implements HibernateOrmIntegrationRuntimeInitListener {

        @Override
        public void contributeRuntimeProperties(BiConsumer<String, Object> settings) {
            settings.accept(UpsertSettings.VALIDATE_SCHEMA, String.valueOf(config.validateSchema()));
            settings.accept(UpsertSettings.CHECK_SEQUENCES, config.checkSequences().name().toLowerCase(Locale.ROOT));
            settings.accept(UpsertSettings.EXCEPTION_INCLUDE_VALUES, String.valueOf(config.exception().includeValues()));
            config.metrics().expectedConstraints()
                    .ifPresent(names -> settings.accept(UpsertSettings.METRICS_EXPECTED_CONSTRAINTS, String.join(",", names)));
            // as on plain Hibernate: a hibernate.jdbc.log.errors of the user's own decides alone
            if (!config.exception().includeValues() && !UnsupportedProperties.sets(persistenceUnit, LOG_JDBC_ERRORS)) {
                settings.accept(LOG_JDBC_ERRORS, "false");
                settings.accept(REDACTED_ERROR_LOG, "true");
            }
        }
    }
}
