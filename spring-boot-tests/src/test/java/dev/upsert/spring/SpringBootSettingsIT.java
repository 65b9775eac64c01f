package dev.upsert.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

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

    /** The application with these properties and this process environment (Spring's own environment-variable source). */
    private static ConfigurableApplicationContext boot(TestSchema db, Map<String, Object> properties, Map<String, Object> variables) {
        Map<String, Object> all = db.springProperties();
        all.put("spring.jpa.hibernate.ddl-auto", "create-drop");
        all.putAll(properties);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        SpringApplication application = new SpringApplicationBuilder(LegacyApplication.class)
                .web(WebApplicationType.NONE).environment(environment).properties(all).build();
        return application.run();
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
