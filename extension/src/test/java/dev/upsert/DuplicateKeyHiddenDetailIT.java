package dev.upsert;

import static dev.upsert.DuplicateKeyModel.MEMBER_EMAIL;
import static dev.upsert.DuplicateKeyModel.PAGE_PKEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

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
import dev.upsert.testing.jpa.LoginRole;
import dev.upsert.testing.jpa.Teardown;

/**
 * PostgreSQL sends no DETAIL when the user may not read the key: (a) no SELECT on the key columns, (b) row-level
 * security enabled on the table (research A1). The application logs in as a role of its own that has only these
 * rights, and the exception is still complete: constraint, schema and table from the server's fields, columns from
 * the catalog (read as that role), entity and attributes from the metamodel, values from the entity being written;
 * the values only are missing when several rows of the table were in one failing JDBC batch.
 */
@PostgresTest
class DuplicateKeyHiddenDetailIT {

    private static LoginRole role;
    private static EntityManagerFactory plain;   // no batching: each insert is its own statement
    private static EntityManagerFactory batched; // hibernate.jdbc.batch_size = 10

    @BeforeAll
    static void start(TestSchema db) {
        DuplicateKeyModel.createTables(db);
        role = LoginRole.create(db, "dke_");
        // (a) member: may insert, may read the id, not the email
        db.execute("grant insert, select (id) on member to " + role.name() + ";"
                // (b) page: may insert and read, but row-level security shows tenant 1 only
                + "grant insert, select on page to " + role.name() + ";"
                + "alter table page enable row level security;"
                + "create policy page_read on page for select using (tenant_id = 1);"
                + "create policy page_write on page for insert with check (true)");
        db.execute("insert into member (id, email) values (-1, 'hidden@x.org');"
                + "insert into page (tenant_id, slug, title) values (2, 'hidden', 'owner'), (1, 'shown', 'owner')");

        plain = DuplicateKeyModel.boot("hidden-plain", role.jpaProperties(), Map.of());
        batched = DuplicateKeyModel.boot("hidden-batched", role.jpaProperties(), Map.of("hibernate.jdbc.batch_size", "10"));
    }

    @AfterAll
    static void stop() {
        Teardown.closeAll(plain, batched, role);
    }

