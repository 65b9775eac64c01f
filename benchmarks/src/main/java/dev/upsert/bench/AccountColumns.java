package dev.upsert.bench;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;

/**
 * The columns of table {@code account} other than the id, shared by every entity contender: they differ only in
 * how the id is generated and how the insert is written. Hibernate binds these attributes alphabetically
 * (balance, created_at, email, name, updated_at), which {@link SqlInsertAccount}'s hand-written SQL relies on.
 */
@MappedSuperclass
abstract class AccountColumns implements AccountEntity {

    @Column(nullable = false)
    String email;

    @Column(nullable = false)
    String name;

    long balance;

    @Column(name = "created_at", nullable = false, updatable = false)
    OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    OffsetDateTime updatedAt;

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
}
