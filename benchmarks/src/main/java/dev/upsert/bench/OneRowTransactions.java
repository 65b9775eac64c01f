package dev.upsert.bench;

import dev.upsert.testing.RoundTrips;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Query;

import com.zaxxer.hikari.HikariDataSource;

/**
 * W4: one row per transaction, the most common write of a web application (a sign-up, a webhook, "set preference"),
 * as an application writes it: a HikariCP pool of 8, each transaction takes a connection (or an
 * {@code EntityManager}), upserts one account and commits. N transactions over N distinct keys, half of them seeded,
 * shuffled; on 1 thread, then on 8 threads (the same N split among them, so threads never wait for each other's
 * rows: contention is W2's subject). Every run is verified as W1's are; round trips (pgjdbc's Syncs) and sequence
 * values ({@code nextval} calls, from the sequence's advance) per transaction are counted by the harness.
 */
final class OneRowTransactions {

    static final int POOL_SIZE = 8;
    static final int[] THREADS = {1, 8};

    /**
     * Measured rounds on more than one thread, per one-thread round. A contender's 4,000 transactions on eight threads
     * take a quarter of a second, and their rate falls in one of two bands, about 17,000 to 23,000 tx/s or 25,000 to
     * 31,000 (the scheduler's doing, for every contender alike: with 60 rounds each, the native query and
     * {@code @Upsert IDENTITY} landed in the upper one 15 and 16 times in one run, 14 and 14 in another, 2026-12-07).
     * A median of a few such rounds depends on how many fell in each band: with seven rounds three full runs of one code
     * put {@code @Upsert} at 0.86 to 1.19 of the native query, with 21 rounds four full runs put it at 0.89 to 1.04, with 60
     * the two runs above at 1.00 and 1.01. Eight times the one-thread rounds (56 by default), for every contender alike,
     * take about 85 s (83 to 86 s in this round's full runs).
     */
    static final int MANY_THREAD_ROUNDS_PER_ROUND = 8;

    /** The measured rounds on {@code threads} threads, {@code rounds} being those of one thread. */
    static int roundsOn(int threads, int rounds) {
        return threads == 1 ? rounds : rounds * MANY_THREAD_ROUNDS_PER_ROUND;
    }
    /** The table's id sequence: identity column and the pooled entities' sequence; each {@code nextval} advances it 50. */
    private static final String SEQUENCE = "account_id_seq";
    private static final int SEQUENCE_INCREMENT = 50;

    private static final String RETURNING = " returning id, created_at";

    /** One way of upserting one row in its own transaction. */
    interface OneRow {
        String name();

        /** Upserts {@code row} in its own transaction; returns the id and created_at handed back. */
        Contender.Held upsert(AccountRow row) throws Exception;

        /** Only new keys (Hibernate's own persist cannot upsert). */
        default boolean newKeysOnly() {
            return false;
        }
    }

    /** Plain JDBC: the statement with RETURNING, then COMMIT. */
    record Jdbc(DataSource pool, AccountTable table) implements OneRow {
        public String name() {
            return "plain JDBC insert..on conflict..returning";
        }

