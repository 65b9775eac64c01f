package dev.upsert.sample;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

import dev.upsert.Upsert;

/** Scenario 2: a delivery replayed by the sender is stored once; the first copy wins, later ones are skipped. */
@Entity
@Upsert(on = "eventId", action = Upsert.Action.NOTHING)
class WebhookEvent {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    String eventId;
    String type;
    String payload;
    Instant receivedAt;

    protected WebhookEvent() {
    }

    WebhookEvent(String eventId, String type, String payload, Instant receivedAt) {
        this.eventId = eventId;
        this.type = type;
        this.payload = payload;
        this.receivedAt = receivedAt;
    }
}
