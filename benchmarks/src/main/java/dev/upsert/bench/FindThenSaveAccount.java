package dev.upsert.bench;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;


/** Today's JPA practice: look the row up by email, then modify it or persist a new one. */
@Entity
@Table(name = "account")
class FindThenSaveAccount implements AccountEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "account_ids")
    @SequenceGenerator(name = "account_ids", sequenceName = "account_id_seq", allocationSize = 50)
    private Long id;

    @Column(nullable = false)
    private String email;

    @Column(nullable = false)
    private String name;

    private long balance;

    @Column(name = "created_at", nullable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    private OffsetDateTime updatedAt;

    @Override
    public Long getId() {
        return id;
    }

    @Override
    public String getEmail() {
        return email;
    }

    @Override
    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }

    @Override
    public void assign(AccountRow row) {
        email = row.email();
        name = row.name();
        balance = row.balance();
        createdAt = row.createdAt();
        updatedAt = row.updatedAt();
    }

    @Override
    public void update(AccountRow row) {
        name = row.name();
        balance = row.balance();
        updatedAt = row.updatedAt();
    }
}
