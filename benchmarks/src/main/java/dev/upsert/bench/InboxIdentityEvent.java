package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import dev.upsert.Upsert;

/** W3, ours: get-or-create with IDENTITY ids, the strategy most Spring applications use on PostgreSQL. */
@Upsert(on = "eventKey", action = Upsert.Action.NOTHING)
@Entity
@Table(name = "inbox_event")
class InboxIdentityEvent extends IdentityIdInbox {
}
