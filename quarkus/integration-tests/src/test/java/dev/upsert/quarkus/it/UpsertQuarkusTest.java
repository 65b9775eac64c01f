package dev.upsert.quarkus.it;

import static dev.upsert.quarkus.it.QuarkusTestDatabase.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyException;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.RoundTrips;

/**
 * The extension in a Quarkus application, as its services use it: Panache active record and repository upserts,
 * the round trips and ids of one-row transactions, duplicates inside a transaction and at the JTA commit, and the
 * meters bound to quarkus-micrometer's registry.
 */
@QuarkusTest
@QuarkusTestResource(QuarkusTestDatabase.class)
class UpsertQuarkusTest {

    @Inject
    Signups signups;

    @Inject
    MeterRegistry registry;

    @Test
    void activeRecordPersistUpsertsOneRowPerEmail() {
        assertThat(signups.visit("ann@example.org", "Ann")).isEqualTo(UpsertOutcome.INSERTED);
        assertThat(signups.visit("ann@example.org", "Ann Smith")).isEqualTo(UpsertOutcome.UPDATED);
        assertThat(queryString("select count(*) || ' ' || max(name) from customer where email = 'ann@example.org'"))
                .isEqualTo("1 Ann Smith");
    }

    /**
     * A request that upserts one row in its own JTA transaction costs what the hand-written SQL costs: the statement,
     * which carries the BEGIN, and the COMMIT; the pooled sequence of {@code PanacheEntity}'s id (50 ids per value)
     * is fetched once per 50 ids across transactions, and advances about one id per upsert.
     */
    @Test
    void oneRowPerTransactionCostsTheStatementAndTheCommit() throws Exception {
        int visits = 100;
        for (int i = 0; i < visits; i += 2) {
            signups.visitOnce("once" + i + "@example.org", "Old");   // half the keys are stored already
        }
        String sequence = queryString("select sequencename from pg_sequences where schemaname = current_schema()"
                + " and sequencename like 'customer%'");
        long sequenceBefore = Long.parseLong(queryString("select last_value from " + sequence));

        long roundTrips = RoundTrips.countOnThisThread(() -> {
            for (int i = 0; i < visits; i++) {
                signups.visitOnce("once" + i + "@example.org", "New " + i);
            }
        });
        long sequenceAdvance = Long.parseLong(queryString("select last_value from " + sequence)) - sequenceBefore;
        System.out.printf("[quarkus] %d one-row transactions: %d round trips, %s advanced %d%n", visits, roundTrips, sequence, sequenceAdvance);

        // two per transaction, and one per block of 50 ids fetched (each fetch advances the sequence by 50)
        assertThat(roundTrips).as("round trips of %d one-row transactions", visits).isEqualTo(2L * visits + sequenceAdvance / 50);
        assertThat(sequenceAdvance).as("sequence advance over %d one-row transactions", visits).isBetween(visits - 50L, visits + 50L);
        assertThat(queryString("select count(*) || ' ' || count(*) filter (where name = 'New ' || substring(email from 'once([0-9]+)@'))"
                + " from customer where email like 'once%@example.org'")).isEqualTo(visits + " " + visits);
    }

    @Test
    void repositoryPersistUpsertsOneRowPerKey() {
        assertThat(signups.subscribe("bob@example.org", "news", "daily")).isEqualTo(UpsertOutcome.INSERTED);
        assertThat(signups.subscribe("bob@example.org", "news", "weekly")).isEqualTo(UpsertOutcome.UPDATED);
        assertThat(signups.subscribe("bob@example.org", "offers", "never")).isEqualTo(UpsertOutcome.INSERTED);
        assertThat(queryString("select string_agg(topic || '=' || frequency, ',' order by topic) from subscription"
                + " where email = 'bob@example.org'")).isEqualTo("news=weekly,offers=never");
    }

    /** Quarkus enhances every entity; the change made after persist and before the flush must be what is stored. */
    @Test
    void aChangeAfterPersistBeforeFlushReachesTheRow() {
        signups.subscribeThenChange("carol@example.org", "news", "daily", "monthly");
        assertThat(queryString("select frequency from subscription where email = 'carol@example.org'")).isEqualTo("monthly");
        signups.subscribeThenChange("carol@example.org", "news", "weekly", "never");
        assertThat(queryString("select count(*) || ' ' || max(frequency) from subscription where email = 'carol@example.org'"))
                .isEqualTo("1 never");
    }

