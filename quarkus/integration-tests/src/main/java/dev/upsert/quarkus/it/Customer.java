package dev.upsert.quarkus.it;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import io.quarkus.hibernate.orm.panache.PanacheEntity;

import dev.upsert.Upsert;

/** Panache active record; {@code persist()} is one {@code INSERT ... ON CONFLICT (email)}. */
@Entity
@Table(name = "customer", uniqueConstraints = @UniqueConstraint(name = "customer_email_uq", columnNames = "email"))
@Upsert(on = "email")
public class Customer extends PanacheEntity {

    @Column(nullable = false)
    public String email;

    public String name;

    public int visits;

    public static Customer of(String email, String name) {
        Customer customer = new Customer();
        customer.email = email;
        customer.name = name;
        return customer;
    }
}
