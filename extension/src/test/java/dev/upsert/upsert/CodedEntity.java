package dev.upsert.upsert;

import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;

/**
 * The entity shape several feature tests share: an IDENTITY id, a code and a name.
 * Each entity adds its table with the code's unique key, its {@code @Upsert} and the feature under test.
 */
@MappedSuperclass
abstract class CodedEntity {
    @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    String code;
    String name;
    CodedEntity() { }
    CodedEntity(String code, String name) { this.code = code; this.name = name; }
}
