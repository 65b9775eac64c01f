package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.MapsId;
import jakarta.persistence.OneToOne;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.upsert.Upsert;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * Children whose id is derived from an upserted parent ({@code @MapsId}) take the parent's stored id, whether its key
 * existed (the id proposed at persist is then no row's) or not: a profile sharing its customer's id, and a membership
 * whose composite id holds it. Written as a sign-up service would be: persist the customer, then what hangs off it.
 */
@PostgresTest
class UpsertDerivedIdIT {

    @Entity(name = "DiCustomer") @Table(name = "di_customer", uniqueConstraints = @UniqueConstraint(name = "di_customer_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class Customer {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "di_customer_ids")
        @SequenceGenerator(name = "di_customer_ids", sequenceName = "di_customer_ids", allocationSize = 50)
        Long id;
        String email;
        String name;

        Customer() {
        }

        Customer(String email, String name) {
            this.email = email;
            this.name = name;
        }
    }

    /** One-to-one sharing the customer's primary key. */
    @Entity(name = "DiProfile") @Table(name = "di_profile")
    static class Profile {
        @Id Long id;
        @MapsId @OneToOne @JoinColumn(name = "customer_id") Customer customer;
        String bio;

        Profile() {
        }

        Profile(Customer customer, String bio) {
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
        @MapsId("customerId") @ManyToOne @JoinColumn(name = "customer_id") Customer customer;

        Membership() {
        }

        Membership(Customer customer, String club) {
            this.id = new MembershipId(club);
            this.customer = customer;
        }
    }

    static TestSchema db;
    static Jpa jpa;

    @BeforeAll
    static void boot(TestSchema schema) {
        db = schema;
        jpa = new Jpa(schema, Map.of("hibernate.jdbc.batch_size", "20"), Customer.class, Profile.class, Membership.class);
    }

    @AfterAll
    static void close() {
        jpa.close();
    }

    private static int counter;

    private static String key(boolean existing) {
        String email = "d" + (++counter) + "@x.org";
        if (existing) {
            jpa.run(em -> em.persist(new Customer(email, "Old")));
        }
        return email;
    }

    private static long customerId(String email) {
        return db.queryLong("select id from di_customer where email = '" + email + "'");
    }

    @ParameterizedTest(name = "key stored: {0}")
    @ValueSource(booleans = {true, false})
    void aProfileSharingTheCustomersIdGetsTheStoredId(boolean existing) {
        String email = key(existing);
        Profile saved = jpa.tx(em -> {
            Customer customer = new Customer(email, "New");
            em.persist(customer);
            Profile profile = new Profile(customer, "likes tea");
            em.persist(profile);
            return profile;
        });
        long stored = customerId(email);
        assertThat(db.query("select customer_id, bio from di_profile where customer_id = " + stored)).hasSize(1);
        assertThat(db.queryLong("select count(*) from di_profile p where not exists (select 1 from di_customer c where c.id = p.customer_id)"))
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
        jpa.run(em -> em.persist(new Profile(new Customer(email, "New"), "persisted alone")));   // Hibernate persists the customer
        long stored = customerId(email);
        assertThat(db.queryValue("select bio from di_profile where customer_id = " + stored)).isEqualTo("persisted alone");
        assertThat(db.queryLong("select count(*) from di_profile")).isEqualTo(db.queryLong(
                "select count(*) from di_profile p join di_customer c on c.id = p.customer_id"));
    }

    @ParameterizedTest(name = "key stored: {0}")
    @ValueSource(booleans = {true, false})
    void aCompositeIdHoldingTheCustomerGetsTheStoredId(boolean existing) {
        String email = key(existing);
        jpa.run(em -> {
            Customer customer = new Customer(email, "New");
            em.persist(customer);
            em.persist(new Membership(customer, "chess"));
            em.persist(new Membership(customer, "rowing"));
        });
        long stored = customerId(email);
        assertThat(db.query("select club from di_membership where customer_id = " + stored + " order by club"))
                .containsExactly(java.util.List.of("chess"), java.util.List.of("rowing"));
        assertThat(db.queryLong("select count(*) from di_membership m where not exists (select 1 from di_customer c where c.id = m.customer_id)"))
                .isZero();
    }
}
