package dev.upsert.spring.shop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.hibernate.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.upsert.DuplicateKeyException;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.RoundTrips;
import dev.upsert.testing.TestSchema;

/**
 * {@link ShopApplication} booted once per test class on the class's schema (Spring MVC on a loopback port), and the
 * scenarios that read the same with the plain jar and with the starter: an {@code @Upsert} entity saved twice, the
 * round trips and ids of one-row transactions, a duplicate at save, at saveAndFlush and at a {@code @Transactional}
 * commit (each module says in {@link #assertDuplicateReachesTheCaller} which Spring exception carries ours), and the
 * 409 its advice answers. A subclass adds its properties, beans and own scenarios.
 */
@PostgresTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ShopApplicationTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    protected ConfigurableApplicationContext app;
    protected TestSchema db;

    /** The module's properties on top of the shop's (data source, tables created and dropped, loopback port). */
    protected Map<String, Object> properties() {
        return Map.of();
    }

    /** Beans the module boots next to the shop. */
    protected Class<?>[] sources() {
        return new Class<?>[0];
    }

    /** What the caller catches in this module, with ours as its cause; returns ours. */
    protected abstract DuplicateKeyException assertDuplicateReachesTheCaller(Throwable thrown, String path);

    @BeforeAll
    void boot(TestSchema schema) {
        db = schema;
        System.out.println("[upsert-test] Spring Boot " + SpringBootVersion.getVersion() + ", Hibernate ORM " + Version.getVersionString());
        app = new SpringApplicationBuilder(ShopApplication.class).sources(sources())
                .properties(db.springProperties())
                .properties(Map.of(
                        "spring.jpa.hibernate.ddl-auto", "create-drop",
                        "server.address", "127.0.0.1",
                        "server.port", "0"))
                .properties(properties())
                .run();
    }

    @AfterAll
    void close() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void anUpsertEntitySavedTwiceIsOneRowWithTheStoredId() {
        CustomerRepository customers = app.getBean(CustomerRepository.class);
        Long first = customers.save(new Customer("ann@example.org", "Ann")).getId();
        Customer again = customers.save(new Customer("ann@example.org", "Ann Smith"));

        assertThat(again.getId()).isEqualTo(first);
        assertThat(db.query("select id, name from customer where email = 'ann@example.org'"))
                .containsExactly(List.of(first, "Ann Smith"));
    }

    /**
     * A request that upserts one row in its own transaction (a repository's {@code save}, which is
     * {@code @Transactional}) costs what the hand-written SQL costs: the statement, which carries the BEGIN, and the
     * COMMIT; the pooled sequence (Hibernate's default {@code customer_seq}, 50 ids per value) is fetched once per 50
     * ids across transactions, with an upsert statement, so it advances about one id per save, not a block per
     * transaction.
     */
    @Test
    void oneRowPerTransactionCostsTheStatementAndTheCommit() throws Exception {
        CustomerRepository customers = app.getBean(CustomerRepository.class);
        int saves = 200;
        for (int i = 0; i < saves; i += 2) {
            customers.save(new Customer("one" + i + "@example.org", "Old"));   // half the keys are stored already
        }
        Map<Object, Object> seededIds = new HashMap<>();
        db.query("select email, id from customer where email like 'one%@example.org'").forEach(r -> seededIds.put(r.get(0), r.get(1)));
        long sequenceBefore = db.queryLong("select last_value from customer_seq");

        long roundTrips = RoundTrips.countOnThisThread(() -> {
            for (int i = 0; i < saves; i++) {
                customers.save(new Customer("one" + i + "@example.org", "New " + i));
            }
        });
        long sequenceAdvance = db.queryLong("select last_value from customer_seq") - sequenceBefore;
        System.out.printf("[spring] %d one-row transactions: %d round trips, customer_seq advanced %d%n", saves, roundTrips, sequenceAdvance);

        // two per transaction: the blocks of 50 ids fetched meanwhile (each advances the sequence by 50) travel with
        // upsert statements, not in round trips of their own
        assertThat(roundTrips).as("round trips of %d one-row transactions", saves).isEqualTo(2L * saves);
        // every save draws an id (a stored key's is a gap, as a column default's nextval is in a hand-written upsert)
        assertThat(sequenceAdvance).as("sequence advance over %d one-row transactions", saves).isBetween(saves - 50L, saves + 50L);
        List<List<Object>> rows = db.query("select email, id, name from customer where email like 'one%@example.org'");
        assertThat(rows).hasSize(saves).allSatisfy(row -> {
            int i = Integer.parseInt(((String) row.get(0)).replaceAll("\\D", ""));
            assertThat(row.get(2)).isEqualTo("New " + i);
            if (i % 2 == 0) {
                assertThat(row.get(1)).as("a stored key keeps its id").isEqualTo(seededIds.get(row.get(0)));
            }
        });
    }

    @Test
    void aDuplicateAtSaveReachesTheCallerWithOursAsItsCause() {
        MemberRepository members = app.getBean(MemberRepository.class);
        members.save(new Member("amy"));
        Throwable thrown = catchThrowable(() -> members.save(new Member("amy")));

        DuplicateKeyException ours = assertDuplicateReachesTheCaller(thrown, "save");
        assertThat(ours.getConstraintName())  // named by Hibernate or PostgreSQL, depending on the version
                .isEqualTo(db.queryValue("select conname from pg_constraint where conrelid = 'member'::regclass and contype = 'u'"));
        assertThat(ours.getTableName()).isEqualTo("member");
        assertThat(ours.getColumnNames()).containsExactly("username");
        assertThat(ours.getAttributeNames()).containsExactly("username");
        // key values are personal data: neither message carries them unless upsert.exception.include-values
        assertThat(thrown.getMessage()).doesNotContain("amy");
        // nor does the stack trace an application logs, the driver's exception under ours included
        assertThat(printed(thrown)).contains("(DETAIL and parameters left out").doesNotContain("(amy)").doesNotContain("'amy'");
        assertThat(ours.getKeyValues()).containsEntry("username", "amy");
        assertThat(db.queryLong("select count(*) from member where username = 'amy'")).isEqualTo(1);
    }

    @Test
    void aDuplicateAtSaveAndFlush() {
        TicketRepository tickets = app.getBean(TicketRepository.class);
        tickets.save(new Ticket("T-1"));
        Throwable thrown = catchThrowable(() -> tickets.saveAndFlush(new Ticket("T-1")));

        assertTicketCode(assertDuplicateReachesTheCaller(thrown, "saveAndFlush"));
        assertThat(db.queryLong("select count(*) from ticket where code = 'T-1'")).isEqualTo(1);
    }

    @Test
    void aDuplicateWhenATransactionalServiceCommits() {
        TicketService service = app.getBean(TicketService.class);
        service.issue("T-2", "T-3");
        Throwable thrown = catchThrowable(() -> service.issue("T-4", "T-2"));   // both inserts go out at commit

        assertTicketCode(assertDuplicateReachesTheCaller(thrown, "@Transactional commit"));
        assertThat(printed(thrown)).doesNotContain("T-2");
        assertThat(db.queryLong("select count(*) from ticket where code in ('T-2', 'T-3', 'T-4')")).isEqualTo(2);
    }

    @Test
    void aRestControllerAdviceAnswers409WithAProblemDetailNamingTheField() throws Exception {
        HttpRequest join = HttpRequest.newBuilder(URI.create(base() + "/members?username=bob"))
                .POST(HttpRequest.BodyPublishers.noBody()).build();

        HttpResponse<String> created = HTTP.send(join, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> conflict = HTTP.send(join, HttpResponse.BodyHandlers.ofString());

        assertThat(created.statusCode()).isEqualTo(201);
        System.out.println("[spring] 409 body: " + conflict.body());
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(conflict.body()).contains("\"status\":409", "\"detail\":\"username is already taken\"", "\"field\":\"username\"")
                .doesNotContain("bob");
        assertThat(db.queryLong("select count(*) from member where username = 'bob'")).isEqualTo(1);
    }

    /** What {@code log.error("...", thrown)} prints: the stack trace with every cause's message. */
    protected static String printed(Throwable thrown) {
        java.io.StringWriter trace = new java.io.StringWriter();
        thrown.printStackTrace(new java.io.PrintWriter(trace));
        return trace.toString();
    }

    /** A GET on the shop's port. */
    protected HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String base() {
        return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
    }

    protected static void assertTicketCode(DuplicateKeyException duplicate) {
        assertThat(duplicate.getConstraintName()).isEqualTo("ticket_code_key");
        assertThat(duplicate.getColumnNames()).containsExactly("code");
        assertThat(duplicate.getAttributeNames()).containsExactly("code");
    }

    /** Runs {@code test} with ticket_code_key deferrable initially deferred (checked at COMMIT), then restores it. */
    protected void withDeferredTicketCode(Runnable test) {
        db.execute("alter table ticket drop constraint ticket_code_key, "
                + "add constraint ticket_code_key unique (code) deferrable initially deferred");
        try {
            test.run();
        } finally {
            db.execute("alter table ticket drop constraint ticket_code_key, add constraint ticket_code_key unique (code)");
        }
    }

    /** The exception classes from the thrown one down to its root, for the log. */
    protected static String chain(Throwable thrown) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            out.append(out.isEmpty() ? "" : " <- ").append(t.getClass().getName());
        }
        return out.toString();
    }
}