        public Contender.Held upsert(AccountRow row) throws Exception {
            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(table.valuesUpsert() + RETURNING)) {
                table.bind(ps, row);
                Contender.Held held;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    held = new Contender.Held(rs.getLong(1), rs.getObject(2, OffsetDateTime.class));
                }
                c.commit();
                return held;
            }
        }
    }

    /** The same SQL as a Hibernate native query, in a JPA transaction. */
    record Native(EntityManagerFactory emf, AccountTable table) implements OneRow {
        public String name() {
            return "same SQL, Hibernate native query";
        }

        public Contender.Held upsert(AccountRow row) {
            EntityManager em = emf.createEntityManager();
            try {
                Object[] returned = EntityUpsert.inTransaction(em, () -> {
                    Query query = em.createNativeQuery(table.valuesUpsert() + RETURNING);
                    List<Object> values = table.parameters(row);
                    for (int i = 0; i < values.size(); i++) {
                        query.setParameter(i + 1, values.get(i));
                    }
                    return (Object[]) query.getSingleResult();
                });
                return new Contender.Held(((Number) returned[0]).longValue(), offsetDateTime(returned[1]));
            } finally {
                em.close();
            }
        }
    }

    /** An entity contender: persist ({@code @Upsert} or plain), or find-then-save. */
    record Entity(String name, EntityUpsert entities, boolean newKeysOnly) implements OneRow {
        public Contender.Held upsert(AccountRow row) {
            return entities.upsertOneHolding(row);
        }
    }

    private OneRowTransactions() {
    }

    static OffsetDateTime offsetDateTime(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return odt;
        }
        if (value instanceof Instant instant) {
            return instant.atOffset(ZoneOffset.UTC);
        }
        if (value instanceof Timestamp ts) {
            return ts.toInstant().atOffset(ZoneOffset.UTC);
        }
        if (value instanceof java.time.ZonedDateTime zdt) {
            return zdt.toOffsetDateTime();
        }
        throw new IllegalArgumentException("created_at came back as " + value.getClass());
    }

    /** Timed, verified runs of one contender on one thread count. */
    private static final class Measured {
        final List<Double> rates = new ArrayList<>();
        /** Every measured round's rate in round order, NaN for a failed one: for the per-round ratios. */
        final List<Double> roundRates = new ArrayList<>();
        final List<Long> latencies = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        int failedRuns;
        int runs;
        double sequenceValuesPerTx = Double.NaN;
        double roundTripsPerTx = Double.NaN;
        /** Client CPU per transaction, µs, per measured run: what the calling threads spent, waiting excluded. */
        final List<Double> cpuMicrosPerTx = new ArrayList<>();
    }

    /** Runs W4 and returns its report. */
    static String run(BenchDatabase db, int transactions, int rounds, boolean pin, java.util.function.Predicate<String> selected)
            throws Exception {
        StringBuilder out = new StringBuilder();
        try (HikariDataSource pool = db.newPool("w4", POOL_SIZE)) {
            List<OneRow> contenders = new ArrayList<>();
            List<EntityUpsert> units = new ArrayList<>();
            Map<String, String> bootFailures = new LinkedHashMap<>();
            AccountTable table = db.table();
            contenders.add(new Jdbc(pool, table));
            if (table == AccountTable.LOCAL) {
                EntityUpsert plain = boot(bootFailures, units, "Hibernate persist, plain IDENTITY (new keys)",
                        () -> new EntityUpsert("plain", PlainIdentityAccount.class, PlainIdentityAccount::new, EntityUpsert.Style.PERSIST, pool));
                if (plain != null) {
                    contenders.add(new Native(plain.emf(), table));
                    contenders.add(new Entity("Hibernate persist, plain IDENTITY (new keys)", plain, true));
                }
                addEntity(contenders, bootFailures, units, "@Upsert IDENTITY",
                        () -> new EntityUpsert("@Upsert IDENTITY", UpsertIdentityAccount.class, UpsertIdentityAccount::new, EntityUpsert.Style.PERSIST, pool));
                addEntity(contenders, bootFailures, units, "@Upsert SEQUENCE (allocationSize 50)",
                        () -> new EntityUpsert("@Upsert SEQUENCE", UpsertSequenceAccount.class, UpsertSequenceAccount::new, EntityUpsert.Style.PERSIST, pool));
                addEntity(contenders, bootFailures, units, "JPA find-then-save",
                        () -> new EntityUpsert("find-then-save", FindThenSaveAccount.class, FindThenSaveAccount::new, EntityUpsert.Style.FIND_THEN_SAVE_AUTO_FLUSH, pool));
            } else {
                // Citus: the raw statement, the same as a native query, and ours (the native query runs in our unit)
                EntityUpsert identity = boot(bootFailures, units, "@Upsert IDENTITY",
                        () -> new EntityUpsert("@Upsert IDENTITY", DistributedUpsertIdentityAccount.class, DistributedUpsertIdentityAccount::new,
                                EntityUpsert.Style.PERSIST, pool));
                if (identity != null) {
                    contenders.add(new Native(identity.emf(), table));
                    contenders.add(new Entity("@Upsert IDENTITY", identity, false));
                }
                addEntity(contenders, bootFailures, units, "@Upsert SEQUENCE (allocationSize 50)",
                        () -> new EntityUpsert("@Upsert SEQUENCE", DistributedUpsertSequenceAccount.class, DistributedUpsertSequenceAccount::new,
                                EntityUpsert.Style.PERSIST, pool));
            }

            contenders.removeIf(c -> !selected.test(c.name()));
            if (contenders.isEmpty()) {
                units.forEach(EntityUpsert::close);
                return "W4: no contender selected (--only)\n";
            }
            Map<String, Measured> results = new LinkedHashMap<>();
            String placement = "";
            Map<Integer, Jit.Phase> phases = new LinkedHashMap<>();
            for (int threads : THREADS) {
                // one thread is a ping-pong with its backend: pinned apart (Placement); eight keep both CPUs busy
                try (Placement pinned = threads == 1 && pin ? Placement.apart(db) : null) {
                    if (pinned != null) {
                        placement = pinned.description();
                    } else if (threads == 1) {
                        placement = "not pinned (--w4-pin off)";
                    }
                    phases.put(threads, measure(db, contenders, transactions, roundsOn(threads, rounds), threads, results));
                }
            }
            // one more pass per contender, one thread, untimed: round trips from pgjdbc's protocol log
            Workload counted = Workload.w1(Math.min(transactions, 1_000), 99);
            for (OneRow c : contenders) {
                List<AccountRow> rows = rowsOf(c, counted);
                db.reset(counted.seed());
                long trips = RoundTrips.count(() -> {
                    for (AccountRow row : rows) {
                        c.upsert(row);
                    }
                });
                for (int threads : THREADS) {
                    results.get(key(c, threads)).roundTripsPerTx = (double) trips / rows.size();
                }
            }
            out.append(report(transactions, rounds, contenders, results, bootFailures, placement, phases));
            units.forEach(EntityUpsert::close);
        }
        return out.toString();
    }

    /**
     * The warm-up rounds and the measured rounds of every contender on {@code threads} threads; returns the warm-up
     * rounds run and the JIT's compile time during the measured ones ({@link Jit}).
     */
    private static Jit.Phase measure(BenchDatabase db, List<OneRow> contenders, int transactions, int rounds, int threads,
                                     Map<String, Measured> results) throws Exception {
        String phase = "W4 " + threads + " thread" + (threads == 1 ? "" : "s");
        int warmUps = 0;
        Jit.Sample lastWarmUp = null;
        while (Jit.warmUpDue(warmUps, lastWarmUp)) {
            // warm-up seeds count down from the first measured round's, so no two rounds share a workload
            lastWarmUp = runRound(db, contenders, Workload.w1(transactions, 100 - warmUps), threads, -warmUps, null,
                    phase + " warm-up " + (warmUps + 1) + ":");
            warmUps++;
        }
        Jit.Sample measuredFrom = Jit.sample();
        for (int round = 1; round <= rounds; round++) {
            runRound(db, contenders, Workload.w1(transactions, 100 + round), threads, round, results, phase + " round " + round + ":");
        }
        return new Jit.Phase(warmUps, lastWarmUp, Jit.sample().since(measuredFrom));
    }

    /** One round: every contender once, in this round's order; measured into {@code results} unless null (warm-up). */
    private static Jit.Sample runRound(BenchDatabase db, List<OneRow> contenders, Workload workload, int threads, int round,
                                       Map<String, Measured> results, String label) throws Exception {
        Jit.Sample before = Jit.sample();
        StringBuilder progress = new StringBuilder(label);
        for (OneRow c : Workload.inRoundOrder(contenders, round)) {
            Measured m = results == null ? null : results.computeIfAbsent(key(c, threads), k -> new Measured());
            double rate = timedRun(db, c, workload, threads, m);
            progress.append(String.format(" %s %s;", c.name(), Double.isNaN(rate) ? "FAIL" : String.format("%,.0f/s", rate)));
        }
        Jit.Sample took = Jit.sample().since(before);
        System.out.println(progress.append(took.compileMillis() < 0 ? "" : String.format(" JIT %,d ms (%.1f%%)", took.compileMillis(), 100 * took.share())));
        return took;
    }

    private static String key(OneRow c, int threads) {
        return c.name() + "|" + threads;
    }

    private static EntityUpsert boot(Map<String, String> bootFailures, List<EntityUpsert> units, String name,
                                     java.util.function.Supplier<EntityUpsert> boot) {
        try {
            EntityUpsert unit = boot.get();
            units.add(unit);
            return unit;
        } catch (RuntimeException e) {
            bootFailures.put(name, "boot failed: " + BenchDatabase.oneLine(e));
            return null;
        }
    }

    private static void addEntity(List<OneRow> contenders, Map<String, String> bootFailures, List<EntityUpsert> units,
                                  String name, java.util.function.Supplier<EntityUpsert> boot) {
        EntityUpsert unit = boot(bootFailures, units, name, boot);
        if (unit != null) {
            contenders.add(new Entity(name, unit, false));
        }
    }

    private static List<AccountRow> rowsOf(OneRow c, Workload workload) {
        if (!c.newKeysOnly()) {
            return workload.upserts();
        }
        Set<String> seeded = new HashSet<>();
        workload.seed().forEach(r -> seeded.add(r.email()));
        return workload.upserts().stream().filter(r -> !seeded.contains(r.email())).toList();
    }

    /** One run: reset, the transactions split among {@code threads}, verified; returns tx/s or NaN if wrong. */
    private static double timedRun(BenchDatabase db, OneRow c, Workload workload, int threads, Measured into) throws Exception {
        List<AccountRow> rows = rowsOf(c, workload);
        Map<String, Long> seededIds = db.reset(workload.seed());
        System.gc();
        long sequenceBefore = db.sequenceValue(SEQUENCE);
        Map<String, Contender.Held> held = new ConcurrentHashMap<>();
        long[] latencies = new long[rows.size()];
        List<String> failures = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Long>> done = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                Stopwatch watch = Stopwatch.start();  // this worker's CPU time
                for (int i = thread; i < rows.size(); i += threads) {
                    AccountRow row = rows.get(i);
                    long start = System.nanoTime();
                    held.put(row.email(), c.upsert(row));
                    latencies[i] = System.nanoTime() - start;
                }
                return watch.cpuNanos();
            }));
        }
        long cpuNanos = 0;
        for (Future<Long> f : done) {
            try {
                cpuNanos += f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add("exception: " + BenchDatabase.oneLine(e.getCause()));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        long sequenceAfter = db.sequenceValue(SEQUENCE);
        if (failures.isEmpty()) {
            failures.addAll(Verifier.check(new Workload(workload.seed(), rows), seededIds, db.rows(), held));
        }
        if (into != null) {
            into.runs++;
            into.roundRates.add(failures.isEmpty() ? rows.size() / seconds : Double.NaN);
            if (failures.isEmpty()) {
                into.rates.add(rows.size() / seconds);
                into.cpuMicrosPerTx.add(cpuNanos / 1e3 / rows.size());
                Arrays.stream(latencies).forEach(into.latencies::add);
                into.sequenceValuesPerTx = (double) (sequenceAfter - sequenceBefore) / SEQUENCE_INCREMENT / rows.size();
            } else {
                into.failedRuns++;
                if (into.problems.isEmpty()) {
                    into.problems.addAll(failures);
                }
            }
        }
        return failures.isEmpty() ? rows.size() / seconds : Double.NaN;
    }

    private static String report(int transactions, int rounds, List<OneRow> contenders, Map<String, Measured> results,
                                 Map<String, String> bootFailures, String placement, Map<Integer, Jit.Phase> phases) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("W4: one row per transaction (%,d transactions over %,d keys, half of them seeded, shuffled%s), "
                + "HikariCP pool of %d; measured rounds: %d on 1 thread, %d on 8%n",
                transactions, transactions, contenders.stream().anyMatch(OneRow::newKeysOnly)
                        ? "; persist of a plain IDENTITY entity: the new half only" : "", POOL_SIZE, rounds, roundsOn(8, rounds)));
        phases.forEach((threads, phase) -> s.append(threads).append(threads == 1 ? " thread: " : " threads: ").append(phase).append('\n'));
        s.append("1 thread: ").append(placement).append("; 8 threads: not pinned\n");
        s.append(String.format("%-45s %7s %12s %-15s %9s %8s %7s %7s %7s %7s %9s  %s%n", "contender", "threads", "median tx/s",
                "min-max", "vs native", "vs JDBC", "p50 ms", "p99 ms", "cpu µs", "rt/tx", "nextval/tx", "verification"));
        s.append("-".repeat(150)).append('\n');
        for (int threads : THREADS) {
            Measured jdbc = results.get("plain JDBC insert..on conflict..returning|" + threads);
            Measured nativeQuery = contenders.size() > 1 ? results.get("same SQL, Hibernate native query|" + threads) : null;
            for (OneRow c : contenders) {
                Measured m = results.get(key(c, threads));
                String verdict = m.failedRuns == 0 ? "PASS" : "FAIL in " + m.failedRuns + " of " + m.runs + " runs: " + String.join("; ", m.problems);
                if (m.rates.isEmpty()) {
                    s.append(String.format("%-45s %7d %12s %-15s %9s %8s %7s %7s %7s %7.2f %9s  %s%n", c.name(), threads, "-", "", "", "", "", "", "",
                            m.roundTripsPerTx, "", verdict));
                    continue;
                }
                Stats stats = Stats.of(m.rates);
                long[] sorted = m.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
                s.append(String.format("%-45s %7d %,12.0f %-15s %9s %8s %7.2f %7.2f %7.0f %7.2f %9.3f  %s%n", c.name(), threads, stats.median(),
                        String.format("%,.0f-%,.0f", stats.min(), stats.max()),
                        ratio(stats, nativeQuery), ratio(stats, jdbc),
                        percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, Stats.of(m.cpuMicrosPerTx).median(), m.roundTripsPerTx, m.sequenceValuesPerTx, verdict));
            }
        }
        bootFailures.forEach((name, why) -> s.append(String.format("%-45s %s%n", name, why)));
        s.append("cpu µs = client CPU per transaction on the calling threads (median of the runs; waiting for the server excluded).\n");
        s.append("rt/tx = round trips per transaction: Sync messages pgjdbc sent, one thread, one extra untimed pass of up to 1,000 transactions.\n");
        s.append("nextval/tx = sequence values drawn per transaction: the advance of account_id_seq (50 per nextval) in the last measured run.\n");
        s.append("Targets (ratios of W4 medians, this run; in brackets the median of the per-round ratios):\n");
        for (String upsert : List.of("@Upsert IDENTITY", "@Upsert SEQUENCE (allocationSize 50)")) {
            s.append(String.format("  %-38s 1 thread: vs native %s (target >= 0.95), vs JDBC %s (target >= 0.9);  8 threads: vs native %s (target >= 0.95)%n",
                    upsert, target(results, upsert, "same SQL, Hibernate native query", 1, 0.95),
                    target(results, upsert, "plain JDBC insert..on conflict..returning", 1, 0.9),
                    target(results, upsert, "same SQL, Hibernate native query", 8, 0.95)));
        }
        return s.toString();
    }

    private static String ratio(Stats stats, Measured base) {
        if (base == null || base.rates.isEmpty()) {
            return "n/a";
        }
        return String.format("%.2f", stats.median() / Stats.of(base.rates).median());
    }

    private static String target(Map<String, Measured> results, String contender, String base, int threads, double target) {
        Measured a = results.get(contender + "|" + threads);
        Measured b = results.get(base + "|" + threads);
        return a == null || b == null || a.rates.isEmpty() || b.rates.isEmpty() ? "n/a"
                : Stats.ratioText(Stats.of(a.rates), a.roundRates, Stats.of(b.rates), b.roundRates, target);
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
