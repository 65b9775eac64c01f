package dev.upsert.spring.boot;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;

import dev.upsert.UpsertSettings;

/**
 * Puts the {@code upsert.*} Spring properties into the Hibernate properties of the auto-configured
 * EntityManagerFactory under the library's own keys. Only what is set: an unset property leaves the library's
 * default and any {@code spring.jpa.properties.upsert.*} entry alone. The same setting given both ways with different
 * values stops the boot, naming both: here when {@code spring.jpa.properties} spells the library's own key, else in
 * the library's boot check, which sees both spellings.
 */
final class UpsertHibernateProperties implements HibernatePropertiesCustomizer {

    private final UpsertProperties properties;

    UpsertHibernateProperties(UpsertProperties properties) {
        this.properties = properties;
    }

    @Override
    public void customize(Map<String, Object> hibernate) {
        if (properties.getValidateSchema() != null) {
            put(hibernate, UpsertSettings.VALIDATE_SCHEMA, properties.getValidateSchema().toString(), "upsert.validate-schema");
        }
        if (properties.getException().getIncludeValues() != null) {
            put(hibernate, UpsertSettings.EXCEPTION_INCLUDE_VALUES, properties.getException().getIncludeValues().toString(),
                    "upsert.exception.include-values");
        }
        if (properties.getCheckSequences() != null) {
            put(hibernate, UpsertSettings.CHECK_SEQUENCES, properties.getCheckSequences().name().toLowerCase(Locale.ROOT),
                    "upsert.check-sequences");
        }
        if (!properties.getMetrics().getExpectedConstraints().isEmpty()) {
            put(hibernate, UpsertSettings.METRICS_EXPECTED_CONSTRAINTS,
                    String.join(",", properties.getMetrics().getExpectedConstraints()), "upsert.metrics.expected-constraints");
        }
    }

    /**
     * Puts {@code value} under the library's {@code key}, unless {@code spring.jpa.properties} gave that very key
     * another value: the put would replace it without a word (the library's own check sees only what is left), so
     * the boot stops here, naming both.
     */
    private static void put(Map<String, Object> hibernate, String key, String value, String property) {
        Object given = hibernate.get(key);
        if (given != null && !normalized(given).equals(normalized(value))) {
            throw new InvalidConfigurationPropertyValueException(property, value, "spring.jpa.properties." + key + " = '"
                    + given + "' sets " + key + " too, with a different value; keep one of them");
        }
        hibernate.put(key, value);
    }

    /** A value as the library reads it: case and spaces around list items do not matter. */
    private static String normalized(Object value) {
        return Arrays.stream(value.toString().split(",")).map(v -> v.trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(","));
    }
}
