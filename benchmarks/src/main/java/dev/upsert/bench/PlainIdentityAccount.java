package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Hibernate's own entity with IDENTITY ids, no {@code @Upsert}: W4's plain {@code persist} of new keys, and the native query's unit. */
@Entity
@Table(name = "account")
class PlainIdentityAccount extends AccountColumns {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Override
    public Long getId() {
        return id;
    }
}
