package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.upsert.Entities.UuidAccount;

/**
 * Defect 8: {@code show_sql}, {@code format_sql} and the {@code org.hibernate.SQL} logger show every upsert statement
 * as Hibernate shows its own: once per statement, parameters as {@code ?}, never the values.
 */
@PostgresTest
class UpsertSqlLogIT {

    @Entity @Table(name = "log_identity", uniqueConstraints = @UniqueConstraint(columnNames = "code"))
    @Upsert(on = "code", skipUnchanged = true)
    static class LogIdentity extends CodedEntity {
        LogIdentity() { }
        LogIdentity(String code, String name) { super(code, name); }
    }

    @Entity @Table(name = "log_plain")
    static class Plain {
        @Id @GeneratedValue UUID id;
        String note;
        Plain() { }
        Plain(String note) { this.note = note; }
    }

    @Test
    void theSqlLoggerShowsEachUpsertStatementOnceWithoutValues(TestSchema db) {
        Logger sql = Logger.getLogger("org.hibernate.SQL");
        Level before = sql.getLevel();
        StringBuilder log = new StringBuilder();
        Handler handler = new Handler() {
            @Override
            public synchronized void publish(LogRecord record) {
                log.append(record.getMessage()).append('\n');
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        sql.setLevel(Level.FINE);
        sql.addHandler(handler);
        try (Jpa jpa = new Jpa(db, Map.of("hibernate.jdbc.batch_size", "50"), UuidAccount.class, LogIdentity.class, Plain.class)) {
            runWorkload(jpa);
        } finally {
            sql.removeHandler(handler);
            sql.setLevel(before);
        }
        assertWorkloadShown(log.toString(), db);
    }

    @Test
    void showSqlAndFormatSqlPrintEachUpsertStatementAsHibernatePrintsItsOwn(TestSchema db) {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Jpa jpa = new Jpa(db, Map.of("hibernate.jdbc.batch_size", "50", "hibernate.show_sql", "true",
                "hibernate.format_sql", "true"), UuidAccount.class, LogIdentity.class, Plain.class)) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            runWorkload(jpa);
        } finally {
            System.setOut(out);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        // Formatted as Hibernate formats its own insert: "Hibernate: " and the statement broken over lines.
        assertThat(text).contains("Hibernate: \n    insert \n    into\n");
        assertThat(count(text, "Hibernate: \n    insert \n    into\n        " + db.name() + ".log_plain")).isEqualTo(1);
        String head = "Hibernate: \n    insert \n    into\n        " + db.name();
        assertThat(count(text, head + ".account_uuid\n        (email, name, id) \n    values")).as(text).isEqualTo(1);    // the lone row
        // the three-row flush and the two IDENTITY flushes: one statement of column arrays each (the unconditional
        // upsert the bare insert from the arrays, the conditional one with its CTEs)
        assertThat(count(text, "Hibernate: \n    with upsert_proposed as (select")).as(text).isEqualTo(2);
        assertThat(count(text, "into\n        " + db.name() + ".account_uuid\n        (email, name, id) select")).as(text).isEqualTo(1);
        assertThat(count(text, "into\n        " + db.name() + ".log_identity (code, name, id) select")).as(text).isEqualTo(2);
        assertThat(count(text, "on conflict")).isEqualTo(4);
        assertThat(text).doesNotContain("ann@x.org").doesNotContain("bob@x.org");
    }

    /**
     * Three rows in one flush (one statement of column arrays), one row alone, two IDENTITY persists (the second a
     * conflict that changes nothing, whose stored row the statement returns), one plain insert.
     */
    private static void runWorkload(Jpa jpa) {
        jpa.run(em -> persistAll(em, new UuidAccount("ann@x.org", "Ann"), new UuidAccount("bob@x.org", "Bob"),
                new UuidAccount("cy@x.org", "Cy")));
        jpa.run(em -> persistAll(em, new UuidAccount("ann@x.org", "Ann B")));
        jpa.run(em -> em.persist(new LogIdentity("ann@x.org", "Ann")));
        jpa.run(em -> em.persist(new LogIdentity("ann@x.org", "Ann")));
        jpa.run(em -> em.persist(new Plain("note")));
    }

    private static void persistAll(EntityManager em, Object... entities) {
        Consumer<Object> persist = em::persist;
        for (Object entity : entities) {
            persist.accept(entity);
        }
        em.flush();
    }

    private static void assertWorkloadShown(String log, TestSchema db) {
        // a flush's rows go out as one statement of column arrays (UnnestUpsertStatement); a lone row as VALUES
        // (text arrays uncast for the varchar columns, whose insert checks the length; bigint ids as int8 in binary)
        String arrays = "from unnest(?::int4[], ?::text[], ?::text[], ";
        // (an unconditional upsert: the bare insert from the arrays, rows returned in the order proposed)
        assertThat(count(log, "insert into " + db.name() + ".account_uuid (email, name, id) select upsert_u.email, upsert_u.name,"
                + " upsert_u.id from unnest(?::text[], ?::text[], ?::text[]::uuid[]) as upsert_u(email, name, id) on conflict"))
                .as(log).isEqualTo(1);
        assertThat(count(log, "insert into " + db.name() + ".account_uuid (email,name,id) values (?,?,?) on conflict")).as(log).isEqualTo(1);
        // IDENTITY rows take the same statement, which draws each row's id from the column's sequence (the proposed
        // id is a placeholder, sent as NULL): no fetch of ids of its own
        assertThat(count(log, arrays + "?::int8[]) as upsert_u(upsert_ord, code, name, id)) as upsert_v), upsert_ins as (insert into "
                + db.name() + ".log_identity (code, name, id) select code, name, coalesce(id, nextval('" + db.name()
                + ".log_identity_id_seq'::regclass)) from upsert_proposed")).as(log).isEqualTo(2);
        assertThat(count(log, "select nextval(")).as(log).isEqualTo(0);
        // the untouched row's stored state comes back with the statement: no read-back of its own
        assertThat(count(log, "log_identity join")).as("no separate read-back of the untouched row").isEqualTo(0);
        assertThat(count(log, "insert into " + db.name() + ".log_plain")).isEqualTo(1);
        assertThat(count(log, "on conflict")).isEqualTo(4);
        assertThat(log).doesNotContain("ann@x.org").doesNotContain("bob@x.org");
        assertThat(db.queryLong("select count(*) from account_uuid")).isEqualTo(3);
        assertThat(db.queryLong("select count(*) from log_identity")).isEqualTo(1);
    }

    private static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
