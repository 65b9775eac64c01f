package dev.upsert.spring.boot;

import java.util.Locale;
import java.util.Map;

import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;

import dev.upsert.UpsertSettings;

/**
 * Puts the {@code upsert.*} Spring properties into the Hibernate properties of the auto-configured
 * EntityManagerFactory under the library's own keys. Only what is set: an unset property leaves the library's
 * default and any {@code spring.jpa.properties.upsert.*} entry alone (a conflict between the two is refused by the
 * library's boot check, which names both keys).
 */
final class UpsertHibernateProperties implements HibernatePropertiesCustomizer {

    private final UpsertProperties properties;

    UpsertHibernateProperties(UpsertProperties properties) {
        this.properties = properties;
    }

    @Override
    public void customize(Map<String, Object> hibernate) {
        if (properties.getValidateSchema() != null) {
            hibernate.put(UpsertSettings.VALIDATE_SCHEMA, properties.getValidateSchema().toString());
        }
        if (properties.getException().getIncludeValues() != null) {
            hibernate.put(UpsertSettings.EXCEPTION_INCLUDE_VALUES, properties.getException().getIncludeValues().toString());
        }
        if (properties.getCheckSequences() != null) {
            hibernate.put(UpsertSettings.CHECK_SEQUENCES, properties.getCheckSequences().name().toLowerCase(Locale.ROOT));
        }
        if (!properties.getMetrics().getExpectedConstraints().isEmpty()) {
            hibernate.put(UpsertSettings.METRICS_EXPECTED_CONSTRAINTS,
                    String.join(",", properties.getMetrics().getExpectedConstraints()));
        }
    }
}
