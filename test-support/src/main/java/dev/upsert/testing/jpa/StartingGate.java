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
 * Tasks that start together, each on a thread of its own, so that they contend (for rows, locks, connections):
 * every thread waits at one gate, which opens once all are submitted.
 *
 * <pre>{@code
 * List<Long> millis = StartingGate.run(10, Duration.ofMinutes(1), task -> timeOfOneDuplicate(task));
 * }</pre>
 */
public final class StartingGate {

    private StartingGate() {
    }

    /** One task's work; {@code task} is its number, 0 to tasks - 1. */
    @FunctionalInterface
    public interface Task<T> {
        T run(int task) throws Exception;
    }

    /**
     * Runs {@code tasks} tasks at once and returns their results in task order; waits at most {@code timeout} for each,
     * and throws the first failure (an {@link java.util.concurrent.ExecutionException} around it).
     */
    public static <T> List<T> run(int tasks, Duration timeout, Task<T> work) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(tasks);
        CountDownLatch gate = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int task = i;
                futures.add(threads.submit(() -> {
                    gate.await();
                    return work.run(task);
                }));
            }
            gate.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }
}
