package dev.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.HashMap;
import java.util.Map;

import jakarta.persistence.EntityManagerFactory;

import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import dev.upsert.DuplicateKeyModel.Member;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * A role that may insert but not read the key column gets no DETAIL (PostgreSQL hides it): the exception is complete
 * but for the values, which come from the entity when exactly one row of the table was being written.
 */
@PostgresTest
class DuplicateKeyHiddenDetailIT {

    private static EntityManagerFactory writer;
    private static String role;

    @BeforeAll
    static void start(TestSchema db) {
        Map<String, Object> settings = new HashMap<>(db.jpaProperties());
        settings.put("jakarta.persistence.schema-generation.database.action", "create");
        new HibernatePersistenceConfiguration("hidden-owner").managedClasses(DuplicateKeyModel.ENTITIES)
                .properties(settings).createEntityManagerFactory().close();
        role = "dke_writer_" + db.name();
        db.execute("create role " + role + " nologin;"
                + "grant usage on schema " + db.name() + " to " + role + ";"
                + "grant insert on member to " + role + ";"
                + "grant select (id) on member to " + role + ";"
                + "grant usage on all sequences in schema " + db.name() + " to " + role);
        db.execute("insert into member (id, email) values (-1, 'hidden@x.org')");

        Map<String, Object> asWriter = new HashMap<>(db.jpaProperties());
        // connect as the test user, then act as the restricted role for the whole session
        asWriter.put("jakarta.persistence.jdbc.url", db.jdbcUrl("options=-c%20role%3D" + role));
        asWriter.put("jakarta.persistence.schema-generation.database.action", "none");
        asWriter.put("hibernate.jdbc.batch_size", "10");
        writer = new HibernatePersistenceConfiguration("hidden-writer").managedClasses(DuplicateKeyModel.ENTITIES)
                .properties(asWriter).createEntityManagerFactory();
    }

    @AfterAll
    static void stop(TestSchema db) {
        if (writer != null) {
            writer.close();
        }
        db.execute("drop owned by " + role + "; drop role " + role);
    }

    @Test
    void oneRowWrittenGivesItsValues(TestSchema db) {
        // sequence ids: no RETURNING, which pgjdbc would widen to columns this role may not read
        DuplicateKeyException e = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(writer, em -> {
            em.persist(new Member("hidden@x.org"));
            em.flush();
        });

        assertThat(((PSQLException) e.getSQLException().getNextException()).getServerErrorMessage().getDetail()).isNull();
        assertThat(e.getConstraintName()).isEqualTo("member_email_uq");
        assertThat(e.getSchemaName()).isEqualTo(db.name());
        assertThat(e.getTableName()).isEqualTo("member");
        assertThat(e.getColumnNames()).containsExactly("email");
        assertThat(e.getEntityClass()).contains(Member.class);
        assertThat(e.getAttributeNames()).containsExactly("email");
        assertThat(e.getKeyValues()).containsExactly(entry("email", "hidden@x.org"));
        assertThat(db.queryLong("select count(*) from member")).isEqualTo(1);
    }

    @Test
    void severalRowsOfTheTableInTheBatchGiveNoValues(TestSchema db) {
        DuplicateKeyException e = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(writer, em -> {
            em.persist(new Member("new@x.org"));
            em.persist(new Member("hidden@x.org"));
            em.flush();
        });

        assertThat(e.getConstraintName()).isEqualTo("member_email_uq");
        assertThat(e.getSchemaName()).isEqualTo(db.name());
        assertThat(e.getTableName()).isEqualTo("member");
        assertThat(e.getColumnNames()).containsExactly("email");
        assertThat(e.getEntityClass()).contains(Member.class);
        assertThat(e.getAttributeNames()).containsExactly("email");
        assertThat(e.getKeyValues()).isEmpty();
        assertThat(db.queryLong("select count(*) from member")).isEqualTo(1);
    }
}
