package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.MapsId;
import jakarta.persistence.OneToOne;
import jakarta.persistence.Table;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.upsert.Entities.SequenceAccount;

/**
 * Children whose id is derived from an upserted parent ({@code @MapsId}) take the parent's stored id, whether its key
 * existed (the id proposed at persist is then no row's) or not: a profile sharing its customer's id, and a membership
 * whose composite id holds it. Written as a sign-up service would be: persist the customer, then what hangs off it.
 * The customer is the suite's account with sequence ids ({@link Entities.SequenceAccount}, keyed by email).
 */
@PostgresTest
class UpsertDerivedIdIT {

    /** One-to-one sharing the customer's primary key. */
    @Entity(name = "DiProfile") @Table(name = "di_profile")
    static class Profile {
        @Id Long id;
        @MapsId @OneToOne @JoinColumn(name = "customer_id") SequenceAccount customer;
        String bio;

        Profile() {
        }

        Profile(SequenceAccount customer, String bio) {
            this.customer = customer;
            this.bio = bio;
        }
    }

    @Embeddable
    static class MembershipId implements Serializable {
        Long customerId;
        String club;

        MembershipId() {
        }

        MembershipId(String club) {
            this.club = club;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MembershipId other && Objects.equals(customerId, other.customerId) && Objects.equals(club, other.club);
        }

        @Override
        public int hashCode() {
            return Objects.hash(customerId, club);
        }
    }

    /** Many-to-one whose column is part of a composite id. */
    @Entity(name = "DiMembership") @Table(name = "di_membership")
    static class Membership {
        @EmbeddedId MembershipId id;
        @MapsId("customerId") @ManyToOne @JoinColumn(name = "customer_id") SequenceAccount customer;

        Membership() {
        }

        Membership(SequenceAccount customer, String club) {
            this.id = new MembershipId(club);
            this.customer = customer;
        }
    }

    static TestSchema db;
    static Jpa jpa;

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        jpa = new Jpa(schema, Map.of("hibernate.jdbc.batch_size", "20"), SequenceAccount.class, Profile.class, Membership.class);
    }

    @AfterAll
    static void close() {
        jpa.close();
    }

    private static int counter;

    private static String key(boolean existing) {
        String email = "d" + (++counter) + "@x.org";
        if (existing) {
            jpa.run(em -> em.persist(new SequenceAccount(email, "Old", "signup")));
        }
        return email;
    }

    private static long customerId(String email) {
        return db.queryLong("select id from account_seq where email = '" + email + "'");
    }

    @ParameterizedTest(name = "key stored: {0}")
    @ValueSource(booleans = {true, false})
    void aProfileSharingTheCustomersIdGetsTheStoredId(boolean existing) {
        String email = key(existing);
        Profile saved = jpa.tx(em -> {
            SequenceAccount customer = new SequenceAccount(email, "New", "signup");
            em.persist(customer);
            Profile profile = new Profile(customer, "likes tea");
            em.persist(profile);
            return profile;
        });
        long stored = customerId(email);
        assertThat(db.query("select customer_id, bio from di_profile where customer_id = " + stored)).hasSize(1);
        assertThat(db.queryLong("select count(*) from di_profile p where not exists (select 1 from account_seq c where c.id = p.customer_id)"))
                .as("profiles of no customer").isZero();
        assertThat(saved.id).isEqualTo(stored);
        assertThat(saved.customer.id).isEqualTo(stored);
        // the next unit of work finds the profile by the customer's id
        String bio = jpa.tx(em -> em.find(Profile.class, stored).bio);
        assertThat(bio).isEqualTo("likes tea");
    }

    @ParameterizedTest(name = "key stored: {0}")
    @ValueSource(booleans = {true, false})
    void aProfilePersistedAloneUpsertsItsCustomerAndGetsTheStoredId(boolean existing) {
        String email = key(existing);
        jpa.run(em -> em.persist(new Profile(new SequenceAccount(email, "New", "signup"), "persisted alone")));   // Hibernate persists the customer
        long stored = customerId(email);
        assertThat(db.queryValue("select bio from di_profile where customer_id = " + stored)).isEqualTo("persisted alone");
        assertThat(db.queryLong("select count(*) from di_profile")).isEqualTo(db.queryLong(
                "select count(*) from di_profile p join account_seq c on c.id = p.customer_id"));
    }

    @ParameterizedTest(name = "key stored: {0}")
    @ValueSource(booleans = {true, false})
    void aCompositeIdHoldingTheCustomerGetsTheStoredId(boolean existing) {
        String email = key(existing);
        jpa.run(em -> {
            SequenceAccount customer = new SequenceAccount(email, "New", "signup");
            em.persist(customer);
            em.persist(new Membership(customer, "chess"));
            em.persist(new Membership(customer, "rowing"));
        });
        long stored = customerId(email);
        assertThat(db.query("select club from di_membership where customer_id = " + stored + " order by club"))
                .containsExactly(java.util.List.of("chess"), java.util.List.of("rowing"));
        assertThat(db.queryLong("select count(*) from di_membership m where not exists (select 1 from account_seq c where c.id = m.customer_id)"))
                .isZero();
    }
}
