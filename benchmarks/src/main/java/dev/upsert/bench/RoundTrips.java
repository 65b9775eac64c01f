package dev.upsert.bench;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts client-server round trips by counting the Sync messages pgjdbc sends (each waits for ReadyForQuery), from
 * pgjdbc's own FINEST protocol log. Logging every protocol message is slow, so this runs only in an extra, untimed
 * pass.
 */
final class RoundTrips extends Handler {

    private static final Logger PGJDBC = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");

    private final AtomicLong syncs = new AtomicLong();

    private RoundTrips() {
        setLevel(Level.FINEST);
    }

    /** Runs {@code work} and returns how many round trips pgjdbc made meanwhile, on all connections. */
    static long count(Callable<?> work) throws Exception {
        RoundTrips counter = new RoundTrips();
        boolean parents = PGJDBC.getUseParentHandlers();
        Level level = PGJDBC.getLevel();
        PGJDBC.setUseParentHandlers(false);
        PGJDBC.addHandler(counter);
        PGJDBC.setLevel(Level.FINEST);
        try {
            work.call();
        } finally {
            PGJDBC.setLevel(level);
            PGJDBC.removeHandler(counter);
            PGJDBC.setUseParentHandlers(parents);
        }
        return counter.syncs.get();
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getMessage() != null && record.getMessage().trim().equals("FE=> Sync")) {
            syncs.incrementAndGet();
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
