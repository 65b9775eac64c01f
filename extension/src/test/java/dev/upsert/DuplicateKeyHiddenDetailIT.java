package dev.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import dev.upsert.DuplicateKeyModel.Member;
import dev.upsert.DuplicateKeyModel.Page;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PersistenceUnit;

/**
 * PostgreSQL sends no DETAIL when the user may not read the key: (a) no SELECT on the key columns, (b) row-level
 * security enabled on the table (research A1). The application logs in as a role of its own that has only these
 * rights, and the exception is still complete: constraint, schema and table from the server's fields, columns from
 * the catalog (read as that role), entity and attributes from the metamodel, values from the entity being written;
 * the values only are missing when several rows of the table were in one failing JDBC batch.
 */
@PostgresTest
class DuplicateKeyHiddenDetailIT {

    private static String role;
    private static String password;
    private static EntityManagerFactory plain;   // no batching: each insert is its own statement
    private static EntityManagerFactory batched; // hibernate.jdbc.batch_size = 10

    @BeforeAll
    static void start(TestSchema db) {
        Map<String, Object> owner = new HashMap<>(db.jpaProperties());
        owner.put("jakarta.persistence.schema-generation.database.action", "create");
        PersistenceUnit.create("hidden-owner", owner, DuplicateKeyModel.ENTITIES).close();

        // role names are cluster-wide: the schema name carries this run's random suffix
        role = "dke_" + db.name();
        password = UUID.randomUUID().toString();
        db.execute("create role " + role + " login password '" + password + "';"
                + "grant usage on schema " + db.name() + " to " + role + ";"
                + "grant usage on all sequences in schema " + db.name() + " to " + role + ";"
                // (a) member: may insert, may read the id, not the email
                + "grant insert, select (id) on member to " + role + ";"
                // (b) page: may insert and read, but row-level security shows tenant 1 only
                + "grant insert, select on page to " + role + ";"
                + "alter table page enable row level security;"
                + "create policy page_read on page for select using (tenant_id = 1);"
                + "create policy page_write on page for insert with check (true)");
        db.execute("insert into member (id, email) values (-1, 'hidden@x.org');"
                + "insert into page (tenant_id, slug, title) values (2, 'hidden', 'owner'), (1, 'shown', 'owner')");

        plain = asRole(db, "hidden-plain", null);
        batched = asRole(db, "hidden-batched", "10");
    }

    private static EntityManagerFactory asRole(TestSchema db, String name, String batchSize) {
        Map<String, Object> settings = new HashMap<>(db.jpaProperties());
        settings.put("jakarta.persistence.jdbc.url", roleUrl(db));
        settings.put("jakarta.persistence.jdbc.user", role);
        settings.put("jakarta.persistence.jdbc.password", password);
        settings.put("jakarta.persistence.schema-generation.database.action", "none");
        if (batchSize != null) {
            settings.put("hibernate.jdbc.batch_size", batchSize);
        }
        return PersistenceUnit.create(name, settings, DuplicateKeyModel.ENTITIES);
    }

    /** In the URL too: the embedded server's URL names {@code user=postgres}, and pgjdbc lets the URL win. */
    private static String roleUrl(TestSchema db) {
        return db.jdbcUrl("ApplicationName=" + role + "&user=" + role + "&password=" + password);
    }

    @AfterAll
    static void stop(TestSchema db) {
        if (plain != null) {
            plain.close();
        }
        if (batched != null) {
            batched.close();
        }
        db.execute("drop owned by " + role + "; drop role " + role);
    }

    @Test
    void theApplicationRunsAsTheRoleWhichCannotReadTheKeys(TestSchema db) throws SQLException {
        EntityManager em = plain.createEntityManager();
        try {
            Object[] users = (Object[]) em.createNativeQuery("select current_user, session_user").getSingleResult();
            assertThat(users).containsExactly(role, role);
        } finally {
            em.close();
        }

        try (Connection c = DriverManager.getConnection(roleUrl(db), role, password); Statement s = c.createStatement()) {
            assertThat(catchThrowableOfType(SQLException.class, () -> s.executeQuery("select email from member"))
                    .getSQLState()).isEqualTo("42501");
            try (ResultSet rs = s.executeQuery("select slug from page")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("shown");
                assertThat(rs.next()).as("tenant 2's row is hidden from the role").isFalse();
            }
        }
        assertThat(db.queryLong("select count(*) from page")).isEqualTo(2);
    }

