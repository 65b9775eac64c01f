package dev.upsert.internal.exception;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.engine.jdbc.spi.SqlExceptionHelper;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyException;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/** SessionFactories sharing one service registry share one SqlExceptionHelper: wrapped once, unwrapped at the end. */
@PostgresTest
class DuplicateKeyIntegratorIT {

    @Entity(name = "Tag")
    @Table(name = "tag", uniqueConstraints = @UniqueConstraint(name = "tag_label_uq", columnNames = "label"))
    static class Tag {
        @Id Long id;
        String label;

        Tag() {
        }

        Tag(long id, String label) {
            this.id = id;
            this.label = label;
        }
    }

    @BeforeEach
    void table(TestSchema db) {
        db.execute("create table if not exists tag (id bigint primary key, label text constraint tag_label_uq unique)");
    }

    /** Hibernate's native bootstrap into the test schema, {@code setting} = {@code value} on top. */
    private static StandardServiceRegistry registry(TestSchema db, String setting, String value) {
        return new StandardServiceRegistryBuilder()
                .applySetting("hibernate.connection.url", db.jdbcUrl())
                .applySetting("hibernate.connection.username", db.user())
                .applySetting("hibernate.connection.password", db.password())
                .applySetting("hibernate.default_schema", db.name())
                .applySetting(setting, value)
                .build();
    }

    private static SessionFactory tags(StandardServiceRegistry registry) {
        return new MetadataSources(registry).addAnnotatedClass(Tag.class).buildMetadata().buildSessionFactory();
    }

    @Test
    void wrapsOncePerHelperAndHandsEverythingElseOn(TestSchema db) {
        // Envers (on the test class path for UpsertEnversIT) allows one metadata build per registry; two here
        StandardServiceRegistry registry = registry(db, "hibernate.integration.envers.enabled", "false");
        try {
            SessionFactory first = tags(registry);
            SessionFactory second = tags(registry);
            SqlExceptionHelper helper = first.unwrap(SessionFactoryImplementor.class).getJdbcServices().getSqlExceptionHelper();
            assertThat(second.unwrap(SessionFactoryImplementor.class).getJdbcServices().getSqlExceptionHelper()).isSameAs(helper);
            DuplicateKeyConverter converter = (DuplicateKeyConverter) helper.getSqlExceptionConverter();
            assertThat(converter.original()).isNotInstanceOf(DuplicateKeyConverter.class);

            first.inTransaction(s -> s.persist(new Tag(1, "red")));
            Throwable thrown = catchThrowable(() -> second.inTransaction(s -> s.persist(new Tag(2, "red"))));
            DuplicateKeyException e = DuplicateKeyException.find(thrown).orElseThrow();
            assertThat(e.getConstraintName()).isEqualTo("tag_label_uq");
            assertThat(e.getEntityClass()).contains(Tag.class);
            assertThat(e.getAttributeNames()).containsExactly("label");
            assertThat(e.getKeyValues()).containsExactly(entry("label", "red"));
            assertThat(DuplicateKeyWrites.size()).isZero();

            // a primary key is a unique key too; a not-null violation is not ours
            Throwable pk = catchThrowable(() -> second.inTransaction(s -> s.persist(new Tag(1, "blue"))));
            assertThat(DuplicateKeyException.find(pk).orElseThrow().getColumnNames()).containsExactly("id");
            Throwable notNull = catchThrowable(() -> first.inTransaction(s -> s.createNativeMutationQuery(
                    "insert into tag (id, label) values (null, 'x')").executeUpdate()));
            assertThat(notNull).isInstanceOf(org.hibernate.exception.ConstraintViolationException.class)
                    .isNotInstanceOf(DuplicateKeyException.class);
            assertThat(DuplicateKeyException.find(notNull)).isEmpty();

            first.close();
            assertThat(helper.getSqlExceptionConverter()).isSameAs(converter);
            Throwable afterClose = catchThrowable(() -> second.inTransaction(s -> s.persist(new Tag(3, "red"))));
            assertThat(DuplicateKeyException.find(afterClose).orElseThrow().getEntityClass()).contains(Tag.class);
            second.close();
            assertThat(helper.getSqlExceptionConverter()).isSameAs(converter.original());
            assertThat(db.query("select id, label from tag where id < 100")).containsExactly(List.of(1L, "red"));
        } finally {
            StandardServiceRegistryBuilder.destroy(registry);
        }
    }

    @Test
    void successfulWritesLeaveNothingBehindOnTheThread(TestSchema db) {
        StandardServiceRegistry registry = registry(db, "hibernate.jdbc.batch_size", "5");
        try (SessionFactory sf = tags(registry)) {
            sf.inTransaction(s -> {
                for (int i = 100; i < 112; i++) {
                    s.persist(new Tag(i, "t" + i));
                }
                s.flush();
                assertThat(DuplicateKeyWrites.size()).isZero();
                s.find(Tag.class, 100L).label = "changed";
            });
            assertThat(DuplicateKeyWrites.size()).isZero();
            assertThat(db.queryLong("select count(*) from tag where id >= 100")).isEqualTo(12);
            assertThat(db.queryValue("select label from tag where id = 100")).isEqualTo("changed");
        } finally {
            StandardServiceRegistryBuilder.destroy(registry);
        }
    }
}
