package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.CurrentTimestamp;
import org.hibernate.annotations.Formula;
import org.hibernate.annotations.Generated;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.SourceType;
import org.hibernate.generator.EventType;
import org.hibernate.type.SqlTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.PostgresTest;

/**
 * Mapping features that change the SQL Hibernate writes are honoured in the upsert as in Hibernate's own insert and
 * update, and what the database computed is written back into the entity.
 */
@PostgresTest
class UpsertMappingFeaturesIT {

    /** Defect 9: the canonical upsert, {@code last_login = now()} on insert and on conflict; both id kinds below. */
    @MappedSuperclass
    abstract static class Login {
        String email;
        String name;
        @CurrentTimestamp(source = SourceType.DB) @Column(name = "last_login", nullable = false) Instant lastLogin;
        Login() { }
        Login(String email, String name) { this.email = email; this.name = name; }
    }

    @Entity @Table(name = "login_user", uniqueConstraints = @UniqueConstraint(columnNames = "email"))
    @Upsert(on = "email")
    static class LoginUser extends Login {
        @Id @GeneratedValue UUID id;
        LoginUser() { }
        LoginUser(String email, String name) { super(email, name); }
    }

    /** The same with an IDENTITY id: the statement runs at persist, one row. */
    @Entity @Table(name = "login_user_identity", uniqueConstraints = @UniqueConstraint(columnNames = "email"))
    @Upsert(on = "email")
    static class IdentityLoginUser extends Login {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        IdentityLoginUser() { }
        IdentityLoginUser(String email, String name) { super(email, name); }
    }

    /**
     * Defect 3 and the rest: write expressions on the key and on a jsonb column, a JSON attribute, values generated
     * by SQL on insert only and on insert and update, a generated column and a formula.
     */
    @Entity @Table(name = "doc", uniqueConstraints = @UniqueConstraint(columnNames = "email"))
    @Upsert(on = "email")
    static class Doc {
        @Id @GeneratedValue UUID id;
        @ColumnTransformer(write = "lower(?)") String email;
        String name;
        @ColumnTransformer(write = "?::jsonb") @Column(columnDefinition = "jsonb") String body;
        @ColumnTransformer(read = "convert_from(decode(secret, 'base64'), 'UTF8')", write = "encode(convert_to(?, 'UTF8'), 'base64')")
        String secret;
        @JdbcTypeCode(SqlTypes.JSON) Map<String, Object> attributes;
        @Generated(event = EventType.INSERT, sql = "'created-by-insert'") @Column(name = "created_note") String createdNote;
        @Generated(event = {EventType.INSERT, EventType.UPDATE}, sql = "txid_current()") @Column(name = "written_by") Long writtenBy;
        @Generated(event = {EventType.INSERT, EventType.UPDATE})
        @Column(columnDefinition = "text generated always as (name || ' <' || email || '>') stored", insertable = false, updatable = false)
        String display;
        @Formula("length(name)") Integer nameLength;
        Doc() { }
        Doc(String email, String name, String body, Map<String, Object> attributes) {
            this.email = email; this.name = name; this.body = body; this.attributes = attributes; this.secret = "s3cret " + name;
        }
    }

