package dev.upsert;

import static dev.upsert.DuplicateKeyModel.ACCOUNT_EMAIL;
import static dev.upsert.DuplicateKeyModel.MEMBER_EMAIL;
import static dev.upsert.DuplicateKeyModel.PAGE_PKEY;
import static dev.upsert.DuplicateKeyModel.PERSON_EMAIL_LOWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.sql.BatchUpdateException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.RollbackException;

import org.hibernate.TransactionException;
import org.hibernate.exception.ConstraintViolationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import dev.upsert.DuplicateKeyModel.Account;
import dev.upsert.DuplicateKeyModel.Member;
import dev.upsert.DuplicateKeyModel.Page;
import dev.upsert.DuplicateKeyModel.Pair;
import dev.upsert.DuplicateKeyModel.Person;
import dev.upsert.DuplicateKeyModel.Ticket;
import dev.upsert.DuplicateKeyModel.Weird;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PersistenceUnit;
import dev.upsert.testing.jpa.Teardown;
import dev.upsert.testing.jpa.Transactions;

/** Every path by which a 23505 reaches a JPA caller, against a real PostgreSQL, asserting every field. */
@PostgresTest
class DuplicateKeyIT {

    private static final String TAKEN_HINT = "PostgreSQL has aborted the transaction (further statements fail with 25P02)";

    private static EntityManagerFactory emf;       // batch size 10, values hidden from messages
    private static EntityManagerFactory valuesEmf; // no batching, upsert.exception.include_values=true
    private static String schema;

    @BeforeAll
    static void start(TestSchema db) {
        schema = db.name();
        DuplicateKeyModel.createTables(db);
        db.execute("""
                create unique index person_email_lower_uq on person (lower(email));
                create unique index person_handle_live_uq on person (handle) where not deleted;
                alter table "Weird Table" add constraint "weird ""uq"", x" unique ("Tenant Id", "a,b");
                alter table ticket add constraint ticket_code_uq unique (code) deferrable initially deferred
                """);
        db.execute(db.database().serverMajor() >= 15
                ? "create unique index pair_ab_uq on pair (a, b) nulls not distinct"
                : "create unique index pair_ab_uq on pair (a, b)");

        emf = DuplicateKeyModel.boot("duplicate-key", db.jpaProperties(), Map.of("hibernate.jdbc.batch_size", "10"));
        valuesEmf = DuplicateKeyModel.boot("duplicate-key-values", db.jpaProperties(),
                Map.of(UpsertSettings.EXCEPTION_INCLUDE_VALUES, "true"));
    }

    @AfterAll
    static void stop() {
        Teardown.closeAll(emf, valuesEmf);
    }

    @BeforeEach
    void empty(TestSchema db) {
        db.execute("truncate account, member, page, person, \"Weird Table\", ticket, pair");
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void persistWithIdentityIdThrowsAtPersist(TestSchema db) {
        inTransaction(emf, em -> em.persist(new Account("ann@x.org", "Ann")));

        Throwable thrown = inTransactionFailing(emf, em -> em.persist(new Account("ann@x.org", "Other Ann")));

        DuplicateKeyException e = assertThat(thrown).isInstanceOf(DuplicateKeyException.class)
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.type(DuplicateKeyException.class)).actual();
        assertThat(e).isInstanceOf(ConstraintViolationException.class);
        assertThat(e.getKind()).isEqualTo(ConstraintViolationException.ConstraintKind.UNIQUE);
        assertThat(e.getSQLState()).isEqualTo("23505");
        ACCOUNT_EMAIL.assertNamedBy(e, schema);
        assertThat(e.getKeyValues()).containsExactly(entry("email", "ann@x.org"));
        assertThat(e.getSQL()).startsWith("insert into");
        assertThat(e.getCause()).isInstanceOf(PSQLException.class);
        assertThat(e.getMessage())
                .isEqualTo("Duplicate key: unique key \"account_email_uq\" on table " + schema + ".account (email)"
                        + " is already taken, entity Account (email). " + TAKEN_HINT
                        + ": retry in a new transaction, or use @Upsert(action = NOTHING) to skip duplicates.")
                .doesNotContain("ann@x.org");
        assertThat(e.toString()).doesNotContain("ann@x.org").contains("account_email_uq");
        assertThat(DuplicateKeyException.find(e)).containsSame(e);
        assertThat(db.query("select email, name from account")).containsExactly(List.of("ann@x.org", "Ann"));
    }

