package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.hibernate.SessionFactory;
import org.hibernate.Version;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.Test;

import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.upsert.Entities.IdentityAccount;

/**
 * The jar on the Hibernate of this run (-Dupsert.test.hibernate). upsert-hibernate: 7.2 and newer boot and upsert; 7.1
 * and 6.6 are refused at boot with a sentence that names what to use instead. upsert-hibernate-66 (66-on-7): refused
 * on 7.x with a sentence naming upsert-hibernate. The entity is the suite's IDENTITY account, from the extension's
 * test jar (hence this package).
 */
@PostgresTest
class HibernateLineIT {

    @Test
    void bootsOnASupportedLineAndNamesTheRightArtifactOnAnotherOne(TestSchema db) {
        String version = Version.getVersionString();
        System.out.println("[upsert-test] Hibernate ORM " + version);
        Configuration configuration = new Configuration().addAnnotatedClass(IdentityAccount.class);
        db.jpaProperties().forEach((k, v) -> configuration.setProperty(k, String.valueOf(v)));
        configuration.setProperty("hibernate.hbm2ddl.auto", "create-drop");

        String jarLine = System.getProperty("upsert.test.artifact.line", "7");
        System.out.println("[upsert-test] jar built for Hibernate " + jarLine);
        if (jarLine.equals("6.6") && version.startsWith("7.")) {
            assertThatThrownBy(configuration::buildSessionFactory).hasMessage("upsert-hibernate-66 "
                    + "(dev.upsert:upsert-hibernate-66) runs on Hibernate ORM 6.6, but this application runs Hibernate ORM "
                    + version + ": use the artifact dev.upsert:upsert-hibernate, built for Hibernate 7.2 and newer (Spring Boot 4)");
        } else if (jarLine.equals("6.6")) {
            throw new AssertionError("66-on-7 runs the 6.6 jar on Hibernate 7; this run has Hibernate " + version);
        } else if (version.startsWith("6.6.")) {
            assertThatThrownBy(configuration::buildSessionFactory).hasMessage("upsert-hibernate (dev.upsert:upsert-hibernate) "
                    + "runs on Hibernate ORM 7.2 to 7.4, but this application runs Hibernate ORM " + version
                    + ": use the artifact dev.upsert:upsert-hibernate-66, built for Hibernate 6.6 (Spring Boot 3.5)");
        } else if (version.startsWith("7.0.") || version.startsWith("7.1.")) {
            assertThatThrownBy(configuration::buildSessionFactory).hasMessageContaining("runs Hibernate ORM " + version
                    + ": upgrade Hibernate to 7.2 or newer");
        } else {
            try (SessionFactory factory = configuration.buildSessionFactory()) {
                factory.inTransaction(s -> s.persist(new IdentityAccount("line@x.org", "one", "line")));
                long id = db.queryLong("select id from account_identity");
                IdentityAccount again = factory.fromTransaction(s -> {
                    IdentityAccount a = new IdentityAccount("line@x.org", "two", "line");
                    s.persist(a);
                    return a;
                });
                assertThat(again.id).isEqualTo(id);
                assertThat(db.query("select id, name from account_identity")).containsExactly(List.of(id, "two"));
            }
        }
    }
}
