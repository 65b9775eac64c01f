package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** Hibernate's own entity with IDENTITY ids, no {@code @Upsert}: W4's plain {@code persist} of new keys, and the native query's unit. */
@Entity
@Table(name = "account")
class PlainIdentityAccount extends IdentityIdAccount {
}
