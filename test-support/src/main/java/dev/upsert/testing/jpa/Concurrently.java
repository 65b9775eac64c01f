package dev.upsert.testing.jpa;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One task on several threads released at once, as concurrent requests reach an application: the contention tests'
 * harness. A thread that hangs fails the test after the timeout instead of blocking the build.
 */
public final class Concurrently {

    /** What one thread does; {@code thread} numbers them from 0. */
    @FunctionalInterface
    public interface Task {
        void run(int thread) throws Exception;
    }

    private Concurrently() {
    }

    /**
     * Starts {@code task} on {@code threads} threads together and waits for each, at most {@code timeout} apiece;
     * what a thread threw comes out as the {@link java.util.concurrent.ExecutionException} of the first failed one.
     */
    public static void run(int threads, Duration timeout, Task task) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(executor.submit(() -> {
                    start.await();
                    task.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
