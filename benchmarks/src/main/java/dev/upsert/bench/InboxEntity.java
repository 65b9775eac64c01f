package dev.upsert.bench;

/** What W3 needs from each inbox entity class (all map table {@code inbox_event}). */
interface InboxEntity {

    Long getId();

    String getEventKey();

    void assign(InboxEvent event);
}
