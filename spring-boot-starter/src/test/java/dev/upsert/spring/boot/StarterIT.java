package dev.upsert.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.hibernate.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.DataIntegrityViolationException;

import dev.upsert.DuplicateKeyException;
import dev.upsert.spring.boot.store.Account;
import dev.upsert.spring.boot.store.AccountRepository;
import dev.upsert.spring.boot.store.Member;
import dev.upsert.spring.boot.store.MemberRepository;
import dev.upsert.spring.boot.store.StoreApplication;
import dev.upsert.spring.boot.store.Ticket;
import dev.upsert.spring.boot.store.TicketRepository;
import dev.upsert.spring.boot.store.TicketService;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * A real Spring Boot application (Spring Data JPA, HikariCP, Spring MVC, Actuator on a loopback port) with the
 * starter: what a duplicate looks like to the caller through a repository's save and saveAndFlush, a
 * {@code @Transactional} service's commit and a deferred constraint at COMMIT, a 409 from an advice on Spring's
 * DuplicateKeyException, and the count Actuator shows.
 */
@PostgresTest
class StarterIT {

    private static ConfigurableApplicationContext app;
    private static TestSchema db;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        System.out.println("[upsert-test] Spring Boot " + SpringBootVersion.getVersion() + ", Hibernate ORM " + Version.getVersionString());
        app = new SpringApplicationBuilder(StoreApplication.class)
                .properties(db.springProperties())
                .properties(Map.of(
                        "spring.jpa.hibernate.ddl-auto", "create-drop",
                        "server.address", "127.0.0.1",
                        "server.port", "0",
                        "management.endpoints.web.exposure.include", "health,metrics",
                        "upsert.metrics.expected-constraints", "ticket_code_key"))
                .run();
    }

    @AfterAll
    static void close() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void anUpsertEntitySavedTwiceIsOneRowWithTheStoredId() {
        AccountRepository accounts = app.getBean(AccountRepository.class);
        Long first = accounts.save(new Account("ann@example.org", "Ann")).getId();
        Long second = accounts.save(new Account("ann@example.org", "Ann Smith")).getId();

        assertThat(second).isEqualTo(first);
        assertThat(db.query("select id, name from account where email = 'ann@example.org'")).containsExactly(List.of(first, "Ann Smith"));
    }

    @Test
    void aDuplicateAtSaveIsSpringsDuplicateKeyExceptionWithOursAsItsCause() {
        MemberRepository members = app.getBean(MemberRepository.class);
        members.save(new Member("amy"));
        Throwable thrown = catchThrowable(() -> members.save(new Member("amy")));

        DuplicateKeyException ours = assertSpringsDuplicateKey(thrown, "save");
        assertThat(ours.getTableName()).isEqualTo("member");
        assertThat(ours.getColumnNames()).containsExactly("username");
        assertThat(ours.getAttributeNames()).containsExactly("username");
        // key values are personal data: neither message carries them unless upsert.exception.include-values
        assertThat(thrown.getMessage()).doesNotContain("amy");
        assertThat(ours.getKeyValues()).containsEntry("username", "amy");
        assertThat(db.queryLong("select count(*) from member where username = 'amy'")).isEqualTo(1);
    }

    @Test
    void aDuplicateAtSaveAndFlush() {
        TicketRepository tickets = app.getBean(TicketRepository.class);
        tickets.save(new Ticket("T-1"));
        Throwable thrown = catchThrowable(() -> tickets.saveAndFlush(new Ticket("T-1")));

        assertTicketCode(assertSpringsDuplicateKey(thrown, "saveAndFlush"));
        assertThat(db.queryLong("select count(*) from ticket where code = 'T-1'")).isEqualTo(1);
    }

    @Test
    void aDuplicateWhenATransactionalServiceCommits() {
        TicketService service = app.getBean(TicketService.class);
        service.issue("T-2", "T-3");
        Throwable thrown = catchThrowable(() -> service.issue("T-4", "T-2"));   // both inserts go out at commit

        assertTicketCode(assertSpringsDuplicateKey(thrown, "@Transactional commit"));
        assertThat(db.queryLong("select count(*) from ticket where code in ('T-2', 'T-3', 'T-4')")).isEqualTo(2);
    }

    @Test
    void aDeferredConstraintFailingAtCommit() {
        TicketService service = app.getBean(TicketService.class);
        db.execute("alter table ticket drop constraint ticket_code_key, "
                + "add constraint ticket_code_key unique (code) deferrable initially deferred");
        try {
            service.issue("D-1");
            Throwable thrown = catchThrowable(() -> service.issue("D-1"));   // the server checks it at COMMIT

            assertTicketCode(assertSpringsDuplicateKey(thrown, "deferred, at COMMIT"));
            assertThat(db.queryLong("select count(*) from ticket where code = 'D-1'")).isEqualTo(1);
        } finally {
            db.execute("alter table ticket drop constraint ticket_code_key, add constraint ticket_code_key unique (code)");
        }
    }

    @Test
    void anotherIntegrityErrorIsTranslatedAsBefore() {
        TicketRepository tickets = app.getBean(TicketRepository.class);
        Throwable thrown = catchThrowable(() -> tickets.saveAndFlush(new Ticket("X".repeat(300))));   // 22001, too long

        System.out.println("[spring] too long: " + chain(thrown));
        assertThat(thrown).isExactlyInstanceOf(DataIntegrityViolationException.class);
        assertThat(DuplicateKeyException.find(thrown)).isEmpty();
    }

    @Test
    void anAdviceOnSpringsDuplicateKeyExceptionAnswers409NamingTheField() throws Exception {
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

    @Test
    void actuatorShowsTheDuplicatesByConstraintTaggedExpectedAsConfigured() throws Exception {
        String expectedTickets = "/actuator/metrics/upsert.duplicate.keys?tag=constraint:ticket_code_key&tag=expected:true";
        String unexpectedMembers = "/actuator/metrics/upsert.duplicate.keys?tag=table:member&tag=expected:false";
        double ticketsBefore = count(expectedTickets);
        double membersBefore = count(unexpectedMembers);

        TicketRepository tickets = app.getBean(TicketRepository.class);
        tickets.save(new Ticket("M-1"));
        catchThrowable(() -> tickets.save(new Ticket("M-1")));
        catchThrowable(() -> tickets.save(new Ticket("M-1")));
        MemberRepository members = app.getBean(MemberRepository.class);
        members.save(new Member("meg"));
        catchThrowable(() -> members.save(new Member("meg")));

        HttpResponse<String> metric = HTTP.send(HttpRequest.newBuilder(URI.create(base() + expectedTickets)).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println("[spring] " + expectedTickets + ": " + metric.body());
        assertThat(metric.statusCode()).isEqualTo(200);
        assertThat(metric.body()).contains("\"name\":\"upsert.duplicate.keys\"", "\"tag\":\"entity\"", "\"Ticket\"");
        assertThat(count(expectedTickets) - ticketsBefore).isEqualTo(2.0);
        assertThat(count(unexpectedMembers) - membersBefore).isEqualTo(1.0);
    }

    private static DuplicateKeyException assertSpringsDuplicateKey(Throwable thrown, String path) {
        System.out.println("[spring] duplicate at " + path + ": " + chain(thrown));
        assertThat(thrown).isExactlyInstanceOf(org.springframework.dao.DuplicateKeyException.class)
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasCauseExactlyInstanceOf(DuplicateKeyException.class);
        DuplicateKeyException ours = (DuplicateKeyException) thrown.getCause();
        assertThat(DuplicateKeyException.find(thrown)).containsSame(ours);
        assertThat(thrown.getMessage()).isEqualTo(ours.getMessage());
        return ours;
    }

    private static void assertTicketCode(DuplicateKeyException ours) {
        assertThat(ours.getConstraintName()).isEqualTo("ticket_code_key");
        assertThat(ours.getColumnNames()).containsExactly("code");
        assertThat(ours.getAttributeNames()).containsExactly("code");
    }

    private static String base() {
        return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
    }

    /** The COUNT statistic of a metrics endpoint answer; 0 while the meter does not exist (404). */
    private static double count(String path) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 404) {
            return 0;
        }
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        List<Object> measurements = (List<Object>) JsonParserFactory.getJsonParser().parseMap(answer.body()).get("measurements");
        return measurements.stream().map(m -> (Map<String, Object>) m).filter(m -> "COUNT".equals(m.get("statistic")))
                .mapToDouble(m -> ((Number) m.get("value")).doubleValue()).sum();
    }

    private static String chain(Throwable thrown) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            out.append(out.isEmpty() ? "" : " <- ").append(t.getClass().getName());
        }
        return out.toString();
    }
}