    /** {@code skipUnchanged}: an untouched row is read back; its key went through a write expression. */
    @Entity @Table(name = "doc_skip", uniqueConstraints = @UniqueConstraint(columnNames = "email"))
    @Upsert(on = "email", skipUnchanged = true)
    static class SkipDoc {
        @Id @GeneratedValue UUID id;
        @ColumnTransformer(write = "lower(?)") String email;
        String name;
        @CurrentTimestamp(source = SourceType.DB) Instant touched;
        SkipDoc() { }
        SkipDoc(String email, String name) { this.email = email; this.name = name; }
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "50"),
            LoginUser.class, IdentityLoginUser.class, Doc.class, SkipDoc.class);

    @Test
    void currentTimestampFromTheDatabaseIsWrittenOnInsertAndOnConflictAndComesBack() {
        LoginUser first = jpa.upserted(new LoginUser("ann@x.org", "Ann"), UpsertOutcome.INSERTED);
        assertThat(first.lastLogin).isEqualTo(storedInstant("select last_login from login_user"));
        LoginUser second = jpa.upsertedOver(first, new LoginUser("ann@x.org", "Ann B"), UpsertOutcome.UPDATED);
        assertThat(second.lastLogin).isAfter(first.lastLogin)
                .isEqualTo(storedInstant("select last_login from login_user"));
        assertThat(jpa.db().query("select name from login_user")).containsExactly(List.of("Ann B"));
    }

    @Test
    void currentTimestampFromTheDatabaseWithAnIdentityId() {
        IdentityLoginUser first = jpa.persisted(new IdentityLoginUser("bob@x.org", "Bob"));
        // IDENTITY ids are batched: the upsert runs at the flush, like a sequence id's
        IdentityLoginUser second = jpa.upsertedOver(first, new IdentityLoginUser("bob@x.org", "Bob B"), UpsertOutcome.UPDATED);
        assertThat(second.lastLogin).isAfter(first.lastLogin)
                .isEqualTo(storedInstant("select last_login from login_user_identity"));
    }

    @Test
    void writeExpressionsJsonGeneratedValuesGeneratedColumnsAndFormulas() {
        Doc first = jpa.upserted(new Doc("Ann@X.org", "Ann", "{\"v\": 1}", Map.of("tier", "gold")), UpsertOutcome.INSERTED);
        assertThat(first.email).isEqualTo("ann@x.org");                   // lower(?) ran; the stored value came back
        assertThat(first.createdNote).isEqualTo("created-by-insert");
        assertThat(first.display).isEqualTo("Ann <ann@x.org>");
        long firstTx = first.writtenBy;

        Doc second = jpa.upsertedOver(first, new Doc("ANN@x.ORG", "Ann B", "{\"v\": 2}", Map.of("tier", "silver")), UpsertOutcome.UPDATED);
        assertThat(second.email).isEqualTo("ann@x.org");
        assertThat(second.createdNote).isEqualTo("created-by-insert");      // generated on insert only: kept
        assertThat(second.writtenBy).isNotEqualTo(firstTx);                 // generated on update: ran in DO UPDATE
        assertThat(second.display).isEqualTo("Ann B <ann@x.org>");
        assertThat(second.attributes).containsEntry("tier", "silver");
        assertThat(second.secret).isEqualTo("s3cret Ann B");                // read back through the read expression
        assertThat(jpa.db().queryValue("select secret from doc")).isEqualTo("czNjcmV0IEFubiBC");
        assertThat(second.nameLength).isNull();                              // as after Hibernate's own insert
        assertThat(jpa.db().query("select email, name, body::text, attributes ->> 'tier', created_note, written_by, display from doc"))
                .containsExactly(List.of("ann@x.org", "Ann B", "{\"v\": 2}", "silver", "created-by-insert", second.writtenBy,
                        "Ann B <ann@x.org>"));
        Doc loaded = jpa.tx(em -> em.find(Doc.class, first.id));
        assertThat(loaded.nameLength).isEqualTo(5);
    }

    @Test
    void anUntouchedRowIsReadBackThroughTheWriteExpressionOfItsKey() {
        SkipDoc first = jpa.persisted(new SkipDoc("Cy@X.org", "Cy"));
        SkipDoc second = jpa.upsertedOver(first, new SkipDoc("CY@x.org", "Cy"), UpsertOutcome.SKIPPED);
        assertThat(second.email).isEqualTo("cy@x.org");
        assertThat(second.touched).isEqualTo(first.touched).isEqualTo(storedInstant("select touched from doc_skip"));
        assertThat(jpa.db().queryLong("select count(*) from doc_skip")).isEqualTo(1);
    }

    private static Instant storedInstant(String sql) {
        Object value = jpa.db().queryValue(sql);
        return value instanceof OffsetDateTime odt ? odt.toInstant() : ((java.sql.Timestamp) value).toInstant();
    }
}
