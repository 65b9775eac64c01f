package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** W3, the usual recipe: a plain entity; a duplicate fails with 23505 and the existing row is looked up. */
@Entity
@Table(name = "inbox_event")
class PlainInboxEvent extends IdentityIdInbox {
}
