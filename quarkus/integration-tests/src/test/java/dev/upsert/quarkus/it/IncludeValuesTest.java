package dev.upsert.quarkus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Map;

import jakarta.inject.Inject;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyException;

/** {@code quarkus.upsert.exception.include-values=true}: the user opted in, values appear as Hibernate prints them. */
@QuarkusTest
@TestProfile(IncludeValuesTest.IncludeValues.class)
@QuarkusTestResource(QuarkusTestDatabase.class)
class IncludeValuesTest {

    public static class IncludeValues implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.upsert.exception.include-values", "true");
        }
    }

    @Inject
    Signups signups;

    @Test
    void optingInLogsAndReportsTheValues() {
        signups.openAccount("oscar.optin@example.org", "Oscar");
        String log;
        Throwable thrown;
        try (LogCapture capture = new LogCapture()) {
            thrown = catchThrowable(() -> signups.openAccount("oscar.optin@example.org", "Oscar again"));
            log = capture.text();
        }
        assertThat(log).contains("SQLState: 23505").contains("oscar.optin@example.org");
        assertThat(DuplicateKeyException.find(thrown)).hasValueSatisfying(d -> assertThat(d.getMessage()).contains("oscar.optin@example.org"));
    }
}
