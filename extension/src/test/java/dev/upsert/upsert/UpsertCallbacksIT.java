package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.persistence.Entity;
import jakarta.persistence.EntityListeners;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostPersist;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.upsert.Upsert;
import dev.upsert.testing.PostgresTest;

/**
 * JPA's {@code @PostPersist} declared on an entity listener class ({@code @EntityListeners}), not on the entity, runs
 * once per persist after the stored row is written back, with the stored id, whether the row was inserted or updated;
 * an entity without callbacks upserts the same rows, with nothing told.
 */
@PostgresTest
class UpsertCallbacksIT {

    /** What the listener saw: the email and the id the entity held when {@code @PostPersist} ran. */
    static final List<List<Object>> HEARD = new ArrayList<>();

    public static class Audit {
        @PostPersist
        void persisted(Object entity) {
            Listened listened = (Listened) entity;
            HEARD.add(List.of(listened.email, listened.id == null ? "null" : listened.id));
        }
    }

    /** The key and a value; each entity below adds its id. */
    @MappedSuperclass
    abstract static class Named {
        String email;
        String name;
    }

    @Entity(name = "Listened")
    @Table(name = "listened", uniqueConstraints = @UniqueConstraint(name = "listened_email_key", columnNames = "email"))
    @EntityListeners(Audit.class)
    @Upsert(on = "email")
    static class Listened extends Named {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "listened_ids")
        @SequenceGenerator(name = "listened_ids", sequenceName = "listened_ids", allocationSize = 50)
        Long id;
    }

    /** No callbacks anywhere. */
    @Entity(name = "Unheard")
    @Table(name = "unheard", uniqueConstraints = @UniqueConstraint(name = "unheard_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class Unheard extends Named {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "unheard_ids")
        @SequenceGenerator(name = "unheard_ids", sequenceName = "unheard_ids", allocationSize = 50)
        Long id;
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "20"), Listened.class, Unheard.class);

    @Test
    void anEntityListenersPostPersistHearsEachUpsertWithTheStoredId() {
        jpa.db().execute("insert into listened (id, email, name) values (7, 'kept@x.org', 'Old')");
        HEARD.clear();
        List<Listened> saved = jpa.tx(em -> {
            List<Listened> all = new ArrayList<>();
            for (String email : List.of("kept@x.org", "new-1@x.org", "new-2@x.org")) {
                Listened entity = new Listened();
                entity.email = email;
                entity.name = "New";
                em.persist(entity);
                all.add(entity);
            }
            assertThat(HEARD).as("nothing before the flush ran the statement").isEmpty();
            return all;
        });

        assertThat(saved.get(0).id).isEqualTo(7L);
        assertThat(HEARD).containsExactlyInAnyOrder(
                List.of("kept@x.org", 7L), List.of("new-1@x.org", saved.get(1).id), List.of("new-2@x.org", saved.get(2).id));
        assertThat(jpa.db().query("select email, name from listened order by email")).containsExactly(
                List.of("kept@x.org", "New"), List.of("new-1@x.org", "New"), List.of("new-2@x.org", "New"));
    }

    @Test
    void anEntityWithoutCallbacksUpsertsAndWritesBackTheSame() {
        jpa.db().execute("insert into unheard (id, email, name) values (9, 'kept@x.org', 'Old')");
        HEARD.clear();
        List<Unheard> saved = jpa.tx(em -> {
            List<Unheard> all = new ArrayList<>();
            for (String email : List.of("kept@x.org", "new@x.org")) {
                Unheard entity = new Unheard();
                entity.email = email;
                entity.name = "New";
                em.persist(entity);
                all.add(entity);
            }
            return all;
        });

        assertThat(HEARD).isEmpty();
        assertThat(saved.get(0).id).isEqualTo(9L);
        assertThat(jpa.db().query("select id, email, name from unheard order by email")).containsExactly(
                List.of(9L, "kept@x.org", "New"), List.of(saved.get(1).id, "new@x.org", "New"));
    }
}
