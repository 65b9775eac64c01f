package dev.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.BatchUpdateException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import dev.upsert.DuplicateKeyModel.Account;
import dev.upsert.DuplicateKeyModel.Member;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PersistenceUnit;

/**
 * Key values are personal data: with default settings, a failing insert leaves no key value in any log line or in
 * the exception's message, while the log still says which SQLState and constraint failed. The tests capture every
 * record of the logging backend Hibernate's JBoss Logging picks in this build ({@code java.util.logging}), with
 * its parameters and any attached exception's messages; each test also asserts that the capture saw the failures.
 */
@PostgresTest
class PersonalDataLogIT {

    private static final String ANN = "ann.secret@example.org";
    private static final String BOB = "bob.secret@example.org";
    private static final String DAVE = "dave.secret@example.org";
    private static final String EVE = "eve.secret@example.org";

    @Test
    void defaultSettingsKeepKeyValuesOutOfLogAndMessages(TestSchema db) {
        Captured run = failingInserts(db, Map.of());
        assertThat(run.log).contains("SQLState: 23505").contains("account_email_uq").contains("member_email_uq")
                .contains("Batch entry").contains("SQLState: 23502").contains("SQLState: 23514").contains("account_name_check")
                .contains("SQLState: 22P02").contains("invalid input syntax for type integer: (value left out)");
        assertThat(run.messages).contains("account_name_check");
        assertThat(run.log).doesNotContain(ANN).doesNotContain(BOB).doesNotContain("secret");
        assertThat(run.messages).doesNotContain("secret");
        // what log.error("...", e) prints: every cause's message, the driver's exception included
        assertThat(run.traces).contains("account_email_uq").contains("Batch entry 1 was aborted")
                .contains("(DETAIL and parameters left out; see upsert.exception.include_values)")
                .doesNotContain("secret");
        // code that asks still gets every server field, DETAIL included, from the driver's exception's copy
        DuplicateKeyException duplicate = DuplicateKeyException.find(run.thrown.get(0)).orElseThrow();
        assertThat((Object) duplicate.getSQLException()).isInstanceOf(PSQLException.class);
        assertThat(((PSQLException) duplicate.getSQLException()).getServerErrorMessage().getDetail()).contains(ANN);
        assertThat(duplicate.getSQLException().getSQLState()).isEqualTo("23505");
        assertThat((Object) DuplicateKeyException.find(run.thrown.get(1)).orElseThrow().getSQLException()).isInstanceOf(BatchUpdateException.class);
        assertThat(db.queryLong("select count(*) from member")).isEqualTo(1);
    }

    @Test
    void optingInLogsTheValuesAsHibernateDoes(TestSchema db) {
        Captured run = failingInserts(db, Map.of(UpsertSettings.EXCEPTION_INCLUDE_VALUES, "true"));
        assertThat(run.log).contains("SQLState: 23505").contains(ANN);
        assertThat(run.messages).contains(ANN).contains(DAVE).contains(EVE);
        assertThat(run.traces).contains("Detail: Key (email)=(" + ANN + ") already exists.");
    }

    @Test
    void anExplicitHibernateErrorLogSettingIsLeftAlone(TestSchema db) {
        Captured run = failingInserts(db, Map.of("hibernate.jdbc.log.errors", "true"));
        assertThat(run.log).contains(ANN);       // Hibernate's own line, driver message and all
        assertThat(run.messages).doesNotContain(ANN).contains(DAVE);   // only DuplicateKeyException stays redacted
        assertThat(run.traces).doesNotContain(ANN).doesNotContain(BOB).contains(DAVE);   // its cause included
    }

    private record Captured(String log, String messages, String traces, List<Throwable> thrown) {
    }

    /**
     * A duplicate (identity insert), a duplicate in a batch, a not-null violation in a batch, a check violation
     * whose DETAIL holds the failing row, and a data exception whose message quotes the value (22P02); returns the log
     * and the top-level messages of what was thrown.
     */
    private static Captured failingInserts(TestSchema db, Map<String, Object> extra) {
        Map<String, Object> settings = new HashMap<>(db.jpaProperties());
        settings.put("jakarta.persistence.schema-generation.database.action", "drop-and-create");
        settings.put("hibernate.jdbc.batch_size", "10");
        settings.putAll(extra);
        Logger root = Logger.getLogger("");
        StringBuilder captured = new StringBuilder();
        Handler handler = new Handler() {
            private final SimpleFormatter formatter = new SimpleFormatter();

            @Override
            public synchronized void publish(LogRecord record) {
                captured.append(record.getLoggerName()).append(' ').append(formatter.formatMessage(record)).append('\n');
                for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                    captured.append("  ").append(t).append('\n');
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        StringBuilder messages = new StringBuilder();
        StringWriter traces = new StringWriter();
        List<Throwable> thrown = new ArrayList<>();
        EntityManagerFactory factory = PersistenceUnit.create("personal-data", settings, DuplicateKeyModel.ENTITIES);
        try {
            db.execute("alter table member alter column email set not null;"
                    + "alter table account add constraint account_name_check check (name <> 'forbidden');"
                    + "insert into account (email, name) values ('" + ANN + "', 'Ann');"
                    + "insert into member (id, email) values (-1, '" + BOB + "')");
            root.addHandler(handler);
            for (Throwable t : new Throwable[] {
                    DuplicateKeyIT.inTransactionFailing(factory, em -> em.persist(new Account(ANN, "Ann again"))),
                    DuplicateKeyIT.inTransactionFailing(factory, em -> {
                        em.persist(new Member("carol@example.org"));
                        em.persist(new Member(BOB));
                        em.flush();
                    }),
                    DuplicateKeyIT.inTransactionFailing(factory, em -> {
                        Member m = new Member(null);
                        em.persist(m);
                        em.flush();
                    }),
                    DuplicateKeyIT.inTransactionFailing(factory, em -> em.persist(new Account(DAVE, "forbidden"))),
                    DuplicateKeyIT.inTransactionFailing(factory, em -> em.createNativeQuery("select cast(?1 as integer)")
                            .setParameter(1, EVE).getSingleResult())}) {
                messages.append(t.getMessage()).append('\n').append(t).append('\n');
                t.printStackTrace(new PrintWriter(traces));
                thrown.add(t);
            }
            assertThat(messages.toString()).as("two duplicate-key failures").contains("account_email_uq").contains("member_email_uq");
        } finally {
            root.removeHandler(handler);
            factory.close();
        }
        return new Captured(captured.toString(), messages.toString(), traces.toString(), thrown);
    }
}
