package dev.upsert.ops;

import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.persistence.EntityManagerFactory;

import dev.upsert.testing.jpa.PersistenceUnit;

import dev.upsert.testing.TestSchema;

/** The boot, the log capture and the failure messages of the production-operations tests. */
final class OpsJpa {

    private OpsJpa() {
    }

    /** A persistence unit over the test schema; the tables are the test's own SQL unless {@code settings} say otherwise. */
    static EntityManagerFactory boot(TestSchema db, Map<String, Object> settings, Class<?>... entities) {
        return PersistenceUnit.inSchema(db, "none", settings, entities);
    }

    /** Every log record written while {@code work} runs (JBoss Logging uses java.util.logging in this build). */
    static String log(Runnable work) {
        Logger root = Logger.getLogger("");
        StringBuilder captured = new StringBuilder();
        Handler handler = new Handler() {
            @Override
            public synchronized void publish(LogRecord record) {
                captured.append(record.getLevel()).append(' ').append(record.getLoggerName()).append(' ')
                        .append(record.getMessage()).append('\n');
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        try {
            work.run();
        } finally {
            root.removeHandler(handler);
        }
        return captured.toString();
    }

    /** The message of {@code t} and of each of its causes, a line each: what a log shows of a boot failure. */
    static String causeMessages(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(c.getMessage()).append('\n');
        }
        return s.toString();
    }
}
