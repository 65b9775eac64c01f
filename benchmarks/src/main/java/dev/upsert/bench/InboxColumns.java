package dev.upsert.bench;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;

/** The columns of table {@code inbox_event} other than the id, shared by the W3 entities. */
@MappedSuperclass
abstract class InboxColumns implements InboxEntity {

    @Column(name = "event_key", nullable = false, updatable = false)
    String eventKey;

    @Column(nullable = false, updatable = false)
    String payload;

    @Override
    public String getEventKey() {
        return eventKey;
    }

    @Override
    public void assign(InboxEvent event) {
        eventKey = event.key();
        payload = event.payload();
    }
}
