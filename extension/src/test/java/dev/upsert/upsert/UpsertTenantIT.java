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
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.Session;
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
import dev.upsert.testing.jpa.Transactions;

/**
 * {@code @TenantId} (discriminator multi-tenancy): an upsert never reads, updates or hands back another tenant's row.
 * With an email unique across tenants (a global index), a key held by another tenant is a
 * {@link DuplicateKeyException}, for an upsert, a get-or-create and an upsert that skips unchanged rows; with an
 * index on (tenant, email) the conflict target includes the tenant, so each tenant has its own row.
 */
@PostgresTest
class UpsertTenantIT {

    /** Every entity's shape but the tenant-scoped one's: its tenant, an email unique across tenants, a name. */
    @MappedSuperclass
    abstract static class Tenanted {
        @TenantId String tenant;
        @Column(unique = true) String email;
        String name;
        Tenanted() { }
        Tenanted(String email, String name) { this.email = email; this.name = name; }
    }

    /** Email unique across tenants. */
    @Entity @Table(name = "tenant_account") @Upsert(on = "email")
    static class Account extends Tenanted {
        @Id @GeneratedValue Long id;
        Account() { }
        Account(String email, String name) { super(email, name); }
    }

    /** The same with an IDENTITY id: the statement runs at persist, one row. */
    @Entity @Table(name = "tenant_identity_account") @Upsert(on = "email")
    static class IdentityAccount extends Tenanted {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        IdentityAccount() { }
        IdentityAccount(String email, String name) { super(email, name); }
    }

    /** Get-or-create, email unique across tenants. */
    @Entity @Table(name = "tenant_signup") @Upsert(on = "email", action = Upsert.Action.NOTHING)
    static class Signup extends Tenanted {
        @Id @GeneratedValue Long id;
        Signup() { }
        Signup(String email, String name) { super(email, name); }
    }

    /** An upsert that leaves unchanged rows alone (and so reads them back). */
    @Entity @Table(name = "tenant_profile") @Upsert(on = "email", skipUnchanged = true)
    static class Profile extends Tenanted {
        @Id @GeneratedValue Long id;
        Profile() { }
        Profile(String email, String name) { super(email, name); }
    }

    /** Soft-deleted rows come back on an upsert of their key (email unique across tenants): only the own tenant's. */
    @Entity @Table(name = "tenant_soft_account") @Upsert(on = "email") @SoftDelete
    static class SoftAccount extends Tenanted {
        @Id @GeneratedValue Long id;
        SoftAccount() { }
        SoftAccount(String email, String name) { super(email, name); }
    }

    /** The same, get-or-create. */
    @Entity @Table(name = "tenant_soft_signup") @Upsert(on = "email", action = Upsert.Action.NOTHING) @SoftDelete
    static class SoftSignup extends Tenanted {
        @Id @GeneratedValue Long id;
        SoftSignup() { }
        SoftSignup(String email, String name) { super(email, name); }
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
        return Transactions.inTenantTransaction(factory, tenant, work);
    }

    private static UpsertOutcome persist(Session session, Object entity) {
        session.persist(entity);
        session.flush();
        return Upserts.outcome(session, entity).orElseThrow();
    }

    /** Tenant A stores {@code entity} (a new key); returns it. */
    private static <T> T storedByA(T entity) {
        UpsertOutcome inserted = as("A", s -> persist(s, entity));
        assertThat(inserted).isEqualTo(UpsertOutcome.INSERTED);
        return entity;
    }

    /**
     * Tenant B persists {@code intruder}, whose key tenant A's {@code stored} holds: a {@link DuplicateKeyException},
     * and the intruder is handed neither A's id nor A as its tenant. Returns it.
     */
    private static <T extends Tenanted> T takenFromB(T stored, T intruder) {
        Throwable thrown = catchThrowable(() -> as("B", s -> persist(s, intruder)));
        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(jpa.id(intruder)).isNotEqualTo(jpa.id(stored));
        assertThat(intruder.tenant).isNotEqualTo("A");
        return intruder;
    }

