package dev.upsert.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManagerFactory;

import io.micrometer.core.instrument.MeterRegistry;

import org.junit.jupiter.api.Test;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.upsert.UpsertSettings;
import dev.upsert.micrometer.UpsertMetrics;
import dev.upsert.spring.TestApplications;
import dev.upsert.spring.boot.drift.RestoredApplication;
import dev.upsert.spring.legacy.LegacyApplication;
import dev.upsert.spring.shop.Member;
import dev.upsert.spring.shop.MemberRepository;
import dev.upsert.spring.shop.ShopApplication;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * The starter's {@code upsert.*} properties reach Hibernate and do what the library's settings do: each probed by an
 * application whose boot or exception depends on it. Also the configuration metadata an IDE reads.
 */
@PostgresTest
class StarterSettingsIT {

    @Test
    void withoutSettingsTheBootCheckRefusesAnUpsertTargetWithoutUniqueIndex(TestSchema db) {
        Throwable thrown = catchThrowable(() -> boot(LegacyApplication.class, db, Map.of(), Map.of()).close());
        assertThat(thrown).hasStackTraceContaining("@Upsert on LegacyAccount: no non-deferrable unique index of");
    }

    @Test
    void validateSchemaFalseAsASpringPropertyOrEnvironmentVariable(TestSchema db) {
        try (ConfigurableApplicationContext app = boot(LegacyApplication.class, db, Map.of("upsert.validate-schema", "false"), Map.of())) {
            assertThat(app.getBean(EntityManagerFactory.class).getProperties()).containsEntry(UpsertSettings.VALIDATE_SCHEMA, "false");
        }
        // Spring's relaxed binding: UPSERT_VALIDATESCHEMA is upsert.validate-schema
        try (ConfigurableApplicationContext app = boot(LegacyApplication.class, db, Map.of(), Map.of("UPSERT_VALIDATESCHEMA", "false"))) {
            assertThat(app.isRunning()).isTrue();
        }
    }

    @Test
    void thePlainRouteUnderSpringJpaPropertiesStillWorksAndAConflictIsRefusedNamingBoth(TestSchema db) {
        try (ConfigurableApplicationContext app = boot(LegacyApplication.class, db,
                Map.of("spring.jpa.properties.upsert.validate-schema", "false"), Map.of())) {
            assertThat(app.isRunning()).isTrue();
        }
        Throwable thrown = catchThrowable(() -> boot(LegacyApplication.class, db, Map.of(
                "spring.jpa.properties.upsert.validate-schema", "false", "upsert.validate-schema", "true"), Map.of()).close());
        assertThat(thrown).hasStackTraceContaining("upsert.validate-schema = 'false'").hasStackTraceContaining("upsert.validate_schema = 'true'")
                .hasStackTraceContaining("with different values; keep one of them");
    }

    /**
     * The same with the library's own key under {@code spring.jpa.properties}, which the starter's property would
     * otherwise have replaced without a word.
     */
    @Test
    void theLibrarysOwnKeyUnderSpringJpaPropertiesWithAnotherValueStopsTheBootNamingBoth(TestSchema db) {
        Throwable thrown = catchThrowable(() -> boot(LegacyApplication.class, db, Map.of(
                "spring.jpa.properties.upsert.exception.include_values", "true", "upsert.exception.include-values", "false"),
                Map.of()).close());
        assertThat(thrown).hasStackTraceContaining("upsert.exception.include-values")
                .hasStackTraceContaining("spring.jpa.properties.upsert.exception.include_values = 'true'")
                .hasStackTraceContaining("with a different value; keep one of them");

        // the same value both ways is one setting, not a conflict
        try (ConfigurableApplicationContext app = boot(LegacyApplication.class, db, Map.of(
                "spring.jpa.properties.upsert.exception.include_values", "TRUE", "upsert.exception.include-values", "true",
                "upsert.validate-schema", "false"), Map.of())) {
            assertThat(app.getBean(EntityManagerFactory.class).getProperties())
                    .containsEntry(UpsertSettings.EXCEPTION_INCLUDE_VALUES, "true");
        }
    }

    @Test
    void checkSequencesFailRefusesADriftedSequenceAndOffSkipsTheCheck(TestSchema db) {
        db.execute("""
                create sequence restored_item_seq increment by 50;
                create table restored_item (id bigint primary key, name varchar(255));
                insert into restored_item values (5000, 'restored');
                """);
        Map<String, Object> noDdl = Map.of("spring.jpa.hibernate.ddl-auto", "none");

        Throwable thrown = catchThrowable(() -> boot(RestoredApplication.class, db, with(noDdl, "upsert.check-sequences", "fail"), Map.of()).close());
        assertThat(thrown).hasStackTraceContaining("Sequences behind their tables")
                .hasStackTraceContaining("entity RestoredItem: sequence " + db.name() + ".restored_item_seq is behind table");

        try (ConfigurableApplicationContext app = boot(RestoredApplication.class, db, with(noDdl, "upsert.check-sequences", "OFF"), Map.of())) {
            assertThat(app.getBean(EntityManagerFactory.class).getProperties()).containsEntry(UpsertSettings.CHECK_SEQUENCES, "off");
        }
    }

