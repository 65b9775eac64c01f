package dev.upsert.spring.shop;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

import dev.upsert.Upsert;

// tag::entity[]
@Entity
@Upsert(on = "email")
public class Customer {
    @Id @GeneratedValue Long id;
    @Column(unique = true, nullable = false) String email;
    String name;
    // end::entity[]

    protected Customer() {
    }

    public Customer(String email, String name) {
        this.email = email;
        this.name = name;
    }

    public Long getId() {
        return id;
    }
}
