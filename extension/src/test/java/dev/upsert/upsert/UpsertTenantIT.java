package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.TenantId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.upsert.DuplicateKeyException;
import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * {@code @TenantId} (discriminator multi-tenancy): an upsert never reads, updates or hands back another tenant's row.
 * With an email unique across tenants (a global index), a key held by another tenant is a
 * {@link DuplicateKeyException}, for an upsert, a get-or-create and an upsert that skips unchanged rows; with an
 * index on (tenant, email) the conflict target includes the tenant, so each tenant has its own row.
 */
@PostgresTest
class UpsertTenantIT {

    /** Email unique across tenants. */
    @Entity @Table(name = "tenant_account") @Upsert(on = "email")
    static class Account {
        @Id @GeneratedValue Long id;
        @TenantId String tenant;
        @Column(unique = true) String email;
        String name;
        Account() { }
        Account(String email, String name) { this.email = email; this.name = name; }
    }

    /** The same with an IDENTITY id: the statement runs at persist, one row. */
    @Entity @Table(name = "tenant_identity_account") @Upsert(on = "email")
    static class IdentityAccount {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @TenantId String tenant;
        @Column(unique = true) String email;
        String name;
        IdentityAccount() { }
        IdentityAccount(String email, String name) { this.email = email; this.name = name; }
    }

    /** Get-or-create, email unique across tenants. */
    @Entity @Table(name = "tenant_signup") @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class Signup {
        @Id @GeneratedValue Long id;
        @TenantId String tenant;
        @Column(unique = true) String email;
        String name;
        Signup() { }
        Signup(String email, String name) { this.email = email; this.name = name; }
    }

    /** An upsert that leaves unchanged rows alone (and so reads them back). */
    @Entity @Table(name = "tenant_profile") @Upsert(on = "email", skipUnchanged = true)
    static class Profile {
        @Id @GeneratedValue Long id;
        @TenantId String tenant;
        @Column(unique = true) String email;
        String name;
        Profile() { }
        Profile(String email, String name) { this.email = email; this.name = name; }
    }

    /** Soft-deleted rows come back on an upsert of their key (email unique across tenants): only the own tenant's. */
    @Entity @Table(name = "tenant_soft_account") @Upsert(on = "email") @SoftDelete
    static class SoftAccount {
        @Id @GeneratedValue Long id;
        @TenantId String tenant;
        @Column(unique = true) String email;
        String name;
        SoftAccount() { }
        SoftAccount(String email, String name) { this.email = email; this.name = name; }
    }

    /** The same, get-or-create. */
    @Entity @Table(name = "tenant_soft_signup") @Upsert(on = "email", action = Upsert.Action.NOTHING) @SoftDelete
    static class SoftSignup {
        @Id @GeneratedValue Long id;
        @TenantId String tenant;
        @Column(unique = true) String email;
        String name;
        SoftSignup() { }
        SoftSignup(String email, String name) { this.email = email; this.name = name; }
    }

