package dev.upsert;

import static dev.upsert.DuplicateKeyModel.MEMBER_EMAIL;
import static dev.upsert.DuplicateKeyModel.PAGE_PKEY;
import static dev.upsert.DuplicateKeyModel.PERSON_EMAIL_LOWER;
import static dev.upsert.ExpectedKey.serverError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.ServerErrorMessage;

import dev.upsert.DuplicateKeyModel.Member;
import dev.upsert.DuplicateKeyModel.Page;
import dev.upsert.DuplicateKeyModel.Person;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.Teardown;

/**
 * A server whose {@code lc_messages} is German or French translates MESSAGE and DETAIL (research A1). The embedded
 * binaries are built without NLS and the test machines have no such locale, so here PostgreSQL itself sends the
 * translated texts: a BEFORE INSERT trigger raises SQLSTATE 23505 with exactly the translated MESSAGE and DETAIL and
 * the real SCHEMA, TABLE and CONSTRAINT fields when the key is taken. Only the severity word ({@code ERROR}, not
 * {@code FEHLER}) and the reporting routine differ from a translated server; the extension reads neither.
 * <p>
 * Everything but values comes from the server's fields, the catalog and the metamodel. Values come from the entity
 * being written when exactly one row of the table was in flight and every key part is one of its columns; otherwise
 * they are empty (unknown), since a translated DETAIL is never parsed.
 */
@PostgresTest
class DuplicateKeyLocalizedDetailIT {

    private static EntityManagerFactory plain;   // no batching
    private static EntityManagerFactory batched; // hibernate.jdbc.batch_size = 10

    @BeforeAll
    static void start(TestSchema db) {
        DuplicateKeyModel.createTables(db);
        db.execute("create unique index person_email_lower_uq on person (lower(email))");
        // the texts of PostgreSQL 15's de and fr message catalogs (postgres-15.mo), as research A1 quotes them
        raiseTranslated(db, "page", "p.tenant_id = new.tenant_id and p.slug = new.slug", "page_pkey",
                "doppelter Schlüsselwert verletzt Unique-Constraint »page_pkey«",
                "format('Schlüssel »(tenant_id, slug)=(%s, %s)« existiert bereits.', new.tenant_id, new.slug)");
        raiseTranslated(db, "member", "p.email = new.email", "member_email_uq",
                "la valeur d''une clé dupliquée rompt la contrainte unique « member_email_uq »",
                "format('La clé « (email)=(%s) » existe déjà.', new.email)");
        raiseTranslated(db, "person", "lower(p.email) = lower(new.email)", "person_email_lower_uq",
                "doppelter Schlüsselwert verletzt Unique-Constraint »person_email_lower_uq«",
                "format('Schlüssel »(lower(email::text))=(%s)« existiert bereits.', lower(new.email))");

        plain = DuplicateKeyModel.boot("localized-plain", db.jpaProperties(), Map.of());
        batched = DuplicateKeyModel.boot("localized-batched", db.jpaProperties(), Map.of("hibernate.jdbc.batch_size", "10"));
    }

    /**
     * A BEFORE INSERT trigger on {@code table} that raises 23505 with the translated {@code message} (SQL text, quotes
     * doubled) and the DETAIL that the SQL expression {@code detail} formats, and the real SCHEMA, TABLE and CONSTRAINT
     * fields, when a row {@code p} of the table matches {@code taken}.
     */
    private static void raiseTranslated(TestSchema db, String table, String taken, String constraint, String message,
                                        String detail) {
        db.execute("""
                create function %1$s_translated() returns trigger language plpgsql as $$
                begin
                  if exists (select 1 from %1$s p where %2$s) then
                    raise exception using errcode = 'unique_violation', message = '%4$s', detail = %5$s,
                      schema = tg_table_schema, table = tg_table_name, constraint = '%3$s';
                  end if;
                  return new;
                end $$;
                create trigger %1$s_translated before insert on %1$s for each row execute function %1$s_translated();
                """.formatted(table, taken, constraint, message, detail));
    }

    @AfterAll
    static void stop() {
        Teardown.closeAll(plain, batched);
    }

    @BeforeEach
    void seed(TestSchema db) {
        db.execute("truncate page, member, person;"
                + "insert into page (tenant_id, slug, title) values (1, 'home', 'first');"
                + "insert into member (id, email) values (-1, 'ann@x.org');"
                + "insert into person (email, handle, deleted) values ('ann@x.org', 'ann', false)");
    }