    @Test
    void theApplicationRunsAsTheRoleWhichCannotReadTheKeys(TestSchema db) throws SQLException {
        EntityManager em = plain.createEntityManager();
        try {
            Object[] users = (Object[]) em.createNativeQuery("select current_user, session_user").getSingleResult();
            assertThat(users).containsExactly(role.name(), role.name());
        } finally {
            em.close();
        }

        try (Connection c = DriverManager.getConnection(role.jdbcUrl(), role.name(), role.password()); Statement s = c.createStatement()) {
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
        DuplicateKeyException e = DuplicateKeyIT.duplicateAtFlush(plain, new Member("hidden@x.org"));

        assertTheHiddenMember(e, PSQLException.class, db);
        assertThat(e.getMessage()).doesNotContain("hidden@x.org");
    }

    /**
     * Without {@code hibernate.jdbc.batch_size} Hibernate runs one statement per row, although PostgreSQLDialect
     * reports a default batch size of 15: the rows that succeeded before the failing one are not candidates.
     */
    @Test
    void withoutSelectOnTheKeyColumnUnbatchedRowsBeforeTheFailingOneDoNotCount(TestSchema db) {
        DuplicateKeyException e = DuplicateKeyIT.duplicateAtFlush(plain,
                new Member("first@x.org"),
                new Member("second@x.org"),
                new Member("hidden@x.org"));

        assertTheHiddenMember(e, PSQLException.class, db);
    }

    @Test
    void withoutSelectOnTheKeyColumnABatchReportsTheEntitysValues(TestSchema db) {
        // the pages go in a batch of their own, which succeeds; the member's batch holds one row of its table
        DuplicateKeyException e = DuplicateKeyIT.duplicateAtFlush(batched,
                new Page(1, "batch-a", "a"),
                new Page(1, "batch-b", "b"),
                new Member("hidden@x.org"));

        assertTheHiddenMember(e, BatchUpdateException.class, db);
        assertThat(db.queryLong("select count(*) from page")).isEqualTo(2);
    }

    @Test
    void underRowLevelSecurityPersistReportsTheEntitysValues(TestSchema db) {
        // the conflicting row is one the role cannot see
        DuplicateKeyException hidden = DuplicateKeyIT.duplicateAtFlush(plain, new Page(2, "hidden", "mine"));
        assertThat(serverDetail(hidden)).isNull();
        assertThat((Object) hidden.getSQLException()).isInstanceOf(PSQLException.class);
        PAGE_PKEY.assertNamedBy(hidden, db.name());
        assertThat(hidden.getKeyValues()).containsExactly(entry("tenant_id", 2L), entry("slug", "hidden"));
        assertThat(hidden.getMessage()).startsWith("Duplicate key: unique key \"page_pkey\" on table " + db.name()
                + ".page (tenant_id, slug) is already taken, entity Page (id.tenantId, id.slug). PostgreSQL has aborted");

        // a row the role can see: DETAIL is hidden all the same, RLS being enabled is enough
        DuplicateKeyException shown = DuplicateKeyIT.duplicateAtFlush(plain, new Page(1, "shown", "mine"));
        assertThat(serverDetail(shown)).isNull();
        PAGE_PKEY.assertNamedBy(shown, db.name());
        assertThat(shown.getKeyValues()).containsExactly(entry("tenant_id", 1L), entry("slug", "shown"));

        assertThat(db.query("select tenant_id, slug, title from page order by tenant_id"))
                .containsExactly(List.of(1L, "shown", "owner"), List.of(2L, "hidden", "owner"));
    }

    @Test
    void underRowLevelSecurityABatchReportsTheEntitysValues(TestSchema db) {
        DuplicateKeyException e = DuplicateKeyIT.duplicatePageAfterTwoMembers(batched, new Page(2, "hidden", "mine"));

        assertThat(serverDetail(e)).isNull();
        PAGE_PKEY.assertNamedBy(e, db.name());
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
        DuplicateKeyException member = DuplicateKeyIT.duplicateAtFlush(batched,
                new Member("new@x.org"),
                new Member("hidden@x.org"));
        assertThat(serverDetail(member)).isNull();
        MEMBER_EMAIL.assertNamedBy(member, db.name());
        assertThat(member.getKeyValues()).isEmpty();

        DuplicateKeyException page = DuplicateKeyIT.duplicateAtFlush(batched,
                new Page(1, "new", "n"),
                new Page(2, "hidden", "mine"));
        assertThat(serverDetail(page)).isNull();
        PAGE_PKEY.assertNamedBy(page, db.name());
        assertThat(page.getKeyValues()).isEmpty();

        assertThat(db.queryLong("select count(*) from member")).isEqualTo(1);
        assertThat(db.queryLong("select count(*) from page")).isEqualTo(2);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The duplicate of the member the role cannot read, raised as {@code driverException}: no DETAIL, yet the key from
     * the catalog and the value from the entity; the table still holds the owner's row only.
     */
    private static void assertTheHiddenMember(DuplicateKeyException e, Class<? extends SQLException> driverException,
                                              TestSchema db) {
        assertThat((Object) e.getSQLException()).isInstanceOf(driverException);
        assertThat(serverDetail(e)).isNull();
        MEMBER_EMAIL.assertNamedBy(e, db.name());
        assertThat(e.getKeyValues()).containsExactly(entry("email", "hidden@x.org"));
        assertThat(db.query("select id, email from member")).containsExactly(List.of(-1L, "hidden@x.org"));
    }

    /** DETAIL as the server sent it (null when hidden). */
    private static String serverDetail(DuplicateKeyException e) {
        return ExpectedKey.serverError(e).getDetail();
    }
}
