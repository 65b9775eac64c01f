package dev.upsert.quarkus.it;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.jboss.logmanager.ExtLogRecord;

/**
 * Every record of Quarkus's logging backend (JBoss LogManager, which is {@code java.util.logging}) while it is open:
 * logger, formatted message and the message of every exception attached, causes and suppressed ones included.
 */
final class LogCapture implements AutoCloseable {

    private final StringBuilder captured = new StringBuilder();
    private final Logger root = Logger.getLogger("");
    private final Handler handler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            // the embedded PostgreSQL of the test run (zonky) relays the server's own log, which records a failing
            // statement's DETAIL as any PostgreSQL server does: the database's log, not the application's
            if (record.getLoggerName() != null && record.getLoggerName().startsWith("io.zonky.test.db.postgres")) {
                return;
            }
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : formatter.formatMessage(record);
            synchronized (captured) {
                captured.append(record.getLevel()).append(' ').append(record.getLoggerName()).append(' ').append(message).append('\n');
                appendThrowable(record.getThrown(), "  ");
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LogCapture() {
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
    }

    private void appendThrowable(Throwable t, String indent) {
        for (int depth = 0; t != null && depth < 20; t = t.getCause(), depth++) {
            captured.append(indent).append(t).append('\n');
            for (Throwable suppressed : t.getSuppressed()) {
                appendThrowable(suppressed, indent + "  suppressed: ");
            }
        }
    }

    String text() {
        synchronized (captured) {
            return captured.toString();
        }
    }

    @Override
    public void close() {
        root.removeHandler(handler);
    }
}
