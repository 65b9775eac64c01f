package dev.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyModel.Member;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.LoginRole;
import dev.upsert.testing.jpa.Teardown;

/**
 * The rows the extension remembers for a flush whose connection died must not describe a later duplicate key on the
 * same thread. When the backend is gone it took the transaction with it: the rollback has no connection left and
 * completes as rolled back (the statement's error stays the one the caller sees; see CitusFailedStatementIT).
 */
@PostgresTest
class DuplicateKeyAfterConnectionLossIT {

    private static LoginRole role;
    private static EntityManagerFactory writer;

    @BeforeAll
    static void start(TestSchema db) {
        DuplicateKeyModel.createTables(db);
        // a role that may not read the key column gets no DETAIL: the values can only come from remembered rows
        role = LoginRole.create(db, "dke_lost_");
        db.execute("grant insert, select (id) on member to " + role.name());
        db.execute("insert into member (id, email) values (-1, 'taken@x.org')");
        writer = DuplicateKeyModel.boot("lost-writer", role.jpaProperties(), Map.of("hibernate.jdbc.batch_size", "10"));
    }

    @AfterAll
    static void stop() {
        Teardown.closeAll(writer, role);
    }

    @Test
    void rowsOfAFlushThatLostItsConnectionDoNotDescribeTheNextDuplicate(TestSchema db) throws Exception {
        EntityManager lost = writer.createEntityManager();
        try {
            lost.getTransaction().begin();
            lost.persist(new Member("lost@x.org"));     // fetches a sequence value: the transaction has its backend
            try (Connection control = db.connection(); Statement s = control.createStatement()) {
                s.execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = '" + role.name() + "'");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (db.queryLong("select count(*) from pg_stat_activity where application_name = '" + role.name() + "'") > 0) {
                    assertThat(System.nanoTime()).as("backend still alive").isLessThan(deadline);
                    Thread.sleep(10);
                }
            }
            assertThat(catchThrowable(lost::flush)).isNotNull().isNotInstanceOf(DuplicateKeyException.class);
            // no connection to roll back on, and nothing left to roll back: not a second failure
            assertThat(catchThrowable(() -> lost.getTransaction().rollback())).isNull();
        } finally {
            lost.close();
        }

        // same thread, new EntityManager: a duplicate before this one writes any entity
        Throwable thrown = DuplicateKeyIT.inTransactionFailing(writer, em ->
                em.createNativeQuery("insert into member (id, email) values (-2, 'taken@x.org')").executeUpdate());
        DuplicateKeyException e = DuplicateKeyException.find(thrown).orElseThrow();
        assertThat(e.getConstraintName()).isEqualTo("member_email_uq");
        assertThat(e.getColumnNames()).containsExactly("email");
        // DETAIL is hidden and this EntityManager wrote no entity: no values, and certainly not the lost row's
        assertThat(e.getKeyValues()).isEmpty();
        assertThat(db.query("select email from member")).containsExactly(java.util.List.of("taken@x.org"));
    }
}
