package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import dev.upsert.Upsert;

/** Ours, identity ids (drawn in blocks from the column's sequence by the upsert statement). */
@Upsert(on = "email")
@Entity
@Table(name = "account")
class UpsertIdentityAccount extends IdentityIdAccount {
}
