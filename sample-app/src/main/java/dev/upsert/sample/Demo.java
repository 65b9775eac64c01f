package dev.upsert.sample;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import io.micrometer.core.instrument.MeterRegistry;

import dev.upsert.DuplicateKeyException;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;

/**
 * The scenarios, in the order a newcomer should meet them. Each step runs in its own transaction, as separate
 * requests to a service would; each scenario reports its steps, the SQL, the outcomes and the table afterwards.
 */
final class Demo {

    /** One scenario: what it shows, and the code that shows it. */
    private record Scenario(int number, String title, String point, Body body) {
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private static final String TABLES = "account, webhook_event, page, member, naive_signup, signup, customer, product,"
            + " invoice, subscriber";

    private final EntityManagerFactory emf;
    private final SqlLog sqlLog;
    private final Report report;
    private final DataSource dataSource;
    private final int bulkRows;
    private final MeterRegistry meters;

    Demo(EntityManagerFactory emf, SqlLog sqlLog, Report report, DataSource dataSource, int bulkRows, MeterRegistry meters) {
        this.emf = emf;
        this.meters = meters;
        this.sqlLog = sqlLog;
        this.report = report;
        this.dataSource = dataSource;
        this.bulkRows = bulkRows;
    }

    /** Runs every scenario, even after one fails, and returns how many failed. */
    int run() throws SQLException {
        emptyTables();
        List<Scenario> scenarios = List.of(
                new Scenario(1, "Sign-up by email", "@Upsert(on = \"email\"): the same email twice updates the name,"
                        + " keeps the id and created_at.", this::signUpByEmail),
                new Scenario(2, "Idempotent webhook inbox", "@Upsert(on = \"eventId\", action = NOTHING): a delivery"
                        + " replayed three times is stored once.", this::webhookInbox),
                new Scenario(3, "Multi-tenant slugs", "@Upsert(on = {\"tenantId\", \"slug\"}): one slug in two tenants"
                        + " is two rows; in one tenant it is an upsert.", this::tenantSlugs),
                new Scenario(4, "Soft delete", "@Upsert(on = \"email\", where = \"deleted_at is null\"): a deleted"
                        + " member's email can sign up again.", this::softDelete),
                new Scenario(5, "Race", "Concurrent sign-ups with the same emails: find-then-save against @Upsert.",
                        () -> new Race(emf, sqlLog, report).run()),
                new Scenario(6, "Typed duplicate", "A plain entity with a second unique key: the service catches"
                        + " DuplicateKeyException and answers 409 naming the field.", this::typedDuplicate),
                new Scenario(7, "Bulk import", String.format("%,d products by SKU, half already present, in"
                        + " batches of %d rows, one statement each.", bulkRows, DemoPersistence.BATCH_SIZE),
                        () -> new BulkImport(emf, sqlLog, report, dataSource).run(bulkRows)),
                new Scenario(8, "Metrics", "UpsertMetrics bound to a Micrometer registry: duplicates by constraint,"
                        + " expected or not, and upserted rows by outcome, counted while scenarios 1 to 7 ran.",
                        () -> new MetricsReport(meters, report).run()),
                new Scenario(9, "Restored table", "Rows restored with their ids, the sequence left behind: the"
                        + " DuplicateKeyException names the sequence and the repair.",
                        () -> new RestoredTable(emf, sqlLog, report, dataSource).run()),
                new Scenario(10, "Unique index on existing data", "@Upsert needs a unique index the data does not allow"
                        + " yet: scan, resolve, create the index, boot.",
                        () -> new UniqueIndexMigration(emf, sqlLog, report, dataSource).run()));
        int failed = 0;
        for (Scenario scenario : scenarios) {
            report.scenario(scenario.number(), scenario.title(), scenario.point());
            sqlLog.drain();
            try {
                scenario.body().run();
            } catch (Exception e) {
                failed++;
                report.sql(sqlLog.drain());
                report.line("FAILED: " + Failures.describe(e));
            }
        }
        return failed;
    }

    private void signUpByEmail() throws SQLException {
        List<String> outcomes = new ArrayList<>();
        signUp("alice@example.com", "Alice", Instant.parse("2026-01-05T09:00:00Z"), outcomes);
        signUp("alice@example.com", "Alice Liddell", Instant.parse("2026-01-06T10:30:00Z"), outcomes);
        finish(outcomes, "select id, email, name, created_at from account order by id");
    }

    private void signUp(String email, String name, Instant now, List<String> outcomes) {
        emf.runInTransaction(em -> {
            Account account = new Account(email, name, now);
            //tag::quickstart-persist[]
            em.persist(account);    // queued; the flush sends insert ... on conflict (email) do update ... returning ...
            em.flush();
            // the entity now holds the row as stored: on a conflict, the existing id and created_at
            UpsertOutcome outcome = Upserts.outcome(em, account).orElseThrow();
            //end::quickstart-persist[]
            outcomes.add(outcome.name());
            report.step(String.format("persist Account(%s, \"%s\")  -> %s, id=%d, created_at=%s",
                    email, name, outcome, account.id, account.createdAt));
        });
    }