    /**
     * Tenant A stores {@code stored} and removes it (a soft delete: the row keeps its key), then tenant B's
     * {@code intruder} of that key is {@link #takenFromB taken}, and A's row stays deleted in {@code table}.
     */
    private static <T extends Tenanted> void softDeletedKeyTakenFromB(T stored, T intruder, String table) {
        storedByA(stored);
        as("A", s -> {
            s.remove(s.find(stored.getClass(), jpa.id(stored)));
            return null;
        });
        takenFromB(stored, intruder);
        assertThat(jpa.db().query("select id, tenant, name, deleted from " + table))
                .containsExactly(List.of(jpa.id(stored), "A", stored.name, true));
    }

    @Test
    void anotherTenantsKeyIsTakenNeverOverwrittenNorHandedBack() {
        Account ann = storedByA(new Account("ann@x.org", "Ann"));
        Account intruder = takenFromB(ann, new Account("ann@x.org", "Mallory"));
        assertThat(intruder.name).isEqualTo("Mallory");
        assertThat(jpa.db().query("select id, tenant, email, name from tenant_account"))
                .containsExactly(List.of(ann.id, "A", "ann@x.org", "Ann"));
    }

    @Test
    void anotherTenantsKeyIsTakenWithAnIdentityId() {
        IdentityAccount ann = storedByA(new IdentityAccount("ann@x.org", "Ann"));
        takenFromB(ann, new IdentityAccount("ann@x.org", "Mallory"));
        assertThat(jpa.db().query("select id, tenant, email, name from tenant_identity_account"))
                .containsExactly(List.of(ann.id, "A", "ann@x.org", "Ann"));
    }

    @Test
    void theOwnTenantsRowsAreStillUpsertedBatchedAndSingle() {
        Account ann = storedByA(new Account("ann@x.org", "Ann"));
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
        Signup ann = storedByA(new Signup("ann@x.org", "Ann"));
        // the own tenant's key: the stored row comes back
        Signup mine = new Signup("ann@x.org", "ignored");
        UpsertOutcome skipped = as("A", s -> persist(s, mine));
        assertThat(skipped).isEqualTo(UpsertOutcome.SKIPPED);
        assertThat(mine.id).isEqualTo(ann.id);
        assertThat(mine.name).isEqualTo("Ann");

        Signup intruder = takenFromB(ann, new Signup("ann@x.org", "Mallory"));
        assertThat(intruder.name).isEqualTo("Mallory");
        assertThat(jpa.db().query("select id, tenant, name from tenant_signup")).containsExactly(List.of(ann.id, "A", "Ann"));
    }

    @Test
    void anUnchangedRowOfAnotherTenantIsNotReadBack() {
        Profile ann = storedByA(new Profile("ann@x.org", "Ann"));
        takenFromB(ann, new Profile("ann@x.org", "Ann"));
        assertThat(jpa.db().query("select id, tenant, name from tenant_profile")).containsExactly(List.of(ann.id, "A", "Ann"));
    }

    /** A soft-deleted row still holds its key: another tenant's upsert of it is taken, never a revival of that row. */
    @Test
    void anotherTenantsSoftDeletedRowIsNeitherRevivedNorUpdated() {
        SoftAccount ann = new SoftAccount("ann@x.org", "Ann");
        softDeletedKeyTakenFromB(ann, new SoftAccount("ann@x.org", "Mallory"), "tenant_soft_account");

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
        softDeletedKeyTakenFromB(new SoftSignup("ann@x.org", "Ann"), new SoftSignup("ann@x.org", "Mallory"), "tenant_soft_signup");
    }

    /** Its own SessionFactory: before the fix, boot refused it (advising a global index on email). */
    @Test
    void aTenantScopedIndexIsTheConflictTarget(TestSchema schema) {
        try (Jpa scoped = new Jpa(schema, Member.class)) {
            Member ann = new Member("ann@x.org", "Ann");
            as(scoped.factory, "A", s -> persist(s, ann));

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