    @Test
    void germanDetailOnACompositeKeyPersistReportsTheEntitysValues(TestSchema db) {
        DuplicateKeyException e = DuplicateKeyIT.duplicateAtFlush(plain, new Page(1, "home", "again"));

        ServerErrorMessage server = serverError(e);
        assertThat(server.getMessage()).isEqualTo("doppelter Schlüsselwert verletzt Unique-Constraint »page_pkey«");
        assertThat(server.getDetail()).isEqualTo("Schlüssel »(tenant_id, slug)=(1, home)« existiert bereits.");
        PAGE_PKEY.assertNamedBy(e, db.name());
        assertThat(e.getKeyValues()).containsExactly(entry("tenant_id", 1L), entry("slug", "home"));
        assertThat(e.getMessage()).startsWith("Duplicate key: unique key \"page_pkey\" on table " + db.name()
                + ".page (tenant_id, slug) is already taken, entity Page (id.tenantId, id.slug). PostgreSQL has aborted");
        assertThat(db.query("select tenant_id, slug, title from page")).containsExactly(List.of(1L, "home", "first"));
    }

    @Test
    void germanDetailInABatch(TestSchema db) {
        // one row of the table in the failing batch: it is that row
        DuplicateKeyException one = DuplicateKeyIT.duplicatePageAfterTwoMembers(batched, new Page(1, "home", "again"));
        assertThat(serverError(one).getDetail()).startsWith("Schlüssel »");
        PAGE_PKEY.assertNamedBy(one, db.name());
        assertThat(one.getKeyValues()).containsExactly(entry("tenant_id", 1L), entry("slug", "home"));

        // two rows of the table in the failing batch: which one collided only the translated DETAIL says
        DuplicateKeyException two = DuplicateKeyIT.duplicateAtFlush(batched,
                new Page(1, "new", "n"),
                new Page(1, "home", "again"));
        assertThat(serverError(two).getDetail()).isEqualTo("Schlüssel »(tenant_id, slug)=(1, home)« existiert bereits.");
        PAGE_PKEY.assertNamedBy(two, db.name());
        assertThat(two.getKeyValues()).isEmpty();

        assertThat(db.query("select tenant_id, slug, title from page")).containsExactly(List.of(1L, "home", "first"));
        assertThat(db.queryLong("select count(*) from member")).isEqualTo(1);
    }

    @Test
    void frenchDetailOnASingleColumn(TestSchema db) {
        DuplicateKeyException persisted = DuplicateKeyIT.duplicateAtFlush(plain, new Member("ann@x.org"));
        ServerErrorMessage server = serverError(persisted);
        assertThat(server.getMessage())
                .isEqualTo("la valeur d'une clé dupliquée rompt la contrainte unique « member_email_uq »");
        assertThat(server.getDetail()).isEqualTo("La clé « (email)=(ann@x.org) » existe déjà.");
        MEMBER_EMAIL.assertNamedBy(persisted, db.name());
        assertThat(persisted.getKeyValues()).containsExactly(entry("email", "ann@x.org"));

        // native SQL writes no entity: an English DETAIL would give the value, a translated one gives none
        DuplicateKeyException sql = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(plain, em -> em
                .createNativeQuery("insert into member (id, email) values (7, 'ann@x.org')").executeUpdate());
        assertThat(serverError(sql).getDetail()).isEqualTo("La clé « (email)=(ann@x.org) » existe déjà.");
        MEMBER_EMAIL.assertNamedBy(sql, db.name());
        assertThat(sql.getKeyValues()).isEmpty();

        assertThat(db.query("select id, email from member")).containsExactly(List.of(-1L, "ann@x.org"));
    }

    @Test
    void germanDetailOnAnExpressionKeyHasNoValues(TestSchema db) {
        DuplicateKeyException e = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(plain,
                em -> em.persist(new Person("ANN@x.org", "ann2", false)));

        assertThat(serverError(e).getDetail()).isEqualTo("Schlüssel »(lower(email::text))=(ann@x.org)« existiert bereits.");
        PERSON_EMAIL_LOWER.assertNamedBy(e, db.name());
        // the key is lower(email), which the entity does not hold: unknown, not the entity's 'ANN@x.org'
        assertThat(e.getKeyValues()).isEmpty();
        assertThat(db.query("select email from person")).containsExactly(List.of("ann@x.org"));
    }
}
