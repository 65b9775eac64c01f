package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.Test;

import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.upsert.Entities.SequenceAccount;

@PostgresTest
class UpsertBootstrapIT {

    @Test
    void nativeBootstrapGetsTheUpsertPersisterToo(TestSchema db) {
        Configuration configuration = new Configuration().addAnnotatedClass(SequenceAccount.class);
        db.jpaProperties().forEach((k, v) -> configuration.setProperty(k, String.valueOf(v)));
        configuration.setProperty("hibernate.hbm2ddl.auto", "create-drop");
        try (SessionFactory factory = configuration.buildSessionFactory()) {
            factory.inTransaction(s -> s.persist(new SequenceAccount("native@x.org", "one", "seed")));
            SequenceAccount again = factory.fromTransaction(s -> {
                var a = new SequenceAccount("native@x.org", "two", "other");
                s.persist(a);
                s.flush();
                assertThat(Upserts.outcome(s, a)).contains(UpsertOutcome.UPDATED);
                return a;
            });
            assertThat(again.createdBy).isEqualTo("seed");
            assertThat(db.query("select id, name, created_by from account_seq")).containsExactly(List.of(again.id, "two", "seed"));
        }
    }

    @Test
    void reWriteBatchedInsertsWorksAndKeysComeBackInOrder(TestSchema db) {
        try (Jpa jpa = new Jpa(db, Map.of("jakarta.persistence.jdbc.url", db.jdbcUrl("reWriteBatchedInserts=true"),
                "hibernate.jdbc.batch_size", "20"), SequenceAccount.class)) {
            jpa.run(em -> {
                for (int i = 0; i < 50; i += 5) {
                    em.persist(new SequenceAccount("rw" + i + "@x.org", "seed", "seed"));
                }
            });
            List<SequenceAccount> sent = jpa.tx(em -> {
                List<SequenceAccount> list = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    var a = new SequenceAccount("rw" + i + "@x.org", "new", "second");
                    em.persist(a);
                    list.add(a);
                }
                return list;
            });
            assertThat(db.queryLong("select count(*) from account_seq")).isEqualTo(50);
            assertThat(db.queryLong("select count(*) from account_seq where name = 'new'")).isEqualTo(50);
            assertThat(db.queryLong("select count(*) from account_seq where created_by = 'seed'")).isEqualTo(10);
            for (var a : sent) {
                assertThat(db.queryValue("select id from account_seq where email = '" + a.email + "'")).isEqualTo(a.id);
            }
        }
    }
}
