package dev.upsert.sample;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

/**
 * Scenario 5: {@value #THREADS} threads sign up the same {@value #KEYS} emails at the same moment (a barrier
 * per email), first with find-then-save on a plain entity, then with {@code persist} of an {@code @Upsert} entity.
 * Find-then-save loses the race whenever two threads both find nothing: the second insert fails with 23505.
 */
record Race(EntityManagerFactory emf, SqlLog sqlLog, Report report) {

    static final int THREADS = 8;
    static final int KEYS = 25;

    /** One sign-up, inside its transaction; it may note the upsert's outcome on the tally. */
    @FunctionalInterface
    private interface SignUp {
        void run(EntityManager em, String email, Tally tally);
    }

    void run() throws InterruptedException, SQLException {
        Tally naive = race((em, email, tally) -> {
            List<NaiveSignup> found = em.createQuery("from NaiveSignup where email = :email", NaiveSignup.class)
                    .setParameter("email", email)
                    .getResultList();
            if (found.isEmpty()) {
                em.persist(new NaiveSignup(email, "Racer", Instant.now()));
            } else {
                found.get(0).name = "Racer";
            }
        });
        report.step(naive.line("find-then-save, plain entity"));
        Tally upsert = race((em, email, tally) -> {
            Signup signup = new Signup(email, "Racer", Instant.now());
            em.persist(signup);
            em.flush();
            tally.outcome(Demo.outcome(em, signup));
        });
        report.step(upsert.line("persist, @Upsert entity"));
        report.sql(sqlLog.drain());
        report.outcomes(upsert.outcomes());
        report.table("select (select count(*) from naive_signup) as find_then_save_rows,"
                + " (select count(*) from signup) as upsert_rows");
    }

    private Tally race(SignUp signUp) throws InterruptedException {
        Tally tally = new Tally();
        CyclicBarrier sameMoment = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                for (int k = 0; k < KEYS; k++) {
                    String email = "racer" + k + "@example.com";
                    try {
                        sameMoment.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                        tally.failure(e);
                        return;
                    }
                    try {
                        emf.runInTransaction(em -> signUp.run(em, email, tally));
                        tally.success();
                    } catch (RuntimeException e) {
                        tally.failure(e);
                    }
                }
            }, "racer-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return tally;
    }

    /** Counts of one race, shared by its threads. */
    static final class Tally {
        private int successes;
        private int uniqueViolations;
        private final Map<String, Integer> otherFailures = new TreeMap<>();
        private final Map<String, Integer> outcomes = new TreeMap<>();

        synchronized void success() {
            successes++;
        }

        synchronized void failure(Throwable e) {
            if (Failures.sqlState(e).filter("23505"::equals).isPresent()) {
                uniqueViolations++;
            } else {
                otherFailures.merge(Failures.describe(e), 1, Integer::sum);
            }
        }

        synchronized void outcome(String outcome) {
            outcomes.merge(outcome, 1, Integer::sum);
        }

        synchronized String line(String label) {
            return String.format("%-28s: %d attempts, %d ok, %d failed with 23505 (unique_violation)%s",
                    label, THREADS * KEYS, successes, uniqueViolations,
                    otherFailures.isEmpty() ? "" : ", other failures: " + otherFailures);
        }

        synchronized List<String> outcomes() {
            List<String> list = new ArrayList<>();
            outcomes.forEach((outcome, count) -> list.add(outcome + " x" + count));
            return list;
        }
    }
}
