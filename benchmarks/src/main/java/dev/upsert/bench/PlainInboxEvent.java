package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** W3, the usual recipe: a plain entity; a duplicate fails with 23505 and the existing row is looked up. */
@Entity
@Table(name = "inbox_event")
class PlainInboxEvent extends InboxColumns {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Override
    public Long getId() {
        return id;
    }
}
