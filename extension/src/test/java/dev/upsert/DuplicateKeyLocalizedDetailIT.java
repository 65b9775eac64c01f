package dev.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import dev.upsert.DuplicateKeyModel.Member;
import dev.upsert.DuplicateKeyModel.Page;
import dev.upsert.DuplicateKeyModel.Person;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PersistenceUnit;

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
        Map<String, Object> settings = new HashMap<>(db.jpaProperties());
        settings.put("jakarta.persistence.schema-generation.database.action", "create");
        PersistenceUnit.create("localized-schema", settings, DuplicateKeyModel.ENTITIES).close();

        // the texts of PostgreSQL 15's de and fr message catalogs (postgres-15.mo), as research A1 quotes them
        db.execute("""
                create unique index person_email_lower_uq on person (lower(email));

                create function page_de() returns trigger language plpgsql as $$
                begin
                  if exists (select 1 from page p where p.tenant_id = new.tenant_id and p.slug = new.slug) then
                    raise exception using errcode = 'unique_violation',
                      message = 'doppelter Schlüsselwert verletzt Unique-Constraint »page_pkey«',
                      detail = format('Schlüssel »(tenant_id, slug)=(%s, %s)« existiert bereits.', new.tenant_id, new.slug),
                      schema = tg_table_schema, table = tg_table_name, constraint = 'page_pkey';
                  end if;
                  return new;
                end $$;
                create trigger page_de before insert on page for each row execute function page_de();

                create function member_fr() returns trigger language plpgsql as $$
                begin
                  if exists (select 1 from member m where m.email = new.email) then
                    raise exception using errcode = 'unique_violation',
                      message = 'la valeur d''une clé dupliquée rompt la contrainte unique « member_email_uq »',
                      detail = format('La clé « (email)=(%s) » existe déjà.', new.email),
                      schema = tg_table_schema, table = tg_table_name, constraint = 'member_email_uq';
                  end if;
                  return new;
                end $$;
                create trigger member_fr before insert on member for each row execute function member_fr();

                create function person_de() returns trigger language plpgsql as $$
                begin
                  if exists (select 1 from person p where lower(p.email) = lower(new.email)) then
                    raise exception using errcode = 'unique_violation',
                      message = 'doppelter Schlüsselwert verletzt Unique-Constraint »person_email_lower_uq«',
                      detail = format('Schlüssel »(lower(email::text))=(%s)« existiert bereits.', lower(new.email)),
                      schema = tg_table_schema, table = tg_table_name, constraint = 'person_email_lower_uq';
                  end if;
                  return new;
                end $$;
                create trigger person_de before insert on person for each row execute function person_de();
                """);

        // built after the index exists: the SessionFactory reads the unique keys of its tables at boot
        settings.put("jakarta.persistence.schema-generation.database.action", "none");
        plain = PersistenceUnit.create("localized-plain", settings, DuplicateKeyModel.ENTITIES);
        settings.put("hibernate.jdbc.batch_size", "10");
        batched = PersistenceUnit.create("localized-batched", settings, DuplicateKeyModel.ENTITIES);
    }

    @AfterAll
    static void stop() {
        if (plain != null) {
            plain.close();
        }
        if (batched != null) {
            batched.close();
        }
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
        DuplicateKeyException e = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(plain, em -> {
            em.persist(new Page(1, "home", "again"));
            em.flush();
        });

        ServerErrorMessage server = server(e);
        assertThat(server.getMessage()).isEqualTo("doppelter Schlüsselwert verletzt Unique-Constraint »page_pkey«");
        assertThat(server.getDetail()).isEqualTo("Schlüssel »(tenant_id, slug)=(1, home)« existiert bereits.");
        assertPage(e, db);
        assertThat(e.getKeyValues()).containsExactly(entry("tenant_id", 1L), entry("slug", "home"));
        assertThat(e.getMessage()).startsWith("Duplicate key: unique key \"page_pkey\" on table " + db.name()
                + ".page (tenant_id, slug) is already taken, entity Page (id.tenantId, id.slug). PostgreSQL has aborted");
        assertThat(db.query("select tenant_id, slug, title from page")).containsExactly(List.of(1L, "home", "first"));
    }

    @Test
    void germanDetailInABatch(TestSchema db) {
        // one row of the table in the failing batch (the members go in a batch of their own): it is that row
        DuplicateKeyException one = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(batched, em -> {
            em.persist(new Member("bob@x.org"));
            em.persist(new Member("cy@x.org"));
            em.persist(new Page(1, "home", "again"));
            em.flush();
        });
        assertThat((Object) one.getSQLException()).isInstanceOf(BatchUpdateException.class);
        assertThat(server(one).getDetail()).startsWith("Schlüssel »");
        assertPage(one, db);
        assertThat(one.getKeyValues()).containsExactly(entry("tenant_id", 1L), entry("slug", "home"));

        // two rows of the table in the failing batch: which one collided only the translated DETAIL says
        DuplicateKeyException two = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(batched, em -> {
            em.persist(new Page(1, "new", "n"));
            em.persist(new Page(1, "home", "again"));
            em.flush();
        });
        assertThat(server(two).getDetail()).isEqualTo("Schlüssel »(tenant_id, slug)=(1, home)« existiert bereits.");
        assertPage(two, db);
        assertThat(two.getKeyValues()).isEmpty();

        assertThat(db.query("select tenant_id, slug, title from page")).containsExactly(List.of(1L, "home", "first"));
        assertThat(db.queryLong("select count(*) from member")).isEqualTo(1);
    }

    @Test
    void frenchDetailOnASingleColumn(TestSchema db) {
        DuplicateKeyException persisted = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(plain, em -> {
            em.persist(new Member("ann@x.org"));
            em.flush();
        });
        ServerErrorMessage server = server(persisted);
        assertThat(server.getMessage())
                .isEqualTo("la valeur d'une clé dupliquée rompt la contrainte unique « member_email_uq »");
        assertThat(server.getDetail()).isEqualTo("La clé « (email)=(ann@x.org) » existe déjà.");
        assertMember(persisted, db);
        assertThat(persisted.getKeyValues()).containsExactly(entry("email", "ann@x.org"));

        // native SQL writes no entity: an English DETAIL would give the value, a translated one gives none
        DuplicateKeyException sql = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(plain, em -> em
                .createNativeQuery("insert into member (id, email) values (7, 'ann@x.org')").executeUpdate());
        assertThat(server(sql).getDetail()).isEqualTo("La clé « (email)=(ann@x.org) » existe déjà.");
        assertMember(sql, db);
        assertThat(sql.getKeyValues()).isEmpty();

        assertThat(db.query("select id, email from member")).containsExactly(List.of(-1L, "ann@x.org"));
    }

    @Test
    void germanDetailOnAnExpressionKeyHasNoValues(TestSchema db) {
        DuplicateKeyException e = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(plain,
                em -> em.persist(new Person("ANN@x.org", "ann2", false)));

        assertThat(server(e).getDetail()).isEqualTo("Schlüssel »(lower(email::text))=(ann@x.org)« existiert bereits.");
        assertThat(e.getConstraintName()).isEqualTo("person_email_lower_uq");
        assertThat(e.getSchemaName()).isEqualTo(db.name());
        assertThat(e.getTableName()).isEqualTo("person");
        assertThat(e.getColumnNames()).containsExactly("lower(email::text)");
        assertThat(e.getEntityClass()).contains(Person.class);
        assertThat(e.getAttributeNames()).containsExactly("email");
        // the key is lower(email), which the entity does not hold: unknown, not the entity's 'ANN@x.org'
        assertThat(e.getKeyValues()).isEmpty();
        assertThat(db.query("select email from person")).containsExactly(List.of("ann@x.org"));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** The fields the server sent, from the driver's exception under Hibernate's. */
    private static ServerErrorMessage server(DuplicateKeyException e) {
        SQLException root = e.getSQLException();
        PSQLException driver = (PSQLException) (root instanceof BatchUpdateException ? root.getNextException() : root);
        ServerErrorMessage server = driver.getServerErrorMessage();
        assertThat(server.getSQLState()).isEqualTo("23505");
        return server;
    }

    private static void assertPage(DuplicateKeyException e, TestSchema db) {
        assertThat(e.getConstraintName()).isEqualTo("page_pkey");
        assertThat(e.getSchemaName()).isEqualTo(db.name());
        assertThat(e.getTableName()).isEqualTo("page");
        assertThat(e.getColumnNames()).containsExactly("tenant_id", "slug");
        assertThat(e.getEntityClass()).contains(Page.class);
        assertThat(e.getAttributeNames()).containsExactly("id.tenantId", "id.slug");
    }

    private static void assertMember(DuplicateKeyException e, TestSchema db) {
        assertThat(e.getConstraintName()).isEqualTo("member_email_uq");
        assertThat(e.getSchemaName()).isEqualTo(db.name());
        assertThat(e.getTableName()).isEqualTo("member");
        assertThat(e.getColumnNames()).containsExactly("email");
        assertThat(e.getEntityClass()).contains(Member.class);
        assertThat(e.getAttributeNames()).containsExactly("email");
    }
}
