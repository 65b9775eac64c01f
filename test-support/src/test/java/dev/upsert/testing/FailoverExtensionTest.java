package dev.upsert.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailoverExtensionTest {

    private final String before = System.getProperty(FailoverCluster.MODE_PROPERTY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(FailoverCluster.MODE_PROPERTY);
        } else {
            System.setProperty(FailoverCluster.MODE_PROPERTY, before);
        }
    }

    @Test
    void modeIsAutoUnlessSetAndIgnoresCase() {
        System.clearProperty(FailoverCluster.MODE_PROPERTY);
        assertThat(FailoverExtension.mode()).isEqualTo(FailoverExtension.Mode.AUTO);
        System.setProperty(FailoverCluster.MODE_PROPERTY, " ");
        assertThat(FailoverExtension.mode()).isEqualTo(FailoverExtension.Mode.AUTO);
        System.setProperty(FailoverCluster.MODE_PROPERTY, "Required");
        assertThat(FailoverExtension.mode()).isEqualTo(FailoverExtension.Mode.REQUIRED);
        System.setProperty(FailoverCluster.MODE_PROPERTY, "off");
        assertThat(FailoverExtension.mode()).isEqualTo(FailoverExtension.Mode.OFF);
    }

    @Test
    void unknownModeNamesTheChoices() {
        System.setProperty(FailoverCluster.MODE_PROPERTY, "always");
        assertThatThrownBy(FailoverExtension::mode).hasMessage(
                "-Dupsert.test.failover=always is not a mode: use auto, required or off");
    }
}
