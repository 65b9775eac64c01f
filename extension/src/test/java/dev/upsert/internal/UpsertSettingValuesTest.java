package dev.upsert.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.upsert.UpsertSettings;

/** The settings added for operations: parsed strictly, misspellings named. */
class UpsertSettingValuesTest {

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
        assertThat(UpsertSettingValues.problems(Map.of("upsert.check-sequences", "off")))
                .containsExactly("setting 'upsert.check-sequences' is not a setting of upsert-hibernate and is ignored;"
                        + " rename it to 'upsert.check_sequences'");
    }
}
