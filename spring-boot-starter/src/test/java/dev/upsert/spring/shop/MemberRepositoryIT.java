package dev.upsert.spring.shop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.upsert.DuplicateKeyException;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * A repository test as applications write them, {@code @DataJpaTest} (a slice that loads only the JPA
 * auto-configuration), on the real database: the starter takes part in the slice, so the {@code upsert.*}
 * properties and the translation into Spring's DuplicateKeyException hold there as in the application.
 */
@PostgresTest
@DataJpaTest(properties = {"spring.jpa.hibernate.ddl-auto=create-drop", "upsert.exception.include-values=true"})
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class MemberRepositoryIT {

    private static TestSchema db;

    @BeforeAll
    static void database(TestSchema schema) {
        db = schema;
    }

    @DynamicPropertySource
    static void dataSource(DynamicPropertyRegistry registry) {
        db.springProperties().forEach((key, value) -> registry.add(key, () -> value));
    }

    @Autowired
    MemberRepository members;

    @Test
    void aDuplicateIsSpringsDuplicateKeyExceptionWithOursAsItsCauseAndTheValueAsConfigured() {
        members.saveAndFlush(new Member("una"));
        Throwable thrown = catchThrowable(() -> members.saveAndFlush(new Member("una")));

        assertThat(thrown).isExactlyInstanceOf(org.springframework.dao.DuplicateKeyException.class)
                .hasCauseExactlyInstanceOf(DuplicateKeyException.class);
        assertThat(((DuplicateKeyException) thrown.getCause()).getAttributeNames()).containsExactly("username");
        assertThat(thrown.getMessage()).contains("una");   // upsert.exception.include-values reached Hibernate
    }
}
