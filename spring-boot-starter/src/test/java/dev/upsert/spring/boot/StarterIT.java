package dev.upsert.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.dao.DataIntegrityViolationException;

import dev.upsert.DuplicateKeyException;
import dev.upsert.spring.shop.Member;
import dev.upsert.spring.shop.MemberRepository;
import dev.upsert.spring.shop.ShopApplicationTests;
import dev.upsert.spring.shop.Ticket;
import dev.upsert.spring.shop.TicketRepository;
import dev.upsert.spring.shop.TicketService;
import dev.upsert.testing.PostgresTest;

/**
 * A real Spring Boot application (the shop of spring-boot-tests: Spring Data JPA, HikariCP, Spring MVC, and Actuator
 * on a loopback port) with the starter: what a duplicate looks like to the caller (Spring's DuplicateKeyException with
 * ours as its cause) through a repository's save and saveAndFlush and a {@code @Transactional} service's commit, all
 * inherited from the shop's scenarios with a 409 from an advice on Spring's DuplicateKeyException
 * ({@code SpringDuplicateKeyAdvice}); here a deferred constraint at COMMIT, and the count Actuator shows.
 */
@PostgresTest
class StarterIT extends ShopApplicationTests {

    @Override
    protected Map<String, Object> properties() {
        return Map.of(
                "management.endpoints.web.exposure.include", "health,metrics",
                "upsert.metrics.expected-constraints", "ticket_code_key");
    }

    @Test
    void aDeferredConstraintFailingAtCommit() {
        TicketService service = app.getBean(TicketService.class);
        withDeferredTicketCode(() -> {
            service.issue("D-1");
            Throwable thrown = catchThrowable(() -> service.issue("D-1"));   // the server checks it at COMMIT

            assertTicketCode(assertDuplicateReachesTheCaller(thrown, "deferred, at COMMIT"));
            assertThat(db.queryLong("select count(*) from ticket where code = 'D-1'")).isEqualTo(1);
        });
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

        HttpResponse<String> metric = get(expectedTickets);
        System.out.println("[spring] " + expectedTickets + ": " + metric.body());
        assertThat(metric.statusCode()).isEqualTo(200);
        assertThat(metric.body()).contains("\"name\":\"upsert.duplicate.keys\"", "\"tag\":\"entity\"", "\"Ticket\"");
        assertThat(count(expectedTickets) - ticketsBefore).isEqualTo(2.0);
        assertThat(count(unexpectedMembers) - membersBefore).isEqualTo(1.0);
    }

    /** Spring's DuplicateKeyException (the starter's translation), with ours as its cause. */
    @Override
    protected DuplicateKeyException assertDuplicateReachesTheCaller(Throwable thrown, String path) {
        System.out.println("[spring] duplicate at " + path + ": " + chain(thrown));
        assertThat(thrown).isExactlyInstanceOf(org.springframework.dao.DuplicateKeyException.class)
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasCauseExactlyInstanceOf(DuplicateKeyException.class);
        DuplicateKeyException ours = (DuplicateKeyException) thrown.getCause();
        assertThat(DuplicateKeyException.find(thrown)).containsSame(ours);
        assertThat(thrown.getMessage()).isEqualTo(ours.getMessage());
        return ours;
    }

    /** The COUNT statistic of a metrics endpoint answer; 0 while the meter does not exist (404). */
    private double count(String path) throws Exception {
        HttpResponse<String> answer = get(path);
        if (answer.statusCode() == 404) {
            return 0;
        }
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        List<Object> measurements = (List<Object>) JsonParserFactory.getJsonParser().parseMap(answer.body()).get("measurements");
        return measurements.stream().map(m -> (Map<String, Object>) m).filter(m -> "COUNT".equals(m.get("statistic")))
                .mapToDouble(m -> ((Number) m.get("value")).doubleValue()).sum();
    }
}