    @Test
    void batchedFlushReportsTheRowOfTheBatchThatFailed(TestSchema db) {
        inTransaction(emf, em -> em.persist(new Member("m3@x.org")));

        Throwable thrown = inTransactionFailing(emf, em -> {
            for (int i = 1; i <= 5; i++) {
                em.persist(new Member("m" + i + "@x.org"));
            }
            em.flush();
        });

        DuplicateKeyException e = (DuplicateKeyException) thrown;
        assertThat((Object) e.getSQLException()).isInstanceOf(BatchUpdateException.class);
        assertThat((Object) e.getSQLException().getNextException()).isInstanceOf(PSQLException.class);
        MEMBER_EMAIL.assertNamedBy(e, schema);
        assertThat(e.getKeyValues()).containsExactly(entry("email", "m3@x.org"));
        assertThat(e.getMessage()).doesNotContain("m3@x.org").contains("member_email_uq", "Member (email)");
        assertThat(db.query("select email from member")).containsExactly(List.of("m3@x.org"));
    }

    @Test
    void commitWrapsItInRollbackExceptionAndFindDigsItOut(TestSchema db) {
        inTransaction(emf, em -> em.persist(new Member("c@x.org")));

        // at commit: the insert of a sequence-id entity waits for the flush
        Throwable thrown = Transactions.failure(emf, em -> em.persist(new Member("c@x.org")));

        assertThat(thrown).isInstanceOf(RollbackException.class).isNotInstanceOf(DuplicateKeyException.class);
        DuplicateKeyException e = DuplicateKeyException.find(thrown).orElseThrow();
        assertThat(thrown.getCause()).isSameAs(e);
        MEMBER_EMAIL.assertNamedBy(e, schema);
        assertThat(e.getKeyValues()).containsExactly(entry("email", "c@x.org"));
        assertThat(thrown.getMessage()).doesNotContain("c@x.org");
        assertThat(db.queryLong("select count(*) from member")).isEqualTo(1);
    }

    @Test
    void dirtyCheckingUpdateToATakenKey(TestSchema db) {
        inTransaction(emf, em -> {
            em.persist(new Account("first@x.org", "First"));
            em.persist(new Account("second@x.org", "Second"));
        });

        Throwable thrown = inTransactionFailing(emf, em -> {
            Account second = em.createQuery("from Account where email = 'second@x.org'", Account.class).getSingleResult();
            second.email = "first@x.org";
            em.flush();
        });

        DuplicateKeyException e = (DuplicateKeyException) thrown;
        assertThat(e.getSQL()).startsWith("update");
        ACCOUNT_EMAIL.assertNamedBy(e, schema);
        assertThat(e.getKeyValues()).containsExactly(entry("email", "first@x.org"));
        assertThat(db.query("select email from account order by email"))
                .containsExactly(List.of("first@x.org"), List.of("second@x.org"));
    }

    @Test
    void hqlInsertTakesValuesFromDetail(TestSchema db) {
        inTransaction(emf, em -> em.persist(new Account("hql@x.org", "Hql")));

        Throwable thrown = inTransactionFailing(emf, em -> em
                .createQuery("insert into Account (email, name) values (:email, 'again')")
                .setParameter("email", "hql@x.org").executeUpdate());

        DuplicateKeyException e = (DuplicateKeyException) thrown;
        ACCOUNT_EMAIL.assertNamedBy(e, schema);
        assertThat(e.getKeyValues()).containsExactly(entry("email", "hql@x.org"));
        assertThat(db.queryLong("select count(*) from account")).isEqualTo(1);
    }

