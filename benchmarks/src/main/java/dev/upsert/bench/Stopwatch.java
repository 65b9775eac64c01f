package dev.upsert.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Wall-clock time and the calling thread's CPU time since {@link #start()}: what a timed run spends in all, and what
 * the client spends of it apart from waiting for the server. Read on the thread that started it.
 */
record Stopwatch(long startNanos, long startCpuNanos) {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static Stopwatch start() {
        long cpu = THREADS.getCurrentThreadCpuTime();
        return new Stopwatch(System.nanoTime(), cpu);
    }

    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    long cpuNanos() {
        return THREADS.getCurrentThreadCpuTime() - startCpuNanos;
    }
}