    private void webhookInbox() throws SQLException {
        List<String> outcomes = new ArrayList<>();
        for (int delivery = 1; delivery <= 3; delivery++) {
            Instant received = Instant.parse("2026-01-05T09:00:00Z").plusSeconds(30L * delivery);
            int attempt = delivery;
            emf.runInTransaction(em -> {
                WebhookEvent event = new WebhookEvent("evt_1001", "invoice.paid", "{\"invoice\":\"in_42\"}", received);
                em.persist(event);
                em.flush();
                String outcome = outcome(em, event);
                outcomes.add(outcome);
                report.step(String.format("delivery %d of evt_1001  -> %s, id=%d, received_at=%s",
                        attempt, outcome, event.id, event.receivedAt));
            });
        }
        finish(outcomes, "select id, event_id, type, received_at from webhook_event order by id");
    }

    private void tenantSlugs() throws SQLException {
        List<String> outcomes = new ArrayList<>();
        savePage(1, "pricing", "Pricing", outcomes);
        savePage(2, "pricing", "Tarifs", outcomes);
        savePage(1, "pricing", "Pricing and plans", outcomes);
        finish(outcomes, "select id, tenant_id, slug, title from page order by id");
    }

    private void savePage(long tenant, String slug, String title, List<String> outcomes) {
        emf.runInTransaction(em -> {
            Page page = new Page(tenant, slug, title);
            em.persist(page);
            em.flush();
            String outcome = outcome(em, page);
            outcomes.add(outcome);
            report.step(String.format("persist Page(tenant %d, \"%s\", \"%s\")  -> %s, id=%d", tenant, slug, title, outcome, page.id));
        });
    }

    private void softDelete() throws SQLException {
        List<String> outcomes = new ArrayList<>();
        join("carol@example.com", "Carol", outcomes);
        emf.runInTransaction(em -> {
            int deleted = em.createQuery("update Member set deletedAt = :now where email = :email and deletedAt is null")
                    .setParameter("now", Instant.now())
                    .setParameter("email", "carol@example.com")
                    .executeUpdate();
            report.step("soft-delete carol@example.com  -> " + deleted + " row marked deleted_at = now");
        });
        join("carol@example.com", "Carol Again", outcomes);
        join("carol@example.com", "Carol B.", outcomes);
        finish(outcomes, "select id, email, name, deleted_at is not null as deleted from member order by id");
    }

    private void join(String email, String name, List<String> outcomes) {
        emf.runInTransaction(em -> {
            Member member = new Member(email, name);
            em.persist(member);
            em.flush();
            String outcome = outcome(em, member);
            outcomes.add(outcome);
            report.step(String.format("persist Member(%s, \"%s\")  -> %s, id=%d", email, name, outcome, member.id));
        });
    }

    private void typedDuplicate() throws SQLException {
        Registration registration = new Registration(emf);
        List<String> answers = new ArrayList<>();
        String[][] attempts = {{"alice@example.com", "alice"}, {"alice.l@example.com", "alice"}, {"alice@example.com", "liddell"}};
        for (String[] attempt : attempts) {
            Registration.Answer answer = registration.register(attempt[0], attempt[1]);
            report.step(String.format("POST /customers {email: %s, username: %s}  -> %d %s",
                    attempt[0], attempt[1], answer.status(), answer.body()));
            DuplicateKeyException duplicate = answer.duplicate();
            if (duplicate == null) {
                answers.add(String.valueOf(answer.status()));
                continue;
            }
            report.step(String.format("    from DuplicateKeyException: constraint=%s table=%s columns=%s entity=%s attributes=%s",
                    duplicate.getConstraintName(), duplicate.getTableName(), duplicate.getColumnNames(),
                    duplicate.getEntityClass().map(Class::getSimpleName).orElse("-"), duplicate.getAttributeNames()));
            answers.add(answer.status() + " " + String.join(",", duplicate.getAttributeNames()));
        }
        report.sql(sqlLog.drain());
        report.line("Answers: " + String.join(", ", answers));
        report.table("select id, email, username from customer order by id");
    }

    private void finish(List<String> outcomes, String select) throws SQLException {
        report.sql(sqlLog.drain());
        report.outcomes(outcomes);
        report.table(select);
    }

    /** What the extension says the database did, or a plain note when it reported nothing. */
    static String outcome(EntityManager em, Object entity) {
        return Upserts.outcome(em, entity).map(Enum::name).orElse("(no outcome reported)");
    }

    /** Every run starts from empty tables, so the report reads the same each time. */
    private void emptyTables() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("truncate " + TABLES + " restart identity");
            s.execute("alter sequence product_seq restart");
            s.execute("drop index if exists subscriber_email_key");  // scenario 10 creates it
        }
    }
}
