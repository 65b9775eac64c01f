package dev.upsert.bench;

import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * W2: {@code threads} x {@code opsPerThread} single-row upserts, each in its own transaction, over {@code keys}
 * shared keys, starting from an empty table. Counts duplicate-key failures (SQLSTATE 23505 anywhere in the cause
 * chain), other failures, and the rows left.
 */
final class Contention {

    record Result(String contender, int ops, int duplicateKeyFailures, Map<String, Integer> otherFailures,
                  long rows, int expectedRows, double seconds) {

        String line() {
            int others = otherFailures.values().stream().mapToInt(Integer::intValue).sum();
            String verdict = duplicateKeyFailures == 0 && others == 0 && rows == expectedRows ? "PASS" : "FAIL";
            StringBuilder s = new StringBuilder(String.format("  %-28s %6d ops  %5d duplicate-key failures  %5d other failures  %4d rows (%d expected)  %,7.0f ops/s  %s",
                    contender, ops, duplicateKeyFailures, others, rows, expectedRows, ops / seconds, verdict));
            otherFailures.forEach((what, n) -> s.append("\n      ").append(n).append(" x ").append(what));
            return s.toString();
        }
    }

    private Contention() {
    }

    static Result run(BenchDatabase db, Contender contender, int threads, int opsPerThread, int keys)
            throws SQLException, InterruptedException {
        db.reset(List.of());
        AtomicInteger duplicates = new AtomicInteger();
        Map<String, Integer> others = new TreeMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                Random random = new Random(1_000L + thread);
                start.await();
                for (int op = 0; op < opsPerThread; op++) {
                    int key = random.nextInt(keys);
                    OffsetDateTime at = Workload.UPSERTED_AT.plusSeconds(op);
                    AccountRow row = new AccountRow(Workload.email(key), "t" + thread + "-" + op, op, at, at);
                    try {
                        contender.upsertOne(row);
                    } catch (Exception e) {
                        if (isDuplicateKey(e)) {
                            duplicates.incrementAndGet();
                        } else {
                            synchronized (others) {
                                others.merge(BenchDatabase.oneLine(e), 1, Integer::sum);
                            }
                        }
                    }
                }
                return null;
            }));
        }
        // one row per distinct key drawn (all 200 with the default 8 x 1,000)
        Set<Integer> drawn = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            Random random = new Random(1_000L + t);
            for (int op = 0; op < opsPerThread; op++) {
                drawn.add(random.nextInt(keys));
            }
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Future<?> f : done) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                others.merge("harness: " + BenchDatabase.oneLine(e.getCause()), 1, Integer::sum);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        return new Result(contender.name(), threads * opsPerThread, duplicates.get(), others, db.rowCount(), drawn.size(), seconds);
    }

    static boolean isDuplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    if ("23505".equals(s.getSQLState())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
