package dev.upsert.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * Runs the whole demo once against the test database (in this class's schema) and checks what it printed and
 * what the tables hold afterwards.
 */
@PostgresTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SampleAppIT {

    private static final int ROWS = 2_000;

    private TestSchema db;
    private int status;
    private String output;
    private String errors;

    @BeforeAll
    void runTheDemo(TestSchema db) {
        this.db = db;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        status = SampleApp.run(new String[] {"--jdbc-url", db.jdbcUrl(), "--user", db.user(), "--password", db.password(),
                        "--rows", String.valueOf(ROWS)}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        output = out.toString(StandardCharsets.UTF_8);
        errors = err.toString(StandardCharsets.UTF_8);
    }

    /** The block the report printed for one scenario, from its heading to the next. */
    private String scenario(int number) {
        return Arrays.stream(output.split("\n== "))
                .filter(block -> block.startsWith(number + ". "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no block for scenario " + number + " in:\n" + output));
    }

    private List<String> outcomes(int number) {
        return scenario(number).lines()
                .filter(line -> line.startsWith("Outcomes: "))
                .map(line -> Arrays.asList(line.substring("Outcomes: ".length()).split(", ")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no outcomes for scenario " + number + " in:\n" + scenario(number)));
    }

    @Test
    void everyScenarioRanAndTheAppExitedZero() {
        assertThat(output).doesNotContain("FAILED").contains("All scenarios ran.");
        assertThat(errors).isEmpty();
        assertThat(status).isZero();
        assertThat(db.queryLong("select count(*) from schema_migration")).isEqualTo(2);
    }

    @Test
    void signUpByEmailUpdatesTheNameAndKeepsIdAndCreatedAt() {
        assertThat(outcomes(1)).containsExactly("INSERTED", "UPDATED");
        assertThat(scenario(1)).contains("on conflict");
        assertThat(db.query("select id, email, name, created_at = timestamptz '2026-01-05 09:00:00+00' from account"))
                .containsExactly(List.of(1L, "alice@example.com", "Alice Liddell", true));
    }

    @Test
    void aReplayedWebhookIsStoredOnce() {
        assertThat(outcomes(2)).containsExactly("INSERTED", "SKIPPED", "SKIPPED");
        assertThat(db.query("select event_id, received_at = timestamptz '2026-01-05 09:00:30+00' from webhook_event"))
                .containsExactly(List.of("evt_1001", true));
    }

    @Test
    void aSlugIsUniquePerTenant() {
        assertThat(outcomes(3)).containsExactly("INSERTED", "INSERTED", "UPDATED");
        assertThat(db.query("select tenant_id, slug, title from page order by tenant_id"))
                .containsExactly(List.of(1L, "pricing", "Pricing and plans"), List.of(2L, "pricing", "Tarifs"));
    }

    @Test
    void aSoftDeletedEmailCanSignUpAgain() {
        assertThat(outcomes(4)).containsExactly("INSERTED", "INSERTED", "UPDATED");
        assertThat(db.query("select email, name, deleted_at is not null from member order by id")).containsExactly(
                List.of("carol@example.com", "Carol", true),
                List.of("carol@example.com", "Carol B.", false));
    }

    @Test
    void findThenSaveLosesTheRaceAndUpsertDoesNot() {
        String race = scenario(5);
        // 8 threads released together per email: in every run so far most find-then-save attempts lost (97 to 175 of 200)
        int attempts = Race.THREADS * Race.KEYS;
        assertThat(race).containsPattern("find-then-save, plain entity: " + attempts + " attempts, \\d+ ok, [1-9]\\d* failed with 23505");
        assertThat(race).contains("persist, @Upsert entity     : " + attempts + " attempts, " + attempts + " ok, 0 failed with 23505");
        assertThat(outcomes(5)).containsExactly("INSERTED x" + Race.KEYS, "UPDATED x" + (attempts - Race.KEYS));
        assertThat(db.queryLong("select count(*) from signup")).isEqualTo(Race.KEYS);
        assertThat(db.queryLong("select count(*) from naive_signup")).isEqualTo(Race.KEYS);
    }

    @Test
    void aTakenUsernameOrEmailIsA409NamingTheAttribute() {
        assertThat(scenario(6)).contains("Answers: 201, 409 username, 409 email")
                .contains("409 {\"status\":409,\"title\":\"Conflict\",\"detail\":\"username is already taken\",\"field\":\"username\"}")
                .contains("constraint=customer_email_key table=customer columns=[email] entity=Customer attributes=[email]");
        assertThat(db.query("select email, username from customer")).containsExactly(List.of("alice@example.com", "alice"));
    }

    @Test
    void theBulkImportInsertsTheNewHalfAndUpdatesTheOther() {
        assertThat(scenario(7)).contains(String.format("done: %,d rows", ROWS)).contains("rows/s");
        assertThat(outcomes(7)).containsExactly("INSERTED x" + ROWS / 2, "UPDATED x" + ROWS / 2);
        assertThat(db.queryLong("select count(*) from product")).isEqualTo(ROWS);
        assertThat(db.queryLong("select count(*) from product where name like '% (2026)'")).isEqualTo(ROWS);
        // an updated row keeps the id it was seeded with: SKU-000002 was seeded as id 1
        assertThat(db.query("select id, price from product where sku = 'SKU-000002'"))
                .containsExactly(List.of(1L, new BigDecimal("5.02")));
    }
}