    /** Email unique per tenant: the index is on (tenant, email), the annotation names only the email. */
    @Entity @Table(name = "tenant_member", uniqueConstraints = @UniqueConstraint(columnNames = {"tenant", "email"}))
    @Upsert(on = "email")
    static class Member {
        @Id @GeneratedValue Long id;
        @TenantId String tenant;
        String email;
        String name;
        Member() { }
        Member(String email, String name) { this.email = email; this.name = name; }
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "20"),
            Account.class, IdentityAccount.class, Signup.class, Profile.class, SoftAccount.class, SoftSignup.class);

    @BeforeEach
    void empty(TestSchema db) {
        db.execute("truncate tenant_account, tenant_identity_account, tenant_signup, tenant_profile, tenant_soft_account, tenant_soft_signup");
    }

    private static <T> T as(String tenant, Function<Session, T> work) {
        return as(jpa.factory(), tenant, work);
    }

    private static <T> T as(EntityManagerFactory factory, String tenant, Function<Session, T> work) {
        try (Session session = factory.unwrap(SessionFactory.class).withOptions().tenantIdentifier(tenant).openSession()) {
            session.getTransaction().begin();
            try {
                T result = work.apply(session);
                session.getTransaction().commit();
                return result;
            } finally {
                if (session.getTransaction().isActive()) {
                    session.getTransaction().rollback();
                }
            }
        }
    }

    private static UpsertOutcome persist(Session session, Object entity) {
        session.persist(entity);
        session.flush();
        return Upserts.outcome(session, entity).orElseThrow();
    }

    @Test
    void anotherTenantsKeyIsTakenNeverOverwrittenNorHandedBack() {
        Account ann = as("A", s -> { Account a = new Account("ann@x.org", "Ann"); persist(s, a); return a; });

        Account intruder = new Account("ann@x.org", "Mallory");
        Throwable thrown = catchThrowable(() -> as("B", s -> persist(s, intruder)));

        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(intruder.id).isNotEqualTo(ann.id);
        assertThat(intruder.name).isEqualTo("Mallory");
        assertThat(jpa.db().query("select id, tenant, email, name from tenant_account"))
                .containsExactly(List.of(ann.id, "A", "ann@x.org", "Ann"));
    }

    @Test
    void anotherTenantsKeyIsTakenWithAnIdentityId() {
        IdentityAccount ann = as("A", s -> { IdentityAccount a = new IdentityAccount("ann@x.org", "Ann"); persist(s, a); return a; });

        IdentityAccount intruder = new IdentityAccount("ann@x.org", "Mallory");
        Throwable thrown = catchThrowable(() -> as("B", s -> persist(s, intruder)));

        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(intruder.id).isNotEqualTo(ann.id);
        assertThat(jpa.db().query("select id, tenant, email, name from tenant_identity_account"))
                .containsExactly(List.of(ann.id, "A", "ann@x.org", "Ann"));
    }

    @Test
    void theOwnTenantsRowsAreStillUpsertedBatchedAndSingle() {
        Account ann = as("A", s -> { Account a = new Account("ann@x.org", "Ann"); persist(s, a); return a; });
        as("B", s -> persist(s, new Account("bob@x.org", "Bob")));

        List<Object> again = as("A", s -> {
            Account a = new Account("ann@x.org", "Ann 2");
            Account c = new Account("cy@x.org", "Cy");
            s.persist(a);
            s.persist(c);
            s.flush();
            return List.of(Upserts.outcome(s, a).orElseThrow(), Upserts.outcome(s, c).orElseThrow(), a.id, a.tenant);
        });
        assertThat(again).containsExactly(UpsertOutcome.UPDATED, UpsertOutcome.INSERTED, ann.id, "A");
        assertThat(jpa.db().query("select tenant, email, name from tenant_account order by email")).containsExactly(
                List.of("A", "ann@x.org", "Ann 2"), List.of("B", "bob@x.org", "Bob"), List.of("A", "cy@x.org", "Cy"));
    }

    @Test
    void getOrCreateOfAnotherTenantsKeyIsTakenNeverTheirRow() {
        Signup ann = as("A", s -> { Signup a = new Signup("ann@x.org", "Ann"); persist(s, a); return a; });
        // the own tenant's key: the stored row comes back
        Signup mine = new Signup("ann@x.org", "ignored");
        UpsertOutcome skipped = as("A", s -> persist(s, mine));
        assertThat(skipped).isEqualTo(UpsertOutcome.SKIPPED);
        assertThat(mine.id).isEqualTo(ann.id);
        assertThat(mine.name).isEqualTo("Ann");

        Signup intruder = new Signup("ann@x.org", "Mallory");
        Throwable thrown = catchThrowable(() -> as("B", s -> persist(s, intruder)));

        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(intruder.id).isNotEqualTo(ann.id);
        assertThat(intruder.name).isEqualTo("Mallory");
        assertThat(intruder.tenant).isNotEqualTo("A");
        assertThat(jpa.db().query("select id, tenant, name from tenant_signup")).containsExactly(List.of(ann.id, "A", "Ann"));
    }

    @Test
    void anUnchangedRowOfAnotherTenantIsNotReadBack() {
        Profile ann = as("A", s -> { Profile a = new Profile("ann@x.org", "Ann"); persist(s, a); return a; });

        Profile intruder = new Profile("ann@x.org", "Ann");
        Throwable thrown = catchThrowable(() -> as("B", s -> persist(s, intruder)));

        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(intruder.id).isNotEqualTo(ann.id);
        assertThat(intruder.tenant).isNotEqualTo("A");
        assertThat(jpa.db().query("select id, tenant, name from tenant_profile")).containsExactly(List.of(ann.id, "A", "Ann"));
    }

    /** A soft-deleted row still holds its key: another tenant's upsert of it is taken, never a revival of that row. */
    @Test
    void anotherTenantsSoftDeletedRowIsNeitherRevivedNorUpdated() {
        SoftAccount ann = as("A", s -> { SoftAccount a = new SoftAccount("ann@x.org", "Ann"); persist(s, a); return a; });
        as("A", s -> { s.remove(s.find(SoftAccount.class, ann.id)); return null; });

        SoftAccount intruder = new SoftAccount("ann@x.org", "Mallory");
        Throwable thrown = catchThrowable(() -> as("B", s -> persist(s, intruder)));

        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(intruder.id).isNotEqualTo(ann.id);
        assertThat(jpa.db().query("select id, tenant, name, deleted from tenant_soft_account"))
                .containsExactly(List.of(ann.id, "A", "Ann", true));

        // the own tenant brings it back
        SoftAccount back = new SoftAccount("ann@x.org", "Ann again");
        UpsertOutcome revived = as("A", s -> persist(s, back));
        assertThat(revived).isEqualTo(UpsertOutcome.UPDATED);
        assertThat(back.id).isEqualTo(ann.id);
        assertThat(jpa.db().query("select id, tenant, name, deleted from tenant_soft_account"))
                .containsExactly(List.of(ann.id, "A", "Ann again", false));
    }

    @Test
    void getOrCreateOfAnotherTenantsSoftDeletedKeyIsTakenNeverARevival() {
        SoftSignup ann = as("A", s -> { SoftSignup a = new SoftSignup("ann@x.org", "Ann"); persist(s, a); return a; });
        as("A", s -> { s.remove(s.find(SoftSignup.class, ann.id)); return null; });

        SoftSignup intruder = new SoftSignup("ann@x.org", "Mallory");
        Throwable thrown = catchThrowable(() -> as("B", s -> persist(s, intruder)));

        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(intruder.id).isNotEqualTo(ann.id);
        assertThat(intruder.tenant).isNotEqualTo("A");
        assertThat(jpa.db().query("select id, tenant, name, deleted from tenant_soft_signup"))
                .containsExactly(List.of(ann.id, "A", "Ann", true));
    }

    /** Its own SessionFactory: before the fix, boot refused it (advising a global index on email). */
    @Test
    void aTenantScopedIndexIsTheConflictTarget(TestSchema schema) {
        try (Jpa scoped = new Jpa(schema, Member.class)) {
            Member ann = as(scoped.factory, "A", s -> { Member a = new Member("ann@x.org", "Ann"); persist(s, a); return a; });

            Member other = new Member("ann@x.org", "Ann at B");
            UpsertOutcome inserted = as(scoped.factory, "B", s -> persist(s, other));
            assertThat(inserted).isEqualTo(UpsertOutcome.INSERTED);
            Member again = new Member("ann@x.org", "Ann 2");
            UpsertOutcome updated = as(scoped.factory, "A", s -> persist(s, again));
            assertThat(updated).isEqualTo(UpsertOutcome.UPDATED);

            assertThat(other.id).isNotEqualTo(ann.id);
            assertThat(again.id).isEqualTo(ann.id);
            assertThat(jpa.db().query("select id, tenant, name from tenant_member order by tenant")).containsExactly(
                    List.of(ann.id, "A", "Ann 2"), List.of(other.id, "B", "Ann at B"));
        }
    }
}
