package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import jakarta.persistence.Entity;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * Foreign keys to upserted rows bind the stored ids: an {@code @Upsert} entity or a plain one that references an
 * {@code @Upsert} type waits for that type's pending upserts, while unrelated {@code @Upsert} types share one batch.
 */
@PostgresTest
class UpsertAssociationIT {

    @Entity @Table(name = "country", uniqueConstraints = @UniqueConstraint(name = "country_code_key", columnNames = "code"))
    @Upsert(on = "code")
    static class Country extends SequenceId {
        String code;
        String name;
        Country() { }
        Country(String code, String name) { this.code = code; this.name = name; }
    }

    @Entity @Table(name = "city", uniqueConstraints = @UniqueConstraint(name = "city_name_key", columnNames = "name"))
    @Upsert(on = "name")
    static class City extends SequenceId {
        String name;
        @ManyToOne @JoinColumn(name = "country_id") Country country;
        City() { }
        City(String name, Country country) { this.name = name; this.country = country; }
    }

    @Entity @Table(name = "visit")
    static class Visit extends SequenceId {
        @ManyToOne @JoinColumn(name = "city_id") City city;
        Visit() { }
        Visit(City city) { this.city = city; }
    }

    @Test
    void foreignKeysBindTheStoredIdsOfUpsertedRows(TestSchema db) {
        try (Jpa jpa = new Jpa(db, Map.of("hibernate.jdbc.batch_size", "50", "hibernate.order_inserts", "true"),
                Country.class, City.class, Visit.class)) {
            long[] seeded = jpa.tx(em -> {
                var fr = new Country("fr", "France");
                var paris = new City("Paris", fr);
                em.persist(fr);
                em.persist(paris);
                em.flush();                                     // ids are read after the flush
                return new long[] {fr.id, paris.id};
            });

            List<Object> ids = jpa.tx(em -> {
                var fr = new Country("fr", "République française");
                var de = new Country("de", "Germany");
                var paris = new City("Paris", fr);
                var berlin = new City("Berlin", de);
                em.persist(fr);
                em.persist(de);
                em.persist(paris);
                em.persist(berlin);
                em.persist(new Visit(paris));
                em.persist(new Visit(berlin));
                em.flush();
                assertThat(fr.id).isEqualTo(seeded[0]);
                assertThat(paris.id).isEqualTo(seeded[1]);
                return List.of(de.id, berlin.id);
            });

            assertThat(db.query("select code, name from country order by code"))
                    .containsExactly(List.of("de", "Germany"), List.of("fr", "République française"));
            assertThat(db.query("select c.name, k.code from city c join country k on k.id = c.country_id order by c.name"))
                    .containsExactly(List.of("Berlin", "de"), List.of("Paris", "fr"));
            assertThat(db.query("select c.id from visit v join city c on c.id = v.city_id order by c.name"))
                    .containsExactly(List.of(ids.get(1)), List.of(seeded[1]));
            assertThat(db.queryLong("select count(*) from city")).isEqualTo(2);
        }
    }
}
