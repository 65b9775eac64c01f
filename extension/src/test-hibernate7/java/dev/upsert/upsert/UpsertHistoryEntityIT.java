package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * Hibernate 7.4's temporal entities ({@code @org.hibernate.annotations.Temporal}, incubating) keep a history of
 * each row that the upsert would not write: refused at boot. 7.2 and 7.3, which run these class files too, have no
 * such annotation: there the entity is a plain one and boots.
 */
@PostgresTest
class UpsertHistoryEntityIT {

    @Entity @Table(name = "hist_price", uniqueConstraints = @UniqueConstraint(columnNames = "sku"))
    @Upsert(on = "sku") @org.hibernate.annotations.Temporal
    static class Price {
        @Id @GeneratedValue Long id;
        String sku;
        long cents;
    }

    @Test
    void aTemporalEntityIsRefusedAtBoot(TestSchema db) {
        Throwable thrown = catchThrowable(() -> new Jpa(db, Price.class).close());
        if (historyAnnotationExists()) {
            assertThat(thrown).isNotNull();
            assertThat(thrown).hasStackTraceContaining("@Upsert on Price: @Temporal (Hibernate's own history of each row) is not "
                    + "supported: the upsert writes the current row only");
        } else {
            assertThat(thrown).isNull();
        }
    }

    private static boolean historyAnnotationExists() {
        try {
            Class.forName("org.hibernate.annotations.Temporal");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
