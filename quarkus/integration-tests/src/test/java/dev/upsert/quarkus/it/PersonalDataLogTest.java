package dev.upsert.quarkus.it;

import static dev.upsert.quarkus.it.QuarkusTestDatabase.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The extension suite's PersonalDataLogIT on Quarkus, with nothing configured: a failing insert leaves no key value in
 * any log line (Hibernate's {@code org.hibernate.orm.jdbc.error}, Narayana's, anyone's) or in the messages of what the
 * caller catches, while the log still names the SQLState and the constraint. Each failure runs in a {@code
 * @Transactional} service method, so Hibernate's exceptions travel through Quarkus's JTA interceptor, and the duplicate
 * at commit through Narayana.
 */
@QuarkusTest
@QuarkusTestResource(QuarkusTestDatabase.class)
class PersonalDataLogTest {

    private static final String ANN = "ann.secret@example.org";
    private static final String BOB = "bob.secret@example.org";
    private static final String CAROL = "carol.secret@example.org";
    private static final String DAVE = "dave.secret@example.org";
    private static final String EVE = "eve.secret@example.org";
    private static final String TICKET = "ticket-secret-1";

    @Inject
    Signups signups;

    @Test
    void defaultSettingsKeepKeyValuesOutOfLogAndMessages() {
        signups.openAccount(ANN, "Ann");
        signups.join(BOB);
        signups.join(CAROL);
        signups.issueTicket(TICKET);
        StringBuilder messages = new StringBuilder();
        String log;
        try (LogCapture capture = new LogCapture()) {
            for (Runnable failing : new Runnable[] {
                    () -> signups.openAccount(ANN, "Ann again"),           // 23505 at persist (IDENTITY)
                    () -> signups.joinTwo("frank@example.org", BOB),      // 23505 in a JDBC batch, at flush
                    () -> signups.join(CAROL),                            // 23505 at the JTA commit (Hibernate's flush)
                    () -> signups.issueTicket(TICKET),                    // 23505 at the database's COMMIT (deferred)
                    () -> signups.openAccount("grace.secret@example.org", null), // 23502: DETAIL holds the failing row
                    () -> signups.openAccount(DAVE, "forbidden"),         // 23514: DETAIL holds the failing row
                    () -> signups.castToInteger(EVE)}) {                  // 22P02: the message quotes the input
                Throwable thrown = catchThrowable(failing::run);
                assertThat(thrown).isNotNull();
                eachThrowable(thrown, t -> messages.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n'));
            }
            log = capture.text();
        }
        assertThat(log).contains("SQLState: 23505").contains("account_email_uq").contains("member_email_uq")
                .contains("SQLState: 23502").contains("SQLState: 23514").contains("account_name_check")
                .contains("SQLState: 22P02").contains("invalid input syntax for type integer: (value left out)");
        assertThat(log).doesNotContain("secret");
        assertThat(messages.toString()).contains("account_email_uq").contains("member_email_uq").contains("account_name_check")
                .contains("ticket_code_uq")
                .doesNotContain("secret");
        assertThat(queryString("select count(*) from member where email like '%secret%'")).isEqualTo("2");
        assertThat(queryString("select count(*) from account where email like '%secret%'")).isEqualTo("1");
    }

    /**
     * The messages of {@code t}, its causes and suppressed exceptions, except the driver's exceptions: those under
     * Hibernate's are copies without DETAIL, and the extension's default {@code logServerErrorDetail=false} covers the
     * rest (Narayana's), asserted through the log above.
     */
    private static void eachThrowable(Throwable t, Consumer<Throwable> action) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        walk(t, action, seen);
    }

    private static void walk(Throwable t, Consumer<Throwable> action, Map<Throwable, Boolean> seen) {
        if (t == null || seen.put(t, true) != null || t instanceof java.sql.SQLException) {
            return;
        }
        action.accept(t);
        walk(t.getCause(), action, seen);
        for (Throwable suppressed : t.getSuppressed()) {
            walk(suppressed, action, seen);
        }
    }
}
