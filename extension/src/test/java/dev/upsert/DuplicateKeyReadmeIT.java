package dev.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.RollbackException;

import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyModel.Account;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PersistenceUnit;

/**
 * The code shown in docs/duplicate-keys.md, compiled and run; {@code ReadmeSnippetTest} (sample-app) checks that the
 * page quotes the tagged region verbatim.
 */
@PostgresTest
class DuplicateKeyReadmeIT {

    record Response(int status, String body) {
    }

    /** A sign-up service as an application would write it. */
    static final class SignupService {
        private final EntityManagerFactory emf;

        SignupService(EntityManagerFactory emf) {
            this.emf = emf;
        }

        //tag::signup[]
        Response signUp(String email, String name) {
            EntityManager em = emf.createEntityManager();
            try {
                em.getTransaction().begin();
                em.persist(new Account(email, name));
                em.getTransaction().commit();
                return new Response(201, "created");
            } catch (RuntimeException e) {
                // persist/flush throw DuplicateKeyException itself; commit() wraps it in RollbackException
                return DuplicateKeyException.find(e)
                        .filter(duplicate -> duplicate.getAttributeNames().contains("email"))
                        .map(duplicate -> new Response(409, "email already taken"))
                        .orElseThrow(() -> e);
            } finally {
                if (em.getTransaction().isActive()) {
                    em.getTransaction().rollback(); // PostgreSQL aborted it (25P02): nothing more can run in it
                }
                em.close();
            }
        }
        //end::signup[]
    }

    @Test
    void serviceAnswers409ForATakenEmail(TestSchema db) {
        Map<String, Object> settings = new HashMap<>(db.jpaProperties());
        // the driver's own message (logged by Hibernate at WARN) then leaves out DETAIL, which holds the values
        settings.put("jakarta.persistence.jdbc.url", db.jdbcUrl("logServerErrorDetail=false"));
        settings.put("jakarta.persistence.schema-generation.database.action", "create");
        try (EntityManagerFactory emf = PersistenceUnit.create("readme", settings, DuplicateKeyModel.ENTITIES)) {
            SignupService service = new SignupService(emf);

            assertThat(service.signUp("dora@x.org", "Dora")).isEqualTo(new Response(201, "created"));
            assertThat(service.signUp("dora@x.org", "Other Dora")).isEqualTo(new Response(409, "email already taken"));
            assertThat(db.query("select email, name from account")).containsExactly(java.util.List.of("dora@x.org", "Dora"));

            // what commit() throws, and what is in it, with logServerErrorDetail=false
            EntityManager em = emf.createEntityManager();
            try {
                em.getTransaction().begin();
                em.persist(new Account("dora@x.org", "Third Dora"));
                throw new AssertionError("expected a duplicate key at persist");
            } catch (DuplicateKeyException e) {
                assertThat(e.getKeyValues()).containsEntry("email", "dora@x.org");
                assertThat(e.getCause().getMessage()).doesNotContain("dora@x.org").contains("account_email_uq");
                assertThat(e.getMessage()).doesNotContain("dora@x.org");
            } finally {
                em.getTransaction().rollback();
                em.close();
            }
            RollbackException commit = null;
            em = emf.createEntityManager();
            try {
                em.getTransaction().begin();
                em.persist(new DuplicateKeyModel.Member("x@x.org"));
                em.persist(new DuplicateKeyModel.Member("x@x.org"));
                em.getTransaction().commit();
            } catch (RollbackException e) {
                commit = e;
            } finally {
                em.close();
            }
            assertThat(commit).isNotNull();
            DuplicateKeyException e = DuplicateKeyException.find(commit).orElseThrow();
            assertThat(e.getKeyValues()).containsEntry("email", "x@x.org");
            assertThat(e.getCause().getMessage()).doesNotContain("x@x.org");
            assertThat(db.queryLong("select count(*) from member")).isZero();
        }
    }
}
