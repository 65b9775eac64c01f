package dev.upsert.internal.boot;

import dev.upsert.internal.settings.UpsertMappingException;
import dev.upsert.internal.settings.UpsertSettingValues;
import dev.upsert.internal.exception.DuplicateKeyContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.jdbc.connections.spi.JdbcConnectionAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.jboss.logging.Logger;

import dev.upsert.UpsertSettings;

/** {@link UpsertSettings#CHECK_SEQUENCES}: every mapped generated id's sequence against its table's largest id, at boot. */
public final class SequenceDriftBootCheck {

    private static final Logger LOG = Logger.getLogger("dev.upsert");

    private SequenceDriftBootCheck() {
    }

    public static void run(DuplicateKeyContext context) {
        SessionFactoryImplementor factory = context.factory();
        String mode = UpsertSettingValues.checkSequences(factory.getServiceRegistry().requireService(ConfigurationService.class));
        if (mode.equals("off") || context.sequences().isEmpty()) {
            return;
        }
        List<String> drifted;
        JdbcConnectionAccess access = factory.getJdbcServices().getBootstrapJdbcConnectionAccess();
        try {
            Connection connection = access.obtainConnection();
            try {
                drifted = context.sequences().driftedAtBoot(connection);
                if (!connection.getAutoCommit()) {
                    connection.rollback();  // only read
                }
            } finally {
                access.releaseConnection(connection);
            }
        } catch (SQLException e) {
            if (mode.equals("fail")) {
                throw new UpsertMappingException("Sequence check failed", List.of("cannot read the sequences of generated ids: "
                        + e.getMessage() + " (set " + UpsertSettings.CHECK_SEQUENCES + "=warn or off)"));
            }
            LOG.warnf("upsert-hibernate: cannot read the sequences of generated ids to check them: %s (%s=off skips the check)",
                    e.getMessage(), UpsertSettings.CHECK_SEQUENCES);
            return;
        }
        if (drifted.isEmpty()) {
            return;
        }
        if (mode.equals("fail")) {
            throw new UpsertMappingException("Sequences behind their tables", drifted.stream()
                    .map(line -> line + " (or set " + UpsertSettings.CHECK_SEQUENCES + "=warn)").toList());
        }
        for (String line : drifted) {
            LOG.warn("upsert-hibernate: " + line);
        }
    }
}