    @Test
    void nativeSqlThroughTheEntityManager(TestSchema db) {
        inTransaction(emf, em -> em.persist(new Account("native@x.org", "Native")));

        Throwable thrown = inTransactionFailing(emf, em -> em
                .createNativeQuery("insert into account (email, name) values ('native@x.org', 'again')").executeUpdate());

        DuplicateKeyException e = (DuplicateKeyException) thrown;
        ACCOUNT_EMAIL.assertNamedBy(e, schema);
        assertThat(e.getKeyValues()).containsExactly(entry("email", "native@x.org"));
        // the SQL literal holds the value: it stays in getSQL() (7.x; 6.6 passes "n/a" for a native update), out of the message
        assertThat(e.getSQL()).contains(PersistenceUnit.hibernate66() ? "n/a" : "native@x.org");
        assertThat(e.getMessage()).doesNotContain("native@x.org");
        assertThat(db.queryLong("select count(*) from account")).isEqualTo(1);
    }

    @Test
    void deferredConstraintFailsAtCommit(TestSchema db) {
        inTransaction(emf, em -> em.persist(new Ticket("T-1")));

        Throwable thrown = Transactions.failure(emf, em -> {
            em.persist(new Ticket("T-1"));
            em.flush(); // accepted: the check is deferred to COMMIT
        });

        assertThat(thrown).isInstanceOf(RollbackException.class);
        // converted inside Hibernate's commit, where the session is known: find() only walks the chain
        assertThat(thrown.getCause()).isInstanceOf(TransactionException.class);
        assertThat(thrown.getCause().getCause()).isInstanceOf(DuplicateKeyException.class);
        DuplicateKeyException e = DuplicateKeyException.find(thrown).orElseThrow();
        assertThat(e).isSameAs(thrown.getCause().getCause());
        ExpectedKey.of("ticket_code_uq", "ticket", Ticket.class, "code").assertNamedBy(e, schema);
        assertThat(e.getKeyValues()).containsExactly(entry("code", "T-1"));
        assertThat(e.getSQL()).isNull();
        assertThat(e.getMessage()).doesNotContain("T-1").contains("ticket_code_uq");
        assertThat(db.queryLong("select count(*) from ticket")).isEqualTo(1);
    }

    @Test
    void compositeKeyWithCommasParenthesesAndQuotesInTheValue(TestSchema db) {
        String slug = "a, b=(c), 'q' \"dq\"";
        inTransaction(emf, em -> em.persist(new Page(2, slug, "first")));

        // from the entity: the value list "2, a, b=(c), ..." is ambiguous to split, yet matches this row
        DuplicateKeyException e = duplicateAtFlush(emf, new Page(2, slug, "second"));
        PAGE_PKEY.assertNamedBy(e, schema);
        assertThat(e.getKeyValues()).containsExactly(entry("tenant_id", 2L), entry("slug", slug));
        assertThat(new LinkedHashMap<>(e.getKeyValues()).keySet()).containsExactly("tenant_id", "slug");

        // from native SQL, only DETAIL is left, and it cannot be split: no values rather than wrong ones
        DuplicateKeyException fromSql = (DuplicateKeyException) inTransactionFailing(emf, em -> em
                .createNativeQuery("insert into page (tenant_id, slug, title) values (2, ?1, 'x')")
                .setParameter(1, slug).executeUpdate());
        assertThat(fromSql.getColumnNames()).containsExactly("tenant_id", "slug");
        assertThat(fromSql.getAttributeNames()).containsExactly("id.tenantId", "id.slug");
        assertThat(fromSql.getKeyValues()).isEmpty();

        // an unambiguous composite DETAIL is split into one text per column, each read as the attribute's type
        DuplicateKeyException plain = (DuplicateKeyException) inTransactionFailing(emf, em -> {
            em.createNativeQuery("insert into page (tenant_id, slug, title) values (3, 'home', 'x')").executeUpdate();
            em.createNativeQuery("insert into page (tenant_id, slug, title) values (3, 'home', 'y')").executeUpdate();
        });
        assertThat(plain.getKeyValues()).containsExactly(entry("tenant_id", 3L), entry("slug", "home"));
        assertThat(plain.getKeyValues().get("tenant_id")).isInstanceOf(Long.class);
        assertThat(db.query("select tenant_id, slug, title from page")).containsExactly(List.of(2L, slug, "first"));
    }

