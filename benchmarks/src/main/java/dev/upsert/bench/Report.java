package dev.upsert.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/** The results table: medians of the measured rounds, ratios to the fastest correct raw-JDBC contender. */
final class Report {

    private static final String SQL_INSERT_REWRITE = "@SQLInsert, rewrite";
    private static final String FIND_THEN_SAVE = "JPA find-then-save, rewrite";
    private static final String FIND_THEN_SAVE_AUTO = "JPA find-then-save, AUTO flush";
    private static final String UNNEST_RETURNING = "JDBC unnest, 1 stmt/tx, returning";
    private static final String UPSERT_SEQ = "@Upsert seq";
    /** What {@code --citus} compares ours to: the raw statements on the same cluster. */
    private static final List<String> CITUS_BASES = List.of(UNNEST_RETURNING, "JDBC unnest, 1 stmt/tx",
            "JDBC batch, returning id, created_at", "JDBC batch");

    private Report() {
    }

    /** A contender's measured rounds, summarised. */
    record Summary(String name, boolean rawJdbc, Stats stats, List<Double> roundRates, String cpuMicrosPerRow,
                   String statements, String roundTrips, List<String> problems, int failedRuns, int runs) {

        boolean passed() {
            return failedRuns == 0 && stats != null;
        }
    }

    /** A timed, verified run (W1's, W3's) of {@link #units()} rows or events. */
    interface Timed {
        boolean warmUp();

        /** NaN when the run did not finish. */
        double seconds();

        /** The calling thread's CPU time over the run ({@link Stopwatch}). */
        long cpuNanos();

        /** The rows (W1) or events (W3) of the run. */
        int units();

        default double rate() {
            return units() / seconds();
        }

        /** The client's CPU time per row or event, in microseconds. */
        default double cpuMicrosPerUnit() {
            return cpuNanos() / 1e3 / units();
        }

        /** As the progress lines show a run: its rate and client CPU per unit, or FAIL. */
        default String progress() {
            return problems().isEmpty() ? String.format("%,.0f/s (%.1f µs)", rate(), cpuMicrosPerUnit()) : "FAIL";
        }

        /** Empty when the verification passed. */
        List<String> problems();

        /** Whether the rate counts: a measured round that finished (a wrong result is counted, and shown as not a result). */
        default boolean measured() {
            return !warmUp() && !Double.isNaN(seconds());
        }
    }

    /**
     * One contender's runs: the measured rates, every measured round's rate in round order (NaN if it did not finish),
     * the median client CPU per unit of the measured runs (as printed, "-" without any), the problems of the first
     * failed run, how many runs failed.
     */
    record Tally(Stats stats, List<Double> roundRates, String cpuMicros, List<String> problems, int failed) {

        static Tally of(List<? extends Timed> runs) {
            List<Double> rates = new ArrayList<>();
            List<Double> roundRates = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            int failed = 0;
            for (Timed run : runs) {
                if (!run.problems().isEmpty()) {
                    failed++;
                    if (problems.isEmpty()) {
                        problems.addAll(run.problems());
                    }
                }
                if (!run.warmUp()) {
                    roundRates.add(run.rate());
                }
                if (run.measured()) {
                    rates.add(run.rate());
                    cpu.add(run.cpuMicrosPerUnit());
                }
            }
            return new Tally(rates.isEmpty() ? null : Stats.of(rates), roundRates,
                    cpu.isEmpty() ? "-" : String.format("%.1f", Stats.of(cpu).median()), problems, failed);
        }
    }

    static Summary summarise(Contender c, List<Benchmarks.Run> runs, Long roundTrips) {
        Tally tally = Tally.of(runs);
        List<Double> statements = runs.stream().filter(Timed::measured).map(Benchmarks.Run::statements)
                .filter(OptionalLong::isPresent).map(n -> (double) n.getAsLong()).toList();
        return new Summary(c.name(), c.rawJdbc(), tally.stats(), tally.roundRates(), tally.cpuMicros(),
                statements.isEmpty() ? "n/a" : String.format("%,.0f", Stats.of(statements).median()),
                roundTrips == null ? "n/a" : String.format("%,d", roundTrips), tally.problems(), tally.failed(), runs.size());
    }

