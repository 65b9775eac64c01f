package dev.upsert.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HibernateLineTest {

    @Test
    void acceptsSevenTwoAndNewerSevens() {
        assertThat(HibernateLine.problem("7.2.24.Final")).isNull();
        assertThat(HibernateLine.problem("7.3.13.Final")).isNull();
        assertThat(HibernateLine.problem("7.4.6.Final")).isNull();
        assertThat(HibernateLine.problem("7.5.0-SNAPSHOT")).isNull();
        assertThat(HibernateLine.problem("[WORKING]")).isNull();
    }

    @Test
    void namesTheArtifactForSixSix() {
        assertThat(HibernateLine.problem("6.6.56.Final")).isEqualTo("upsert-hibernate (dev.upsert:upsert-hibernate) runs on "
                + "Hibernate ORM 7.2 to 7.4, but this application runs Hibernate ORM 6.6.56.Final: use the artifact "
                + "dev.upsert:upsert-hibernate-66, built for Hibernate 6.6 (Spring Boot 3.5)");
    }

    @Test
    void asksForAnUpgradeFromOlderLines() {
        assertThat(HibernateLine.problem("7.1.35.Final")).endsWith("runs Hibernate ORM 7.1.35.Final: upgrade Hibernate to 7.2 "
                + "or newer (Spring Boot 4.0 and 4.1 manage it), or to 6.6 and use the artifact dev.upsert:upsert-hibernate-66");
        assertThat(HibernateLine.problem("6.4.10.Final")).contains("upgrade Hibernate to 7.2 or newer");
        assertThat(HibernateLine.problem("8.0.0.Final")).endsWith("use a release of upsert-hibernate built for Hibernate 8.0");
    }
}
