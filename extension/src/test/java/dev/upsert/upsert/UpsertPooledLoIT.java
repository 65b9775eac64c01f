package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PersistenceUnit;
import dev.upsert.testing.jpa.Teardown;
import dev.upsert.testing.jpa.Transactions;

/**
 * A sequence under Hibernate's {@code pooled-lo} optimizer ({@code hibernate.id.optimizer.pooled.preferred}, which
 * reads a sequence value as the first id of its block instead of the last): Hibernate's own generator proposes the
 * ids, the upsert keeps the stored row's id for an existing key, and two SessionFactories (two JVMs) sharing the
 * sequence never hand out one id twice.
 */
@PostgresTest
class UpsertPooledLoIT {

    @Entity @Table(name = "pooled_lo_member") @Upsert(on = "email")
    static class Member {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "pooled_lo_ids")
        @SequenceGenerator(name = "pooled_lo_ids", sequenceName = "pooled_lo_ids", allocationSize = 10)
        Long id;
        @Column(unique = true) String email;
        String name;
        Member() { }
        Member(String email, String name) { this.email = email; this.name = name; }
    }

    private static EntityManagerFactory one;
    private static EntityManagerFactory other;

    @BeforeAll
    static void start(TestSchema db) {
        Map<String, Object> pooledLo = Map.of("hibernate.id.optimizer.pooled.preferred", "pooled-lo",
                "hibernate.jdbc.batch_size", "20");
        one = PersistenceUnit.inSchema(db, "create", pooledLo, Member.class);
        other = PersistenceUnit.inSchema(db, "none", pooledLo, Member.class);
    }

    @AfterAll
    static void stop() {
        Teardown.closeAll(other, one);
    }

    @Test
    void theStoredIdIsKeptAndTwoFactoriesNeverShareAnId(TestSchema db) {
        Map<String, Long> first = upsert(one, "a", 0, 15);      // 15 new keys
        Map<String, Long> second = upsert(other, "b", 10, 25);  // 5 existing, 10 new, from the other factory
        Map<String, Long> third = upsert(one, "c", 20, 30);     // 5 existing, 5 new

        for (int i = 10; i < 15; i++) {
            assertThat(second.get(email(i))).as("existing key %d keeps its id", i).isEqualTo(first.get(email(i)));
        }
        for (int i = 20; i < 25; i++) {
            assertThat(third.get(email(i))).as("existing key %d keeps its id", i).isEqualTo(second.get(email(i)));
        }
        Map<String, Long> handedBack = new HashMap<>(first);
        handedBack.putAll(second);
        handedBack.putAll(third);
        Map<String, Long> stored = new HashMap<>();
        for (List<Object> row : db.query("select email, id, name from pooled_lo_member")) {
            stored.put((String) row.get(0), ((Number) row.get(1)).longValue());
        }
        assertThat(stored).hasSize(30).isEqualTo(handedBack);
        assertThat(stored.values()).doesNotHaveDuplicates();
        assertThat(db.query("select name from pooled_lo_member where email = '" + email(12) + "'"))
                .containsExactly(List.of("b"));
    }

    /** Keys {@code from} to {@code to - 1}, named {@code name}, in one transaction; the id each entity holds after. */
    private static Map<String, Long> upsert(EntityManagerFactory factory, String name, int from, int to) {
        return Transactions.inTransaction(factory, em -> {
            List<Member> members = new ArrayList<>();
            for (int i = from; i < to; i++) {
                Member member = new Member(email(i), name);
                em.persist(member);
                members.add(member);
            }
            em.flush();
            Map<String, Long> ids = new HashMap<>();
            for (Member member : members) {
                assertThat(Upserts.outcome(em, member)).isPresent().get().isIn(UpsertOutcome.INSERTED, UpsertOutcome.UPDATED);
                ids.put(member.email, member.id);
            }
            return ids;
        });
    }

    private static String email(int i) {
        return "m" + i + "@example.com";
    }
}