    @Test
    void expressionIndexOnLowerEmail(TestSchema db) {
        inTransaction(emf, em -> em.persist(new Person("alice@x.org", "alice", false)));

        DuplicateKeyException e = (DuplicateKeyException) inTransactionFailing(emf,
                em -> em.persist(new Person("Alice@X.org", "alice2", false)));

        PERSON_EMAIL_LOWER.assertNamedBy(e, schema);
        // the key is the expression's value, which only the server knows
        assertThat(e.getKeyValues()).containsExactly(entry("lower(email::text)", "alice@x.org"));
        assertThat(e.getMessage()).doesNotContainIgnoringCase("alice@x.org");
        assertThat(db.query("select email from person")).containsExactly(List.of("alice@x.org"));
    }

    @Test
    void partialIndex(TestSchema db) {
        inTransaction(emf, em -> {
            em.persist(new Person("old@x.org", "bob", true));
            em.persist(new Person("bob@x.org", "bob", false));
        });

        DuplicateKeyException e = (DuplicateKeyException) inTransactionFailing(emf,
                em -> em.persist(new Person("bob2@x.org", "bob", false)));

        ExpectedKey.of("person_handle_live_uq", "person", Person.class, "handle").assertNamedBy(e, schema);
        assertThat(e.getKeyValues()).containsExactly(entry("handle", "bob"));
        assertThat(db.queryLong("select count(*) from person where handle = 'bob'")).isEqualTo(2);
    }

    @Test
    void quotedIdentifiers(TestSchema db) {
        inTransaction(emf, em -> em.persist(new Weird(1, "z")));

        DuplicateKeyException e = (DuplicateKeyException) inTransactionFailing(emf, em -> em.persist(new Weird(1, "z")));

        new ExpectedKey("weird \"uq\", x", "Weird Table", List.of("\"Tenant Id\"", "\"a,b\""), Weird.class,
                List.of("tenantId", "ab")).assertNamedBy(e, schema);
        assertThat(e.getKeyValues()).containsExactly(entry("\"Tenant Id\"", 1), entry("\"a,b\"", "z"));
        assertThat(db.queryLong("select count(*) from \"Weird Table\"")).isEqualTo(1);
    }

    @Test
    void nonAsciiAndVeryLongValues(TestSchema db) {
        String unicode = "Grüße 東京 🎉";
        String tooLong = "l".repeat(5000) + "@x.org";
        inTransaction(emf, em -> {
            em.persist(new Account(unicode, "u"));
            em.persist(new Account(tooLong, "l"));
        });

        DuplicateKeyException u = (DuplicateKeyException) inTransactionFailing(emf, em -> em.persist(new Account(unicode, "u2")));
        assertThat(u.getKeyValues()).containsExactly(entry("email", unicode));
        assertThat(u.getMessage()).doesNotContain(unicode);

        DuplicateKeyException l = (DuplicateKeyException) inTransactionFailing(emf, em -> em.persist(new Account(tooLong, "l2")));
        assertThat(l.getKeyValues()).containsExactly(entry("email", tooLong));
        assertThat(l.getMessage()).doesNotContain("lllll");

        // the same values through DETAIL only (native SQL, no entity written)
        DuplicateKeyException viaDetail = (DuplicateKeyException) inTransactionFailing(emf, em -> em
                .createNativeQuery("insert into account (email, name) values (?1, 'n')").setParameter(1, tooLong).executeUpdate());
        assertThat(viaDetail.getKeyValues()).containsExactly(entry("email", tooLong));
        DuplicateKeyException unicodeViaDetail = (DuplicateKeyException) inTransactionFailing(emf, em -> em
                .createNativeQuery("insert into account (email, name) values (?1, 'n')").setParameter(1, unicode).executeUpdate());
        assertThat(unicodeViaDetail.getKeyValues()).containsExactly(entry("email", unicode));
        assertThat(db.queryLong("select count(*) from account")).isEqualTo(2);
    }

