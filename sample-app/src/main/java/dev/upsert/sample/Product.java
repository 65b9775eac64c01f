package dev.upsert.sample;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;

import dev.upsert.Upsert;

/**
 * Scenario 7: a catalogue imported by SKU. The id comes from a sequence, not from the insert, so Hibernate can send
 * the upserts in batches.
 */
@Entity
@Upsert(on = "sku")
class Product {
    @Id
    @GeneratedValue(generator = "product_seq")
    @SequenceGenerator(name = "product_seq", sequenceName = "product_seq", allocationSize = 50)
    Long id;
    String sku;
    String name;
    BigDecimal price;
    Instant updatedAt;

    protected Product() {
    }

    Product(String sku, String name, BigDecimal price, Instant updatedAt) {
        this.sku = sku;
        this.name = name;
        this.price = price;
        this.updatedAt = updatedAt;
    }
}
