package dev.upsert.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The command line and the failures that must end in one line and exit code 2; no database needed. */
class SampleAppTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return SampleApp.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheOptionsAndExitsZero() {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--jdbc-url", "--user", "--password", "--rows", "DATABASE_URL");
        assertThat(err()).isEmpty();
    }

    @Test
    void withoutAUrlTheDemoStartsItsOwnServer() {
        assertThat(Options.parse(new String[0], Map.of()).embedded()).isTrue();
        assertThat(Options.parse(new String[0], Map.of()).rows()).isEqualTo(50_000);
    }

    @Test
    void theCommandLineWinsOverDatabaseUrl() {
        Options options = Options.parse(new String[] {"--jdbc-url", "jdbc:postgresql://db:5432/app", "--user", "app", "--rows", "1_000"},
                Map.of("DATABASE_URL", "jdbc:postgresql://elsewhere/x"));
        assertThat(options).isEqualTo(new Options("jdbc:postgresql://db:5432/app", "app", "", 1_000, false));
    }

    @Test
    void aPlatformStyleDatabaseUrlBecomesJdbcWithItsCredentials() {
        Options options = Options.parse(new String[0], Map.of("DATABASE_URL", "postgres://shop:s3cret@db.internal:6543/shop?sslmode=require"));
        assertThat(options).isEqualTo(new Options("jdbc:postgresql://db.internal:6543/shop?sslmode=require", "shop", "s3cret", 50_000, false));
    }

    @Test
    void mistakesInTheArgumentsAreOneLineAndExitTwo() {
        assertThat(run(Map.of(), "--rows", "lots")).isEqualTo(2);
        assertThat(err()).isEqualTo("sample-app: --rows must be a positive whole number, got 'lots' (see --help)" + System.lineSeparator());
        assertThatThrownBy(() -> Options.parse(new String[] {"--user"}, Map.of())).hasMessage("--user needs a value");
        assertThatThrownBy(() -> Options.parse(new String[] {"--verbose"}, Map.of())).hasMessage("unknown option '--verbose'");
    }

    @Test
    void aUrlThatIsNotPostgreSqlIsRejectedWithoutEchoingItsPassword() {
        assertThat(run(Map.of(), "--jdbc-url", "jdbc:mysql://db/app?password=hunter2")).isEqualTo(2);
        assertThat(err()).startsWith("sample-app: --jdbc-url must start with jdbc:postgresql:// or postgres://")
                .doesNotContain("hunter2")
                .hasLineCount(1);
    }

    @Test
    void anUnreachableServerIsOneClearLineAndExitTwo() {
        // port 1 on the loopback refuses at once: no server, no wait
        assertThat(run(Map.of(), "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/demo?password=hunter2", "--user", "demo")).isEqualTo(2);
        assertThat(err()).startsWith("sample-app: cannot connect to jdbc:postgresql://127.0.0.1:1/demo?... as demo: ")
                .contains("refused")
                .doesNotContain("hunter2", "Exception", "\tat ")
                .hasLineCount(1);
    }

    @Test
    void emailsInErrorMessagesAreShortened() {
        assertThat(Redaction.text("Key (email)=(alice.liddell@example.com) already exists."))
                .isEqualTo("Key (email)=(a***@example.com) already exists.");
        assertThat(Redaction.url("postgres://shop:s3cret@db/shop?password=x")).isEqualTo("postgres://***@db/shop?...");
    }
}
