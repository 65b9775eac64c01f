package dev.upsert.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class TestDatabaseChoiceTest {

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void urlInTheEnvironmentMeansExternal() {
        var choice = TestDatabase.Choice.fromEnvironment(
                Map.of("UPSERT_TEST_JDBC_URL", "jdbc:postgresql://db/test", "UPSERT_TEST_JDBC_USER", "app"), props());
        assertThat(choice.withoutProbing()).isEqualTo(TestDatabase.Provider.EXTERNAL);
        assertThat(choice.user()).isEqualTo("app");
        assertThat(choice.major()).isEqualTo(17);
    }

    @Test
    void withoutUrlDockerIsProbedBeforeEmbedded() {
        var choice = TestDatabase.Choice.fromEnvironment(Map.of(), props("upsert.test.postgres", "13"));
        assertThat(choice.withoutProbing()).isNull();
        assertThat(choice.major()).isEqualTo(13);
    }

    @Test
    void forcedProviderWinsOverTheUrl() {
        var choice = TestDatabase.Choice.fromEnvironment(
                Map.of("UPSERT_TEST_JDBC_URL", "jdbc:postgresql://db/test"), props("upsert.test.provider", "embedded"));
        assertThat(choice.withoutProbing()).isEqualTo(TestDatabase.Provider.EMBEDDED);
    }

    @Test
    void forcedExternalWithoutUrlFailsNamingTheVariable() {
        var choice = TestDatabase.Choice.fromEnvironment(Map.of(), props("upsert.test.provider", "external"));
        assertThatThrownBy(choice::withoutProbing)
                .hasMessageContaining("-Dupsert.test.provider=external needs UPSERT_TEST_JDBC_URL");
    }

    @Test
    void unknownProviderAndMajorAreRejectedWithTheFix() {
        assertThatThrownBy(() -> TestDatabase.Choice.fromEnvironment(Map.of(), props("upsert.test.provider", "h2")))
                .hasMessageContaining("use external, docker or embedded");
        assertThatThrownBy(() -> TestDatabase.Choice.fromEnvironment(Map.of(), props("upsert.test.postgres", "12")))
                .hasMessageContaining("use 13 to 18");
        assertThatThrownBy(() -> TestDatabase.Choice.fromEnvironment(Map.of(), props("upsert.test.postgres", "x")))
                .hasMessageContaining("use 13 to 18");
    }
}
