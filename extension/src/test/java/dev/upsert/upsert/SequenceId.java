package dev.upsert.upsert;

import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;

/**
 * A pooled sequence id, as most test entities have: Hibernate's default for {@code SEQUENCE}, one sequence per entity
 * ({@code <entity>_seq}) drawn in blocks of 50 by the pooled optimizer. (The build copies this file next to the
 * enhanced copies of the lifecycle tests.)
 */
@MappedSuperclass
abstract class SequenceId {
    @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
}
