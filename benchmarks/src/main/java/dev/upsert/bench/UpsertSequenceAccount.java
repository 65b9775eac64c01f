package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import dev.upsert.Upsert;

/** Ours, sequence ids (pooled, 50 per round trip): statements are batched. */
@Upsert(on = "email")
@Entity
@Table(name = "account")
class UpsertSequenceAccount extends SequenceIdAccount {
}
