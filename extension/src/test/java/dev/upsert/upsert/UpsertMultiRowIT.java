package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EntityExistsException;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.StatementRecorder;
import dev.upsert.upsert.Entities.IdentityAccount;
import dev.upsert.upsert.Entities.InboxEvent;
import dev.upsert.upsert.Entities.SequenceAccount;

/**
 * A flush sends up to 1,000 pending rows of one type as one statement (the values as one array per column), for
 * every action, and maps the returned rows back by an explicit ordinal. Checked against the table.
 */
@PostgresTest
class UpsertMultiRowIT {

    /** Every SQL string Hibernate prepares, in order. */
    static final StatementRecorder prepared = new StatementRecorder();

    /** Keyed by a unique index on {@code lower(email)}: two Java-distinct keys can be one key for the index. */
    @Entity @Table(name = "folded")
    @Upsert(constraint = "folded_lower_email_uq")
    static class Folded extends Entities.Named {
        @Id UUID id = UUID.randomUUID();
        Folded() { }
        Folded(String email, String name) { super(email, name); }
    }

    @AutoClose static Jpa jpa;
    static TestSchema db;

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        db.execute("create table folded (id uuid primary key, email varchar(255), name varchar(255));"
                + "create unique index folded_lower_email_uq on folded (lower(email))");
        jpa = new Jpa(schema, Map.of("hibernate.jdbc.batch_size", "50",
                "hibernate.session_factory.statement_inspector", prepared,
                "jakarta.persistence.schema-generation.database.action", "create"),
                SequenceAccount.class, InboxEvent.class, Folded.class, IdentityAccount.class);
    }

    @BeforeEach
    void forget() {
        prepared.clear();
    }

    @Test
    void oneStatementPerBatchAndEveryEntityGetsItsRowsId() {
        jpa.run(em -> {
            for (int i = 0; i < 120; i += 3) {
                em.persist(new SequenceAccount("multi" + i + "@x.org", "old", "seed"));
            }
        });
        prepared.clear();
        List<SequenceAccount> accounts = jpa.tx(em -> {
            List<SequenceAccount> list = new ArrayList<>();
            for (int i = 119; i >= 0; i--) {
                var a = new SequenceAccount("multi" + i + "@x.org", "new" + i, "second");
                em.persist(a);
                list.add(a);
            }
            em.flush();
            assertThat(list.stream().filter(a -> Upserts.outcome(em, a).orElseThrow() == UpsertOutcome.UPDATED)).hasSize(40);
            return list;
        });

        // 120 rows (batch size 50 does not cut the statement): one statement, nothing read back
        assertThat(prepared.stream().filter(sql -> !sql.startsWith("select nextval("))).singleElement(as(InstanceOfAssertFactories.STRING))
                .contains(" from unnest(");

        assertThat(db.queryLong("select count(*) from account_seq where email like 'multi%'")).isEqualTo(120);
        for (var a : accounts) {
            assertThat(db.query("select id, name from account_seq where email = '" + a.email + "'"))
                    .containsExactly(List.of(a.id, a.name));
        }
        assertThat(accounts).allSatisfy(a -> assertThat(a.createdBy)
                .isEqualTo(Integer.parseInt(a.email.replaceAll("\\D", "")) % 3 == 0 ? "seed" : "second"));
        assertThat(db.queryLong("select count(*) from account_seq where email like 'multi%' and version = 1")).isEqualTo(40);
    }

    /** One parameter per column, whatever the row count: 20,000 pending rows go out in statements of 1,000 rows. */
    @Test
    void aLargeFlushIsSentInStatementsOfAThousandRows(TestSchema schema) {
        try (Jpa large = new Jpa(schema, Map.of("hibernate.jdbc.batch_size", "100000",
                "hibernate.session_factory.statement_inspector", prepared,
                "jakarta.persistence.schema-generation.database.action", "none"), SequenceAccount.class)) {
            prepared.clear();
            large.run(em -> {
                for (int i = 0; i < 20_000; i++) {
                    em.persist(new SequenceAccount("wide" + i + "@x.org", "n", "seed"));
                }
            });
        }
        assertThat(prepared.stream().filter(sql -> sql.contains(" from unnest("))).hasSize(20);
        assertThat(prepared.stream().filter(sql -> sql.startsWith("insert into") && !sql.contains(" from unnest("))).isEmpty();
        assertThat(db.queryLong("select count(*) from account_seq where email like 'wide%'")).isEqualTo(20_000);
    }

    /**
     * A flush inserts a text key's rows in the text's order, whatever order they were persisted in: the lock order
     * that keeps concurrent flushes from deadlocking. Seen from the database: an IDENTITY row draws its id as it is
     * inserted, so the new rows' ids rise with their keys. The keys differ within their first eight characters, beyond
     * them, and in characters wider than one byte (the sort compares the first eight as one number where it can).
     */
    @Test
    void newRowsAreInsertedInTheOrderOfTheirTextKeys() {
        List<String> keys = new ArrayList<>(List.of("ord", "or", "ord-a", "ord-\u00e9", "ord-\u0101", "ord-\u00ff",
                "ord-\u00ff\u00ff\u00ff\u00ff\u00ff", "ord-\u00ff\u00ff\u00ff\u00ff\u0100", "ordered-key-1", "ordered-key-10",
                "ordered-key-2", "ORD", "ord\u00e9", "ord-z", "ord-\ud834\udd1e", "ord-Z"));
        for (int i = 0; i < 40; i++) {
            keys.add("ord-row-" + i);
        }
        Collections.shuffle(keys, new Random(7));
        jpa.run(em -> keys.forEach(key -> em.persist(new IdentityAccount(key, "n", "seed"))));

        keys.sort(Comparator.naturalOrder());
        assertThat(db.query("select email from account_identity order by id").stream().map(row -> (String) row.get(0)).toList())
                .isEqualTo(keys);
    }

    @Test
    void conditionalActionsSendOneStatementThatReturnsSkippedRowsToo() {
        jpa.run(em -> em.persist(new InboxEvent("m0", "multi-evt-0", "first")));
        prepared.clear();
        List<InboxEvent> events = jpa.tx(em -> {
            List<InboxEvent> list = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                var e = new InboxEvent("n" + i, "multi-evt-" + i, "second");
                em.persist(e);
                list.add(e);
            }
            return list;
        });
        assertThat(prepared).singleElement(as(InstanceOfAssertFactories.STRING))
                .startsWith("with upsert_proposed as").contains("on conflict (event_id) do nothing");
        assertThat(events.get(0).id).isEqualTo("m0");
        assertThat(events.get(0).payload).isEqualTo("first");
        assertThat(db.query("select id, payload from inbox where event_id like 'multi-evt-%' order by event_id"))
                .containsExactly(List.of("m0", "first"), List.of("n1", "second"), List.of("n2", "second"),
                        List.of("n3", "second"), List.of("n4", "second"));
    }

    @Test
    void twoKeysTheIndexFindsEqualAreRefusedAndNothingIsWritten() {
        assertThatThrownBy(() -> jpa.run(em -> {
            em.persist(new Folded("Case@x.org", "upper"));
            em.persist(new Folded("case@x.org", "lower"));
            em.persist(new Folded("other@x.org", "other"));
            em.flush();
        })).isInstanceOf(EntityExistsException.class)
                .hasMessageContaining("Folded").hasMessageContaining("folded_lower_email_uq")
                .hasMessageContaining("equal for the unique index")
                .hasMessageNotContainingAny("Case@x.org", "case@x.org");
        assertThat(db.queryLong("select count(*) from folded")).isZero();

        // in separate flushes the second simply updates the row the first inserted (email is not a plain key column,
        // so it is overwritten like any other)
        jpa.run(em -> em.persist(new Folded("Case@x.org", "upper")));
        jpa.run(em -> em.persist(new Folded("case@x.org", "lower")));
        assertThat(db.query("select email, name from folded")).containsExactly(List.of("case@x.org", "lower"));
    }
}
