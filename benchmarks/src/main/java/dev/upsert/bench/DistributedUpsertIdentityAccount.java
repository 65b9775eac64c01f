package dev.upsert.bench;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import dev.upsert.Upsert;

/** {@code --citus}, ours with IDENTITY ids: the distributed table's key is {@code (tenant_id, email)}. */
@Upsert(on = {"tenantId", "email"})
@Entity
@Table(name = "account")
class DistributedUpsertIdentityAccount extends IdentityIdAccount {

    @Column(name = "tenant_id", nullable = false, updatable = false)
    long tenantId;

    @Override
    public void assign(AccountRow row) {
        super.assign(row);
        tenantId = row.tenantId();
    }
}