    @Test
    void aDuplicateInsideTheTransactionIsADuplicateKeyException() {
        signups.openAccount("dave@example.org", "Dave");
        DuplicateKeyException duplicate = assertRefusedAsDuplicate(() -> signups.openAccount("dave@example.org", "Dave again"),
                "account_email_uq", "select count(*) || ' ' || max(name) from account where email = 'dave@example.org'", "1 Dave");
        assertThat(duplicate.getColumnNames()).containsExactly("email");
    }

    /** The insert runs in Hibernate's beforeCompletion, inside Narayana's commit: the caller gets a RollbackException. */
    @Test
    void aDuplicateAtTheJtaCommitIsFoundInWhatTheCallerCatches() {
        signups.join("erin@example.org");
        DuplicateKeyException duplicate = assertRefusedAsDuplicate(() -> signups.join("erin@example.org"),
                "member_email_uq", "select count(*) from member where email = 'erin@example.org'", "1");
        assertThat(duplicate.getTableName()).isEqualTo("member");
    }

    /**
     * A deferred constraint is checked by the database's COMMIT, which Narayana runs as the one-phase commit of the
     * datasource's XAResource: the caller's RollbackException has no cause, the driver's error is a suppressed
     * XAException's cause.
     */
    @Test
    void aDuplicateRefusedByTheDatabaseCommitIsFoundInWhatTheCallerCatches() {
        signups.issueTicket("T-100");
        DuplicateKeyException duplicate = assertRefusedAsDuplicate(() -> signups.issueTicket("T-100"),
                "ticket_code_uq", "select count(*) from ticket where code = 'T-100'", "1");
        assertThat(duplicate.getColumnNames()).containsExactly("code");
    }

    /** UpsertMetrics is a MeterBinder bean: quarkus-micrometer binds it; quarkus.upsert.metrics.* tags the counts. */
    @Test
    void metricsAreBoundToTheRegistry() {
        signups.openAccount("frank@example.org", "Frank");
        catchThrowable(() -> signups.openAccount("frank@example.org", "Frank again"));
        signups.visit("grace@example.org", "Grace");
        signups.visit("grace@example.org", "Grace Hopper");

        Counter unexpected = registry.find("upsert.duplicate.keys").tag("constraint", "account_email_uq").counter();
        assertThat(unexpected).isNotNull();
        assertThat(unexpected.getId().getTag("expected")).isEqualTo("false");
        assertThat(unexpected.count()).isGreaterThanOrEqualTo(1);
        signups.join("heidi@example.org");
        catchThrowable(() -> signups.join("heidi@example.org"));
        Counter expected = registry.find("upsert.duplicate.keys").tag("constraint", "member_email_uq").counter();
        assertThat(expected).isNotNull();
        assertThat(expected.getId().getTag("expected")).as("quarkus.upsert.metrics.expected-constraints").isEqualTo("true");
        Counter updated = registry.find("upsert.rows").tag("entity", "Customer").tag("outcome", "updated").counter();
        assertThat(updated).isNotNull();
        assertThat(updated.count()).isGreaterThanOrEqualTo(1);
    }

    /**
     * {@code second} fails, what the caller catches holds a DuplicateKeyException on {@code constraint}, and
     * {@code rowsQuery} still answers {@code rows} (the first write is what the table holds).
     */
    private static DuplicateKeyException assertRefusedAsDuplicate(ThrowingCallable second, String constraint, String rowsQuery,
                                                                  String rows) {
        Throwable thrown = catchThrowable(second);
        assertThat(thrown).isNotNull();
        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        DuplicateKeyException duplicate = DuplicateKeyException.find(thrown).orElseThrow();
        assertThat(duplicate.getConstraintName()).isEqualTo(constraint);
        assertThat(queryString(rowsQuery)).isEqualTo(rows);
        return duplicate;
    }
}
