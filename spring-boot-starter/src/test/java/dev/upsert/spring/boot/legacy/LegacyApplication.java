package dev.upsert.spring.boot.legacy;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

import org.springframework.boot.autoconfigure.SpringBootApplication;

import dev.upsert.Upsert;

/**
 * An application whose {@code @Upsert} target has no unique index in the database: the boot check refuses it unless
 * schema validation is off, which makes it a probe for whether {@code upsert.validate-schema} reaches Hibernate.
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
