/**
 * The Spring Boot starter of upsert-hibernate: {@link dev.upsert.spring.boot.UpsertProperties} ({@code upsert.*}),
 * {@link dev.upsert.spring.boot.UpsertAutoConfiguration} (settings into Hibernate, Spring's
 * {@code DuplicateKeyException} for a duplicate key) and {@link dev.upsert.spring.boot.UpsertMetricsAutoConfiguration}
 * (Micrometer). Nothing here is called by application code: the dependency is the whole set-up.
 */
package dev.upsert.spring.boot;
