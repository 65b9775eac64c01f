package dev.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
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
import dev.upsert.testing.jpa.PersistenceUnit;

/**
 * The rows the extension remembers for a flush whose connection died must not describe a later duplicate key on the
 * same thread. When the backend is gone it took the transaction with it: the rollback has no connection left and
 * completes as rolled back (the statement's error stays the one the caller sees; see CitusFailedStatementIT).
 */
@PostgresTest
class DuplicateKeyAfterConnectionLossIT {

    private static EntityManagerFactory writer;
    private static String role;
    private static String applicationName;

    @BeforeAll
    static void start(TestSchema db) {
        Map<String, Object> settings = new HashMap<>(db.jpaProperties());
        settings.put("jakarta.persistence.schema-generation.database.action", "create");
        PersistenceUnit.create("lost-owner", settings, DuplicateKeyModel.ENTITIES).close();
        // a role that may not read the key column gets no DETAIL: the values can only come from remembered rows
        role = "dke_lost_" + db.name();
        db.execute("create role " + role + " nologin;"
                + "grant usage on schema " + db.name() + " to " + role + ";"
                + "grant insert on member to " + role + ";"
                + "grant select (id) on member to " + role + ";"
                + "grant usage on all sequences in schema " + db.name() + " to " + role);
        db.execute("insert into member (id, email) values (-1, 'taken@x.org')");

        applicationName = "dke-lost-" + db.name();
        Map<String, Object> asWriter = new HashMap<>(db.jpaProperties());
        asWriter.put("jakarta.persistence.jdbc.url", db.jdbcUrl("options=-c%20role%3D" + role + "&ApplicationName=" + applicationName));
        asWriter.put("jakarta.persistence.schema-generation.database.action", "none");
        asWriter.put("hibernate.jdbc.batch_size", "10");
        writer = PersistenceUnit.create("lost-writer", asWriter, DuplicateKeyModel.ENTITIES);
    }

    @AfterAll
    static void stop(TestSchema db) {
        if (writer != null) {
            writer.close();
        }
        db.execute("drop owned by " + role + "; drop role " + role);
    }

    @Test
    void rowsOfAFlushThatLostItsConnectionDoNotDescribeTheNextDuplicate(TestSchema db) throws Exception {
        EntityManager lost = writer.createEntityManager();
        try {
            lost.getTransaction().begin();
            lost.persist(new Member("lost@x.org"));     // fetches a sequence value: the transaction has its backend
            try (Connection control = db.connection(); Statement s = control.createStatement()) {
                s.execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = '" + applicationName + "'");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (db.queryLong("select count(*) from pg_stat_activity where application_name = '" + applicationName + "'") > 0) {
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
