package dev.upsert.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.EntityManager;

/**
 * {@code rows} upserts through {@code persist} of the {@code @Upsert} entity, 1,000 per transaction with
 * {@code em.clear()} after each, on one EntityManager: the keys repeat once, so the second half all conflict. Used
 * heap after a full GC is sampled ten times, after each tenth; it is "flat" when the last sample is within
 * max(4 MB, 10%) of the smallest (the first can still hold one-time caches).
 */
final class HeapCheck {

    private HeapCheck() {
    }

    static String run(BenchDatabase db, EntityUpsert contender, int rows) throws SQLException {
        db.reset(List.of());
        int perTx = 1_000;
        int transactions = Math.max(10, rows / perTx);
        int every = transactions / 10;
        int keys = transactions * perTx / 2;
        List<Double> samples = new ArrayList<>();
        EntityManager em = contender.emf().createEntityManager();
        try {
            for (int tx = 0; tx < transactions; tx++) {
                int first = tx * perTx;
                EntityUpsert.inTransaction(em, () -> {
                    for (int n = first; n < first + perTx; n++) {
                        OffsetDateTime at = Workload.UPSERTED_AT.plusSeconds(n);
                        AccountEntity e = new UpsertSequenceAccount();
                        e.assign(new AccountRow(Workload.email(n % keys), "m" + n, n, at, at));
                        em.persist(e);
                    }
                    return null;
                });
                em.clear();
                if ((tx + 1) % every == 0) {
                    samples.add(usedHeapAfterGc());
                }
            }
        } catch (RuntimeException e) {
            return "not measured: " + contender.name() + " failed: " + BenchDatabase.oneLine(e);
        } finally {
            em.close();
        }
        long stored = db.rowCount();
        double last = samples.get(samples.size() - 1);
        double min = samples.stream().mapToDouble(Double::doubleValue).min().orElse(last);
        double max = samples.stream().mapToDouble(Double::doubleValue).max().orElse(last);
        boolean flat = last - min <= Math.max(4.0, min * 0.10);
        StringBuilder s = new StringBuilder();
        s.append(String.format("%,d rows via persist (%s), em.clear() per 1,000-row tx; %,d rows stored (expected %,d)%n",
                transactions * perTx, contender.name(), stored, keys));
        s.append("  used heap after GC, MB, every ").append(String.format("%,d", every * perTx)).append(" rows:");
        samples.forEach(v -> s.append(String.format(" %.2f", v)));
        s.append(String.format("%n  %s: last - smallest = %+.2f MB (largest %.2f MB; flat means within max(4 MB, 10%%))",
                flat ? "FLAT" : "GROWS", last - min, max));
        if (stored != keys) {
            s.append("\n  (row count wrong: the heap figures are not of a correct run)");
        }
        return s.toString();
    }

    private static double usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    }
}
