package dev.upsert.quarkus.it;

import static dev.upsert.quarkus.it.QuarkusTestDatabase.queryString;
import static io.restassured.RestAssured.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

/**
 * Production mode: the packaged application ({@code target/quarkus-app/quarkus-run.jar}) launched as its own process,
 * on the test database, driven over HTTP. Its log is the file Quarkus writes next to the build
 * ({@code target/quarkus.log}).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(QuarkusTestDatabase.class)
class UpsertProductionIT {

    @Test
    void upsertsDuplicatesAndRedactionHoldInTheProductionJar() throws IOException {
        when().post("/signups/customers/ivan@example.org/Ivan").then().statusCode(200).body("outcome", is("INSERTED"));
        when().post("/signups/customers/ivan@example.org/Ivan-Smith").then().statusCode(200).body("outcome", is("UPDATED"));
        assertThat(queryString("select count(*) || ' ' || max(name) from customer where email = 'ivan@example.org'"))
                .isEqualTo("1 Ivan-Smith");

        when().post("/signups/accounts/judy.secret@example.org/Judy").then().statusCode(200);
        when().post("/signups/accounts/judy.secret@example.org/Judy").then().statusCode(409)
                .body("constraint", is("account_email_uq")).body("columns", is("email"));

        when().post("/signups/members/mallory.secret@example.org").then().statusCode(204);
        // the insert runs at the JTA commit, after the resource method's service call returned
        when().post("/signups/members/mallory.secret@example.org").then().statusCode(409)
                .body("constraint", is("member_email_uq"));
        assertThat(queryString("select count(*) from member where email = 'mallory.secret@example.org'")).isEqualTo("1");

        String log = Files.readString(Path.of("target", "quarkus.log"));
        assertThat(log).contains("SQLState: 23505").contains("account_email_uq").contains("member_email_uq")
                .doesNotContain("secret");
    }
}
