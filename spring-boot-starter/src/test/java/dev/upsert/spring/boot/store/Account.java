package dev.upsert.spring.boot.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

import dev.upsert.Upsert;

@Entity
@Upsert(on = "email")
public class Account {
    @Id @GeneratedValue Long id;
    @Column(unique = true, nullable = false) String email;
    String name;

    protected Account() {
    }

    public Account(String email, String name) {
        this.email = email;
        this.name = name;
    }

    public Long getId() {
        return id;
    }
}
