package dev.upsert.sample;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

import dev.upsert.Upsert;

/** Scenario 3: a slug is unique per tenant, so the conflict target is the pair. */
@Entity
@Upsert(on = {"tenantId", "slug"})
class Page {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    long tenantId;
    String slug;
    String title;

    protected Page() {
    }

    Page(long tenantId, String slug, String title) {
        this.tenantId = tenantId;
        this.slug = slug;
        this.title = title;
    }
}
