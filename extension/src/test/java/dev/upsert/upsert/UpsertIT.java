package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.upsert.Entities.IdentityAccount;
import dev.upsert.upsert.Entities.InboxEvent;
import dev.upsert.upsert.Entities.SequenceAccount;
import dev.upsert.upsert.Entities.UuidAccount;

@PostgresTest
class UpsertIT {

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "50", "hibernate.order_inserts", "true"),
            IdentityAccount.class, SequenceAccount.class, UuidAccount.class, InboxEvent.class);

    @Test
    void identityConflictReturnsTheStoredRowAndUpdatesOnlyOverwrittenColumns() {
        // IDENTITY upserts wait for the flush, like the others
        long firstId = jpa.upserted(new IdentityAccount("ann@x.org", "Ann", "seed"), UpsertOutcome.INSERTED).id;
        var second = jpa.upserted(new IdentityAccount("ann@x.org", "Ann B", "second-run"), UpsertOutcome.UPDATED);
        assertThat(second.id).isEqualTo(firstId);
        assertThat(second.createdBy).isEqualTo("seed");      // insert-only column: the stored value came back
        assertThat(second.version).isEqualTo(1);               // incremented in SQL and written back
        assertThat(jpa.db().query("select id, email, name, created_by, version from account_identity"))
                .containsExactly(List.of(firstId, "ann@x.org", "Ann B", "seed", 1));
    }

    @Test
    void laterDirtyCheckUpdatesTheStoredRowWithoutClobbering() {
        jpa.run(em -> em.persist(new SequenceAccount("bob@x.org", "Bob", "seed")));
        jpa.upserted(new SequenceAccount("bob@x.org", "Bobby", "second-run"), UpsertOutcome.UPDATED, b -> {
            assertThat(b.createdBy).isEqualTo("seed");
            b.name = "Robert";                                  // dirty-check after the upsert
        });
        assertThat(jpa.db().query("select name, created_by, version from account_seq where email = 'bob@x.org'"))
                .containsExactly(List.of("Robert", "seed", 2));
        assertThat(jpa.db().queryLong("select count(*) from account_seq where email = 'bob@x.org'")).isEqualTo(1);
    }

    @Test
    void sequenceIdIsReplacedByTheStoredRowsId() {
        long storedId = jpa.persisted(new SequenceAccount("cid@x.org", "C", "seed")).id;  // read after the commit: the id is null until the flush
        jpa.run(em -> {
            var c = new SequenceAccount("cid@x.org", "C2", "again");
            em.persist(c);
            em.flush();
            assertThat(c.id).isEqualTo(storedId);
            assertThat(em.find(SequenceAccount.class, storedId)).isSameAs(c);
            assertThat(Upserts.outcome(em, c)).contains(UpsertOutcome.UPDATED);
        });
    }

    @Test
    void uuidIdsAreReplacedToo() {
        var stored = jpa.persisted(new UuidAccount("uu@x.org", "U")).id;
        var again = jpa.upserted(new UuidAccount("uu@x.org", "U2"), UpsertOutcome.UPDATED).id;
        assertThat(again).isEqualTo(stored);
        assertThat(jpa.db().query("select id, name from account_uuid")).containsExactly(List.of(stored, "U2"));
    }

    @Test
    void doNothingKeepsTheRowAndHandsBackTheStoredState() {
        jpa.run(em -> em.persist(new InboxEvent("d1", "evt-1", "first")));
        var replay = jpa.upserted(new InboxEvent("d2", "evt-1", "replayed"), UpsertOutcome.SKIPPED);
        assertThat(replay.id).isEqualTo("d1");
        assertThat(replay.payload).isEqualTo("first");
        assertThat(jpa.db().query("select id, event_id, payload from inbox")).containsExactly(List.of("d1", "evt-1", "first"));
    }

    @Test
    void batchedFlushWritesEveryRowBackAndCountsOutcomes() {
        jpa.run(em -> {
            for (int i = 0; i < 60; i += 2) {
                em.persist(new SequenceAccount("batch" + i + "@x.org", "old", "seed"));
            }
        });
        var accounts = jpa.tx(em -> {
            List<SequenceAccount> list = new java.util.ArrayList<>();
            for (int i = 59; i >= 0; i--) {
                var a = new SequenceAccount("batch" + i + "@x.org", "new", "second");
                em.persist(a);
                list.add(a);
            }
            em.flush();
            long updated = list.stream().filter(a -> Upserts.outcome(em, a).orElseThrow() == UpsertOutcome.UPDATED).count();
            assertThat(updated).isEqualTo(30);
            return list;
        });
        assertThat(jpa.db().queryLong("select count(*) from account_seq where email like 'batch%'")).isEqualTo(60);
        for (var a : accounts) {
            assertThat(jpa.db().queryValue("select id from account_seq where email = '" + a.email + "'")).isEqualTo(a.id);
        }
        assertThat(jpa.db().queryLong("select count(*) from account_seq where email like 'batch%' and created_by = 'seed'")).isEqualTo(30);
    }

    @Test
    void secondInstanceWithTheSameKeyInOneFlushIsRefusedBeforeSql() {
        assertThatThrownBy(() -> jpa.run(em -> {
            em.persist(new SequenceAccount("twice@x.org", "A", "x"));
            em.persist(new SequenceAccount("twice@x.org", "B", "x"));
        })).isInstanceOf(jakarta.persistence.EntityExistsException.class)
                .hasMessageContaining("SequenceAccount").hasMessageContaining("(email)")
                .hasMessageNotContaining("twice@x.org");
        assertThat(jpa.db().queryLong("select count(*) from account_seq where email = 'twice@x.org'")).isZero();
    }

    @Test
    void alreadyManagedRowIsRefusedBeforeSql() {
        long id = jpa.persisted(new IdentityAccount("managed@x.org", "M", "seed")).id;
        assertThatThrownBy(() -> jpa.run(em -> {
            em.find(IdentityAccount.class, id);
            em.persist(new IdentityAccount("managed@x.org", "other", "x"));
        })).isInstanceOf(jakarta.persistence.EntityExistsException.class).hasMessageContaining("already managed");
        assertThat(jpa.db().query("select name from account_identity where id = " + id)).containsExactly(List.of("M"));
    }
}