    static String table(Map<Contender, List<Benchmarks.Run>> runs, Map<Contender, Long> roundTrips,
                        Map<String, String> bootFailures, Benchmarks.Options options, AccountTable table) {
        List<Summary> summaries = new ArrayList<>();
        runs.forEach((c, r) -> summaries.add(summarise(c, r, roundTrips.get(c))));
        Summary base = summaries.stream().filter(s -> s.rawJdbc() && s.passed())
                .max((a, b) -> Double.compare(a.stats().median(), b.stats().median())).orElse(null);

        StringBuilder out = new StringBuilder();
        out.append(String.format("%nW1 results (%,d upserts per run; rows/s over %d measured rounds; ratio = median / median of %s)%n",
                options.rows, options.rounds, base == null ? "n/a: no raw-JDBC contender passed" : base.name()));
        String format = "%-36s %13s  %-15s %7s  %7s  %9s  %11s  %s%n";
        out.append(String.format(format, "contender", "median rows/s", "min-max", "vs JDBC", "cpu µs", "stmts/run",
                "round trips", "verification"));
        out.append("-".repeat(139)).append('\n');
        boolean footnote = false;
        for (Summary s : summaries) {
            String median = "-";
            String range = "-";
            String ratio = "-";
            if (s.stats() != null) {
                median = String.format("%,.0f", s.stats().median());
                range = String.format("%,.0f-%,.0f", s.stats().min(), s.stats().max());
                ratio = base == null ? "n/a" : String.format("%.2f", s.stats().ratioTo(base.stats()));
                if (!s.passed()) {
                    median = "(" + median + ")";
                    footnote = true;
                }
            }
            String verdict = s.passed() ? "PASS" : "FAIL in " + s.failedRuns() + " of " + s.runs() + " runs: "
                    + String.join("; ", s.problems());
            out.append(String.format(format, s.name(), median, range, ratio, s.cpuMicrosPerRow(), s.statements(),
                    s.roundTrips(), verdict));
        }
        bootFailures.forEach((name, why) -> out.append(String.format(format, name, "-", "-", "-", "-", "-", "-", "FAIL: " + why)));
        if (footnote) {
            out.append("(...) = timed, but the result was wrong: not a success.\n");
        }
        out.append("cpu µs = client CPU per row on the calling thread (median of the measured runs; waiting for the server excluded).\n");
        out.append("stmts/run = statements on table account and its sequence, per run (pg_stat_statements; n/a without it).\n");
        out.append("round trips = Sync messages pgjdbc sent in one extra, untimed run (from its FINEST protocol log).\n");
        out.append(table == AccountTable.DISTRIBUTED ? citusRatios(summaries) : targets(summaries, bootFailures));
        return out.toString();
    }

    private static String targets(List<Summary> summaries, Map<String, String> bootFailures) {
        Summary sqlInsert = find(summaries, SQL_INSERT_REWRITE);
        Summary findThenSave = find(summaries, FIND_THEN_SAVE);
        Summary findThenSaveAuto = find(summaries, FIND_THEN_SAVE_AUTO);
        Summary unnestReturning = find(summaries, UNNEST_RETURNING);
        Summary seq = find(summaries, UPSERT_SEQ);
        StringBuilder out = perUpsert("Targets (ratios of W1 medians, this run; in brackets the median of the per-round ratios):\n",
                summaries, ours -> {
            String line = String.format("vs %s: %s (target >= 1.5);  vs %s: %s (target >= 0.8);  vs %s: %s (AUTO flush: %s)",
                    SQL_INSERT_REWRITE, ratio(ours, sqlInsert, 1.5), UNNEST_RETURNING, ratio(ours, unnestReturning, 0.8),
                    FIND_THEN_SAVE, ratio(ours, findThenSave), ratio(ours, findThenSaveAuto));
            return ours.name().startsWith(UPSERT_SEQ) ? line
                    : line + String.format(";  vs %s: %s (target >= 0.9)", UPSERT_SEQ, ratio(ours, seq, 0.9));
        });
        bootFailures.keySet().stream().filter(n -> n.startsWith("@Upsert"))
                .forEach(n -> out.append(String.format("  %-22s n/a: did not boot%n", n)));
        return out.toString().endsWith(":\n") ? "" : out.toString();
    }

    /** On Citus: each {@code @Upsert} contender against each raw statement on the same cluster. */
    private static String citusRatios(List<Summary> summaries) {
        return perUpsert("Ratios to the raw SQL on the same Citus cluster (W1 medians, this run; in brackets by round):\n", summaries,
                ours -> String.join(";  ", CITUS_BASES.stream()
                        .map(base -> "vs " + base + ": " + ratio(ours, find(summaries, base))).toList())).toString();
    }

    /** {@code title}, then a line per {@code @Upsert} contender: its ratios if it passed. */
    private static StringBuilder perUpsert(String title, List<Summary> summaries, Function<Summary, String> ratios) {
        StringBuilder out = new StringBuilder(title);
        for (Summary ours : summaries) {
            if (ours.name().startsWith("@Upsert")) {
                out.append(String.format("  %-22s %s%n", ours.name(),
                        ours.passed() ? ratios.apply(ours) : "n/a: FAILED verification, not a result"));
            }
        }
        return out;
    }

    private static Summary find(List<Summary> summaries, String name) {
        return summaries.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    private static String ratio(Summary a, Summary b) {
        return ratio(a, b, Double.NaN);
    }

    private static String ratio(Summary a, Summary b, double target) {
        return b == null || b.stats() == null ? "n/a" : Stats.ratioText(a.stats(), a.roundRates(), b.stats(), b.roundRates(), target);
    }
}
