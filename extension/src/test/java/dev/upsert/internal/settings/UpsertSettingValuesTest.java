package dev.upsert.internal.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.upsert.UpsertSettings;

class UpsertSettingValuesTest {

    @Test
    void theKeysAreTheConstantsOfUpsertSettings() {
        assertThat(UpsertSettingValues.KEYS).contains(UpsertSettings.VALIDATE_SCHEMA, UpsertSettings.EXCEPTION_INCLUDE_VALUES)
                .doesNotContain(UpsertSettings.PREFIX);
    }

    @Test
    void dotsDashesUnderscoresAndCaseSpellTheSameKey() {
        for (String spelling : List.of("upsert.validate_schema", "upsert.validate-schema", "upsert.validate.schema",
                "UPSERT_VALIDATE_SCHEMA", "upsert.validateSchema".replace("S", "-s"))) {
            assertThat(UpsertSettingValues.known(spelling)).as(spelling).isEqualTo(UpsertSettings.VALIDATE_SCHEMA);
        }
        assertThat(UpsertSettingValues.known("upsert.exception.include-values")).isEqualTo(UpsertSettings.EXCEPTION_INCLUDE_VALUES);
        assertThat(UpsertSettingValues.known("upsert.exception.include.values")).isEqualTo(UpsertSettings.EXCEPTION_INCLUDE_VALUES);
        assertThat(UpsertSettingValues.known("upsert.validateschema")).isNull();
        assertThat(UpsertSettingValues.known("upsert.test.provider")).isNull();
    }

    @Test
    void anotherSpellingIsAppliedUnderTheDocumentedKey() {
        List<String> problems = new ArrayList<>();
        Map<String, Object> settings = Map.of("upsert.validate.schema", "false", "upsert.exception.include-values", "true",
                "upsert.test.provider", "external");
        assertThat(UpsertSettingValues.canonicalize(settings, problems)).isEqualTo(Map.of(
                UpsertSettings.VALIDATE_SCHEMA, "false", UpsertSettings.EXCEPTION_INCLUDE_VALUES, "true"));
        assertThat(problems).isEmpty();
    }

    @Test
    void twoSpellingsAgreeingAreFineDisagreeingAreAProblem() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put(UpsertSettings.VALIDATE_SCHEMA, "false");
        settings.put("upsert.validate-schema", " FALSE ");
        List<String> problems = new ArrayList<>();
        assertThat(UpsertSettingValues.canonicalize(settings, problems)).isEmpty();
        assertThat(problems).isEmpty();

        settings.put("upsert.validate.schema", "true");
        assertThat(UpsertSettingValues.canonicalize(settings, problems)).isEmpty();
        assertThat(problems).containsExactly("settings upsert.validate_schema = 'false' and upsert.validate.schema = 'true' "
                + "are both upsert.validate_schema with different values; keep one of them");
    }

    @Test
    void expectedConstraintsAreACommaSeparatedListOrACollection() {
        assertThat(UpsertSettingValues.names(Map.of(UpsertSettings.METRICS_EXPECTED_CONSTRAINTS, " a_key, b_key ,,c_key "),
                UpsertSettings.METRICS_EXPECTED_CONSTRAINTS)).containsExactly("a_key", "b_key", "c_key");
        assertThat(UpsertSettingValues.names(Map.of(UpsertSettings.METRICS_EXPECTED_CONSTRAINTS, List.of("a_key", " b_key")),
                UpsertSettings.METRICS_EXPECTED_CONSTRAINTS)).containsExactly("a_key", "b_key");
        assertThat(UpsertSettingValues.names(Map.of(), UpsertSettings.METRICS_EXPECTED_CONSTRAINTS)).isEmpty();
        assertThat(UpsertSettingValues.problems(Map.of(UpsertSettings.METRICS_EXPECTED_CONSTRAINTS, 42)))
                .containsExactly("setting upsert.metrics.expected_constraints = '42' is not a list of constraint names;"
                        + " set it to names separated by commas");
    }

    @Test
    void checkSequencesIsWarnFailOrOff() {
        for (String value : List.of("warn", "fail", "off", " FAIL ")) {
            assertThat(UpsertSettingValues.problems(Map.of(UpsertSettings.CHECK_SEQUENCES, value))).as(value).isEmpty();
        }
        assertThat(UpsertSettingValues.problems(Map.of(UpsertSettings.CHECK_SEQUENCES, "true")))
                .containsExactly("setting upsert.check_sequences = 'true' is not one of warn, fail, off; set it to one of those");
        // the Spring spellings are the same key, checked under the documented one
        assertThat(UpsertSettingValues.known("upsert.check-sequences")).isEqualTo(UpsertSettings.CHECK_SEQUENCES);
        assertThat(UpsertSettingValues.problems(Map.of("upsert.checksequences", "off")))
                .containsExactly("setting 'upsert.checksequences' is not a setting of upsert-hibernate;"
                        + " rename it to 'upsert.check_sequences' (settings: " + String.join(", ", UpsertSettingValues.KEYS) + ")");
    }
}