    @Test
    void aValueThatIsNotOneOfTheChoicesStopsTheBootNamingTheProperty(TestSchema db) {
        Throwable thrown = catchThrowable(() -> boot(LegacyApplication.class, db, Map.of("upsert.check-sequences", "sometimes"), Map.of()).close());
        assertThat(thrown).hasStackTraceContaining("upsert.check-sequences")
                .hasStackTraceContaining("UpsertProperties$CheckSequences");
    }

    @Test
    void includeValuesPutsTheKeyIntoBothExceptionsAndExpectedConstraintsReachTheLibrary(TestSchema db) {
        try (ConfigurableApplicationContext app = boot(ShopApplication.class, db, Map.of(
                "upsert.exception.include-values", "true",
                "upsert.metrics.expected-constraints", "ticket_code_key, member_username_key"), Map.of())) {
            MemberRepository members = app.getBean(MemberRepository.class);
            members.save(new Member("zoe"));
            Throwable thrown = catchThrowable(() -> members.save(new Member("zoe")));

            assertThat(thrown).isExactlyInstanceOf(org.springframework.dao.DuplicateKeyException.class);
            assertThat(thrown.getMessage()).contains("zoe");
            assertThat(thrown.getCause().getMessage()).contains("zoe");
            assertThat(app.getBean(EntityManagerFactory.class).getProperties())
                    .containsEntry(UpsertSettings.METRICS_EXPECTED_CONSTRAINTS, "ticket_code_key,member_username_key");
        }
    }

    /** The way before the starter: an UpsertMetrics bean of the application's own. It stays the only one. */
    @Configuration(proxyBeanMethods = false)
    static class OwnMetrics {
        @Bean
        UpsertMetrics upsertMetrics(EntityManagerFactory emf) {
            return new UpsertMetrics(emf);
        }
    }

    @Test
    void anApplicationsOwnUpsertMetricsBeanIsKeptAndADuplicateCountsOnce(TestSchema db) {
        try (ConfigurableApplicationContext app = TestApplications.boot(new Class<?>[] {ShopApplication.class, OwnMetrics.class}, db, Map.of(), Map.of())) {
            MemberRepository members = app.getBean(MemberRepository.class);
            members.save(new Member("ivy"));
            catchThrowable(() -> members.save(new Member("ivy")));

            assertThat(app.getBeansOfType(UpsertMetrics.class)).containsOnlyKeys("upsertMetrics");
            MeterRegistry registry = app.getBean(MeterRegistry.class);
            assertThat(registry.get("upsert.duplicate.keys").tag("table", "member").counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    void theConfigurationMetadataDescribesEveryPropertyWithItsDefault() throws Exception {
        Map<String, Map<String, Object>> properties = new LinkedHashMap<>();
        try (InputStream in = UpsertProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated by spring-boot-configuration-processor").isNotNull();
            Map<String, Object> metadata = JsonParserFactory.getJsonParser().parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            for (Object property : (List<?>) metadata.get("properties")) {
                Map<String, Object> p = (Map<String, Object>) property;
                properties.put((String) p.get("name"), p);
            }
        }
        assertThat(properties).containsOnlyKeys("upsert.validate-schema", "upsert.exception.include-values",
                "upsert.check-sequences", "upsert.metrics.expected-constraints");
        properties.values().forEach(p -> assertThat((String) p.get("description")).as(p.get("name").toString()).hasSizeGreaterThan(60));
        assertThat(properties.get("upsert.validate-schema")).containsEntry("defaultValue", true).containsEntry("type", "java.lang.Boolean");
        assertThat(properties.get("upsert.exception.include-values")).containsEntry("defaultValue", false);
        assertThat(properties.get("upsert.check-sequences")).containsEntry("defaultValue", "warn")
                .containsEntry("type", "dev.upsert.spring.boot.UpsertProperties$CheckSequences");
        assertThat(properties.get("upsert.metrics.expected-constraints")).containsEntry("type", "java.util.List<java.lang.String>");
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> all = new LinkedHashMap<>(base);
        all.put(key, value);
        return all;
    }

    private static ConfigurableApplicationContext boot(Class<?> application, TestSchema db, Map<String, Object> properties,
                                                       Map<String, Object> variables) {
        return TestApplications.boot(new Class<?>[] {application}, db, properties, variables);
    }
}
