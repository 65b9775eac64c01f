package dev.upsert.testing;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts client-server round trips as the Sync messages pgjdbc sends (each waits for the server's ReadyForQuery),
 * from pgjdbc's own FINEST protocol log: what a test pins and the benchmark reports per transaction. Logging every
 * protocol message is slow, so a benchmark counts in an extra, untimed pass.
 */
public final class RoundTrips extends Handler {

    /** What is counted: code that may throw. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private static final Logger PGJDBC = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");

    /** The thread whose Syncs count, or -1 for every thread. */
    private final long thread;
    private final AtomicLong syncs = new AtomicLong();

    private RoundTrips(long thread) {
        this.thread = thread;
        setLevel(Level.FINEST);
    }

    /** The round trips pgjdbc made on every connection while {@code work} ran. */
    public static long count(Work work) throws Exception {
        return count(new RoundTrips(-1), work);
    }

    /** The round trips pgjdbc made from the calling thread while {@code work} ran (other threads' are not counted). */
    public static long countOnThisThread(Work work) throws Exception {
        return count(new RoundTrips(Thread.currentThread().getId()), work);
    }

    private static long count(RoundTrips counter, Work work) throws Exception {
        boolean parents = PGJDBC.getUseParentHandlers();
        Level level = PGJDBC.getLevel();
        PGJDBC.setUseParentHandlers(false);
        PGJDBC.addHandler(counter);
        PGJDBC.setLevel(Level.FINEST);
        try {
            work.run();
        } finally {
            PGJDBC.setLevel(level);
            PGJDBC.removeHandler(counter);
            PGJDBC.setUseParentHandlers(parents);
        }
        return counter.syncs.get();
    }

    @Override
    public void publish(LogRecord record) {
        if ((thread < 0 || record.getLongThreadID() == thread) && record.getMessage() != null
                && record.getMessage().trim().equals("FE=> Sync")) {
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
