package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import dev.upsert.Upsert;

/** W3, ours: get-or-create with sequence ids (pooled, 50 per round trip). */
@Upsert(on = "eventKey", action = Upsert.Action.NOTHING)
@Entity
@Table(name = "inbox_event")
class InboxSequenceEvent extends InboxColumns {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "inbox_ids")
    @SequenceGenerator(name = "inbox_ids", sequenceName = "inbox_event_id_seq", allocationSize = 50)
    private Long id;

    @Override
    public Long getId() {
        return id;
    }
}