    @Test
    void withoutSelectOnTheKeyColumnPersistReportsTheEntitysValues(TestSchema db) {
        DuplicateKeyException e = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(plain, em -> {
            em.persist(new Member("hidden@x.org"));
            em.flush();
        });

        assertThat(serverDetail(e)).isNull();
        assertThat((Object) e.getSQLException()).isInstanceOf(PSQLException.class);
        assertMember(e, db);
        assertThat(e.getKeyValues()).containsExactly(entry("email", "hidden@x.org"));
        assertThat(e.getMessage()).doesNotContain("hidden@x.org");
        assertThat(db.query("select id, email from member")).containsExactly(List.of(-1L, "hidden@x.org"));
    }

    /**
     * Without {@code hibernate.jdbc.batch_size} Hibernate runs one statement per row, although PostgreSQLDialect
     * reports a default batch size of 15: the rows that succeeded before the failing one are not candidates.
     */
    @Test
    void withoutSelectOnTheKeyColumnUnbatchedRowsBeforeTheFailingOneDoNotCount(TestSchema db) {
        DuplicateKeyException e = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(plain, em -> {
            em.persist(new Member("first@x.org"));
            em.persist(new Member("second@x.org"));
            em.persist(new Member("hidden@x.org"));
            em.flush();
        });

        assertThat((Object) e.getSQLException()).isInstanceOf(PSQLException.class);
        assertThat(serverDetail(e)).isNull();
        assertMember(e, db);
        assertThat(e.getKeyValues()).containsExactly(entry("email", "hidden@x.org"));
        assertThat(db.query("select id, email from member")).containsExactly(List.of(-1L, "hidden@x.org"));
    }

    @Test
    void withoutSelectOnTheKeyColumnABatchReportsTheEntitysValues(TestSchema db) {
        // the pages go in a batch of their own, which succeeds; the member's batch holds one row of its table
        DuplicateKeyException e = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(batched, em -> {
            em.persist(new Page(1, "batch-a", "a"));
            em.persist(new Page(1, "batch-b", "b"));
            em.persist(new Member("hidden@x.org"));
            em.flush();
        });

        assertThat((Object) e.getSQLException()).isInstanceOf(BatchUpdateException.class);
        assertThat(serverDetail(e)).isNull();
        assertMember(e, db);
        assertThat(e.getKeyValues()).containsExactly(entry("email", "hidden@x.org"));
        assertThat(db.query("select id, email from member")).containsExactly(List.of(-1L, "hidden@x.org"));
        assertThat(db.queryLong("select count(*) from page")).isEqualTo(2);
    }

    @Test
    void underRowLevelSecurityPersistReportsTheEntitysValues(TestSchema db) {
        // the conflicting row is one the role cannot see
        DuplicateKeyException hidden = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(plain, em -> {
            em.persist(new Page(2, "hidden", "mine"));
            em.flush();
        });
        assertThat(serverDetail(hidden)).isNull();
        assertThat((Object) hidden.getSQLException()).isInstanceOf(PSQLException.class);
        assertPage(hidden, db);
        assertThat(hidden.getKeyValues()).containsExactly(entry("tenant_id", 2L), entry("slug", "hidden"));
        assertThat(hidden.getMessage()).startsWith("Duplicate key: unique key \"page_pkey\" on table " + db.name()
                + ".page (tenant_id, slug) is already taken, entity Page (id.tenantId, id.slug). PostgreSQL has aborted");

        // a row the role can see: DETAIL is hidden all the same, RLS being enabled is enough
        DuplicateKeyException shown = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(plain, em -> {
            em.persist(new Page(1, "shown", "mine"));
            em.flush();
        });
        assertThat(serverDetail(shown)).isNull();
        assertPage(shown, db);
        assertThat(shown.getKeyValues()).containsExactly(entry("tenant_id", 1L), entry("slug", "shown"));

        assertThat(db.query("select tenant_id, slug, title from page order by tenant_id"))
                .containsExactly(List.of(1L, "shown", "owner"), List.of(2L, "hidden", "owner"));
    }