    @Test
    void nullsNotDistinctOnPostgreSql15AndLater(TestSchema db) {
        inTransaction(emf, em -> em.persist(new Pair(null, "n")));

        Throwable thrown = inTransactionFailing(emf, em -> em.persist(new Pair(null, "n")), true);

        if (db.database().serverMajor() >= 15) {
            DuplicateKeyException e = (DuplicateKeyException) thrown;
            ExpectedKey.of("pair_ab_uq", "pair", Pair.class, "a", "b").assertNamedBy(e, schema);
            // from the entity: a real null, where DETAIL prints the same "null" for NULL and for the text 'null'
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("a", null);
            expected.put("b", "n");
            assertThat(e.getKeyValues()).containsExactlyEntriesOf(expected);
            assertThat(db.queryLong("select count(*) from pair")).isEqualTo(1);
        } else {
            // NULLs are distinct before 15: the second row is accepted
            assertThat(thrown).isNull();
            assertThat(db.queryLong("select count(*) from pair where a is null and b = 'n'")).isEqualTo(2);
        }
    }

    @Test
    void messageIncludesValuesOnlyWithTheSetting(TestSchema db) {
        inTransaction(valuesEmf, em -> em.persist(new Account("shown@x.org", "Shown")));

        DuplicateKeyException e = (DuplicateKeyException) inTransactionFailing(valuesEmf,
                em -> em.persist(new Account("shown@x.org", "Again")));

        assertThat(e.getMessage()).startsWith("Duplicate key: unique key \"account_email_uq\" on table " + schema
                + ".account (email) = (shown@x.org) is already taken, entity Account (email). " + TAKEN_HINT);
        assertThat(e.getMessage()).contains("[insert into");
        assertThat(e.toString()).contains("shown@x.org");
        assertThat(e.getKeyValues()).containsExactly(entry("email", "shown@x.org"));
        assertThat(db.queryLong("select count(*) from account")).isEqualTo(1);
    }

    @Test
    void otherErrorsAreLeftToHibernate(TestSchema db) {
        Throwable thrown = inTransactionFailing(emf, em -> em
                .createNativeQuery("insert into account (email, name) values (null, repeat('x', 300))").executeUpdate());
        assertThat(thrown).isNotInstanceOf(DuplicateKeyException.class);
        assertThat(DuplicateKeyException.find(thrown)).isEmpty();
        assertThat(db.queryLong("select count(*) from account")).isZero();
    }

    // ---------------------------------------------------------------------------------------------------------------

    static void inTransaction(EntityManagerFactory factory, Consumer<EntityManager> work) {
        Transactions.runInTransaction(factory, work);
    }

    static Throwable inTransactionFailing(EntityManagerFactory factory, Consumer<EntityManager> work) {
        Throwable thrown = inTransactionFailing(factory, work, false);
        assertThat(thrown).as("expected a failure").isNotNull();
        return thrown;
    }

    /** The duplicate that flushing {@code entities}, persisted in this order, ends with. */
    static DuplicateKeyException duplicateAtFlush(EntityManagerFactory factory, Object... entities) {
        Throwable thrown = inTransactionFailing(factory, em -> {
            for (Object entity : entities) {
                em.persist(entity);
            }
            em.flush();
        });
        assertThat(thrown).isInstanceOf(DuplicateKeyException.class);
        return (DuplicateKeyException) thrown;
    }

    /**
     * {@code page}'s duplicate in a JDBC batch: two new members are flushed first, in a batch of their own that
     * succeeds, so the failing batch holds one row of the page table.
     */
    static DuplicateKeyException duplicatePageAfterTwoMembers(EntityManagerFactory batched, Page page) {
        DuplicateKeyException e = duplicateAtFlush(batched, new Member("batch-a@x.org"), new Member("batch-b@x.org"), page);
        assertThat((Object) e.getSQLException()).isInstanceOf(BatchUpdateException.class);
        return e;
    }

    /** Runs {@code work} and commits; returns what the work (not the commit) threw, after rolling back. */
    static Throwable inTransactionFailing(EntityManagerFactory factory, Consumer<EntityManager> work, boolean mayPass) {
        return Transactions.failureOfWork(factory, work, mayPass);
    }
}
