package dev.upsert.spring.legacy;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

import org.springframework.boot.autoconfigure.SpringBootApplication;

import dev.upsert.Upsert;

/**
 * An application whose {@code @Upsert} target has no unique index in the database: the boot check refuses it unless
 * {@code upsert.validate_schema} is false, which makes it a probe for how that setting can be spelt (and, with the
 * starter, for whether {@code upsert.validate-schema} reaches Hibernate).
 */
@SpringBootApplication
public class LegacyApplication {

    @Entity
    @Upsert(on = "email")
    public static class LegacyAccount {
        @Id @GeneratedValue Long id;
        String email;
    }
}