    @Test
    void underRowLevelSecurityABatchReportsTheEntitysValues(TestSchema db) {
        // the members go in a batch of their own, which succeeds; the page's batch holds one row of its table
        DuplicateKeyException e = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(batched, em -> {
            em.persist(new Member("rls-a@x.org"));
            em.persist(new Member("rls-b@x.org"));
            em.persist(new Page(2, "hidden", "mine"));
            em.flush();
        });

        assertThat((Object) e.getSQLException()).isInstanceOf(BatchUpdateException.class);
        assertThat(serverDetail(e)).isNull();
        assertPage(e, db);
        assertThat(e.getKeyValues()).containsExactly(entry("tenant_id", 2L), entry("slug", "hidden"));
        assertThat(db.queryLong("select count(*) from member")).isEqualTo(1);
        assertThat(db.queryLong("select count(*) from page")).isEqualTo(2);
    }

    /**
     * Several rows of the table in the failing batch and no DETAIL: pgjdbc marks every entry of a batch in a
     * transaction EXECUTE_FAILED and names the failing one only in its (translated) message text, so which row
     * collided is unknown. Everything but the values is still reported; the values are empty, not guessed.
     */
    @Test
    void severalRowsOfTheTableInTheFailingBatchGiveNoValues(TestSchema db) {
        DuplicateKeyException member = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(batched, em -> {
            em.persist(new Member("new@x.org"));
            em.persist(new Member("hidden@x.org"));
            em.flush();
        });
        assertThat(serverDetail(member)).isNull();
        assertMember(member, db);
        assertThat(member.getKeyValues()).isEmpty();

        DuplicateKeyException page = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(batched, em -> {
            em.persist(new Page(1, "new", "n"));
            em.persist(new Page(2, "hidden", "mine"));
            em.flush();
        });
        assertThat(serverDetail(page)).isNull();
        assertPage(page, db);
        assertThat(page.getKeyValues()).isEmpty();

        assertThat(db.queryLong("select count(*) from member")).isEqualTo(1);
        assertThat(db.queryLong("select count(*) from page")).isEqualTo(2);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** DETAIL as the server sent it (null when hidden), from the driver's exception under Hibernate's. */
    private static String serverDetail(DuplicateKeyException e) {
        SQLException root = e.getSQLException();
        PSQLException server = (PSQLException) (root instanceof BatchUpdateException ? root.getNextException() : root);
        assertThat(server.getServerErrorMessage().getSQLState()).isEqualTo("23505");
        return server.getServerErrorMessage().getDetail();
    }

    /** Everything but the values; the columns can only have come from the catalog, DETAIL being null. */
    private static void assertMember(DuplicateKeyException e, TestSchema db) {
        assertThat(e.getConstraintName()).isEqualTo("member_email_uq");
        assertThat(e.getSchemaName()).isEqualTo(db.name());
        assertThat(e.getTableName()).isEqualTo("member");
        assertThat(e.getColumnNames()).containsExactly("email");
        assertThat(e.getEntityClass()).contains(Member.class);
        assertThat(e.getAttributeNames()).containsExactly("email");
    }

    private static void assertPage(DuplicateKeyException e, TestSchema db) {
        assertThat(e.getConstraintName()).isEqualTo("page_pkey");
        assertThat(e.getSchemaName()).isEqualTo(db.name());
        assertThat(e.getTableName()).isEqualTo("page");
        assertThat(e.getColumnNames()).containsExactly("tenant_id", "slug");
        assertThat(e.getEntityClass()).contains(Page.class);
        assertThat(e.getAttributeNames()).containsExactly("id.tenantId", "id.slug");
    }
}
