package dev.upsert.internal.compat;

import static dev.upsert.internal.compat.HibernateLine.SEVEN;
import static dev.upsert.internal.compat.HibernateLine.SIX_SIX;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.hibernate.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Both jars' boot check, whichever line this run compiled: each names the other artifact for the other line. */
class HibernateLineTest {

    @Test
    void theJarRunsOnTheLineItWasBuiltFor() {
        assertThat(HibernateLine.problem(LineAccess.LINE, Version.getVersionString())).isNull();
    }

    /** The 7 jar accepts 7.2 and newer sevens, the 6.6 jar only 6.6; both a build of Hibernate itself. */
    @ParameterizedTest(name = "the {0} jar accepts {1}")
    @CsvSource({
            "7, 7.2.24.Final", "7, 7.3.13.Final", "7, 7.4.6.Final", "7, 7.5.0-SNAPSHOT", "7, [WORKING]",
            "6.6, 6.6.56.Final", "6.6, 6.6.0.Final", "6.6, [WORKING]"})
    void eachJarAcceptsTheVersionsOfItsLine(String line, String version) {
        assertThat(HibernateLine.problem(line, version)).isNull();
    }

    @Test
    void sevenNamesTheArtifactForSixSix() {
        assertThat(HibernateLine.problem(SEVEN, "6.6.56.Final")).isEqualTo("upsert-hibernate (dev.upsert:upsert-hibernate) "
                + "runs on Hibernate ORM 7.2 to 7.4, but this application runs Hibernate ORM 6.6.56.Final: use the artifact "
                + "dev.upsert:upsert-hibernate-66, built for Hibernate 6.6 (Spring Boot 3.5)");
    }

    @Test
    void sixSixNamesTheArtifactForSeven() {
        assertThat(HibernateLine.problem(SIX_SIX, "7.4.6.Final")).isEqualTo("upsert-hibernate-66 "
                + "(dev.upsert:upsert-hibernate-66) runs on Hibernate ORM 6.6, but this application runs Hibernate ORM "
                + "7.4.6.Final: use the artifact dev.upsert:upsert-hibernate, built for Hibernate 7.2 and newer (Spring Boot 4)");
    }

    static final String UPGRADE = "upgrade Hibernate to 7.2 or newer (Spring Boot 4.0 and 4.1 manage it) and use the artifact "
            + "dev.upsert:upsert-hibernate, or to 6.6 and use the artifact dev.upsert:upsert-hibernate-66";

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(SEVEN, "7.1.35.Final", UPGRADE),
                Arguments.of(SEVEN, "6.4.10.Final", UPGRADE),
                Arguments.of(SEVEN, "8.0.0.Final", "use a release of upsert-hibernate built for Hibernate 8.0"),
                Arguments.of(SIX_SIX, "7.2.24.Final", "use the artifact dev.upsert:upsert-hibernate, built for Hibernate 7.2 and newer (Spring Boot 4)"),
                Arguments.of(SIX_SIX, "7.1.35.Final", UPGRADE),
                Arguments.of(SIX_SIX, "6.5.3.Final", UPGRADE));
    }

    /** Any other version: the sentence ends with what to do, an upgrade on older lines, another release on newer ones. */
    @ParameterizedTest(name = "the {0} jar on {1}")
    @MethodSource("refused")
    void namesWhatToDoOnAnotherVersion(String line, String version, String fix) {
        assertThat(HibernateLine.problem(line, version)).endsWith("runs Hibernate ORM " + version + ": " + fix);
    }
}
