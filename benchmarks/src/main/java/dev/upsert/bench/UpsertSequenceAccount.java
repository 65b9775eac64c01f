package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import dev.upsert.Upsert;

/** Ours, sequence ids (pooled, 50 per round trip): statements are batched. */
@Upsert(on = "email")
@Entity
@Table(name = "account")
class UpsertSequenceAccount extends AccountColumns {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "account_ids")
    @SequenceGenerator(name = "account_ids", sequenceName = "account_id_seq", allocationSize = 50)
    private Long id;

    @Override
    public Long getId() {
        return id;
    }
}
