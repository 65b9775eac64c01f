package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.upsert.Upsert;

/** Ours, identity ids: the insert returns the id, so Hibernate sends one statement per persist. */
@Upsert(on = "email")
@Entity
@Table(name = "account")
class UpsertIdentityAccount extends AccountColumns {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Override
    public Long getId() {
        return id;
    }
}
