package dev.upsert.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

import dev.upsert.spring.legacy.LegacyApplication;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * upsert-hibernate's settings as a Spring Boot application sets them: under {@code spring.jpa.properties}, in kebab
 * case, and as an environment variable. The probe: {@link LegacyApplication}'s {@code @Upsert} target has no unique
 * index, so the boot fails unless {@code upsert.validate_schema} is false.
 */
@PostgresTest
class SpringBootSettingsIT {

    @Test
    void withoutSettingsTheBootCheckRefusesTheApplication(TestSchema db) {
        Throwable thrown = catchThrowable(() -> boot(db, Map.of(), Map.of()).close());
        assertThat(rootMessage(thrown)).contains("@Upsert on LegacyAccount: no non-deferrable unique index of");
    }

    @ParameterizedTest
    @ValueSource(strings = {"spring.jpa.properties.upsert.validate_schema", "spring.jpa.properties.upsert.validate-schema"})
    void aPropertyTurnsTheCheckOff(String property, TestSchema db) {
        try (ConfigurableApplicationContext app = boot(db, Map.of(property, "false"), Map.of())) {
            assertThat(app.isRunning()).isTrue();
        }
    }

    @Test
    void theEnvironmentVariableTurnsTheCheckOff(TestSchema db) {
        // Spring Boot binds SPRING_JPA_PROPERTIES_UPSERT_VALIDATE_SCHEMA to the key upsert.validate.schema
        try (ConfigurableApplicationContext app = boot(db, Map.of(), Map.of("SPRING_JPA_PROPERTIES_UPSERT_VALIDATE_SCHEMA", "false"))) {
            assertThat(app.isRunning()).isTrue();
        }
    }

    private static ConfigurableApplicationContext boot(TestSchema db, Map<String, Object> properties, Map<String, Object> variables) {
        return TestApplications.boot(new Class<?>[] {LegacyApplication.class}, db, properties, variables);
    }

    private static String rootMessage(Throwable thrown) {
        assertThat(thrown).as("boot must fail").isNotNull();
        Throwable root = thrown;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
