/**
 * Boot: the integrators, service contributors and settings Hibernate finds through {@code META-INF/services}, and the validation that fails a misconfigured {@code @Upsert} entity once, with every problem listed. Not API.
 */
package dev.upsert.internal.boot;
