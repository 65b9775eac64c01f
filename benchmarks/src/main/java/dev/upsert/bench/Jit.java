package dev.upsert.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * W4's warm-up ends when the JIT is quiet, not after a fixed number of rounds.
 * <p>
 * Why: on one thread W4 pins the whole JVM, compiler threads included, to the client's CPU ({@link Placement}), so a
 * method compiled during a measured round takes its time from whichever contender runs then. With one warm-up round
 * of W4 alone (2026-12-07, {@code -XX:+PrintCompilation}), the first measured round still compiled 805 methods (290 by
 * C2), the second 177, the third to fifth 57 to 75 each, the sixth 20: the first rounds measured the compiler as much
 * as the contenders, and more so those with more code to compile (Hibernate's session and flush). Warm-up rounds are
 * therefore repeated, every contender alike, until one of them spends less than {@link #QUIET_SHARE} of its time
 * compiling (HotSpot's compile-time counter, {@link CompilationMXBean}), at most {@link #MAX_WARM_UP_ROUNDS}; the report
 * says how many ran and how much the JIT compiled during the measured rounds.
 */
final class Jit {

    /** A warm-up round whose compile time is below this share of its wall time ends the warm-up. */
    static final double QUIET_SHARE = 0.01;

    /** The warm-up rounds at most, quiet or not (the report then says the JIT was still compiling). */
    static final int MAX_WARM_UP_ROUNDS = 6;

    /** The warm-up rounds where the JVM keeps no compile time ({@link CompilationMXBean#isCompilationTimeMonitoringSupported}). */
    static final int UNMONITORED_WARM_UP_ROUNDS = 3;

    private static final CompilationMXBean COMPILER = ManagementFactory.getCompilationMXBean();

    private Jit() {
    }

    /** The JIT's total compile time (ms, -1 where the JVM keeps none) at a moment of wall time (ns), or over a span of it. */
    record Sample(long compileMillis, long nanos) {

        /** The compile time and the wall time from {@code before} to this sample. */
        Sample since(Sample before) {
            return new Sample(compileMillis < 0 ? -1 : compileMillis - before.compileMillis, nanos - before.nanos);
        }

        /** Whether the JIT compiled for less than {@link #QUIET_SHARE} of this span's wall time. */
        boolean quiet() {
            return compileMillis >= 0 && compileMillis * 1e6 < QUIET_SHARE * nanos;
        }

        double share() {
            return compileMillis * 1e6 / nanos;
        }
    }

    static Sample sample() {
        long compile = COMPILER != null && COMPILER.isCompilationTimeMonitoringSupported() ? COMPILER.getTotalCompilationTime() : -1;
        return new Sample(compile, System.nanoTime());
    }

    /** Whether another warm-up round is due after {@code done} rounds, the last of which took {@code last}. */
    static boolean warmUpDue(int done, Sample last) {
        if (done == 0) {
            return true;
        }
        if (last.compileMillis() < 0) {
            return done < UNMONITORED_WARM_UP_ROUNDS;
        }
        return done < MAX_WARM_UP_ROUNDS && !last.quiet();
    }

    /** One thread count's warm-up rounds, how the last of them ended, and the JIT during the measured rounds. */
    record Phase(int warmUps, Sample lastWarmUp, Sample measured) {
        @Override
        public String toString() {
            if (measured.compileMillis() < 0) {
                return warmUps + " warm-up rounds (this JVM keeps no compile time)";
            }
            return String.format("%d warm-up round%s (%s: the JIT compiled for %.1f%% of the last one's time), "
                            + "then the JIT compiled for %,d ms of the measured rounds' %.1f s (%.2f%%)",
                    warmUps, warmUps == 1 ? "" : "s", lastWarmUp.quiet() ? "quiet" : "still compiling after " + MAX_WARM_UP_ROUNDS,
                    100 * lastWarmUp.share(), measured.compileMillis(), measured.nanos() / 1e9, 100 * measured.share());
        }
    }
}
