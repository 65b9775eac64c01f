package dev.upsert.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** The results table: medians of the measured rounds, ratios to the fastest correct raw-JDBC contender. */
final class Report {

    private static final String SQL_INSERT_REWRITE = "@SQLInsert, rewrite";
    private static final String FIND_THEN_SAVE = "JPA find-then-save, rewrite";
    private static final String FIND_THEN_SAVE_AUTO = "JPA find-then-save, AUTO flush";
    private static final String UNNEST_RETURNING = "JDBC unnest, 1 stmt/tx, returning";
    private static final String UPSERT_SEQ = "@Upsert seq";

    private Report() {
    }

    /** A contender's measured rounds, summarised. */
    record Summary(String name, boolean rawJdbc, Stats stats, String statements, String roundTrips,
                   List<String> problems, int failedRuns, int runs) {

        boolean passed() {
            return failedRuns == 0 && stats != null;
        }
    }

    static Summary summarise(Contender c, List<Benchmarks.Run> runs, Long roundTrips) {
        List<Double> rates = new ArrayList<>();
        List<Double> statements = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int failed = 0;
        for (Benchmarks.Run run : runs) {
            if (!run.problems().isEmpty()) {
                failed++;
                if (problems.isEmpty()) {
                    problems.addAll(run.problems());
                }
            }
            if (!run.warmUp() && !Double.isNaN(run.seconds())) {
                rates.add(run.rate());
                OptionalLong n = run.statements();
                if (n.isPresent()) {
                    statements.add((double) n.getAsLong());
                }
            }
        }
        return new Summary(c.name(), c.rawJdbc(), rates.isEmpty() ? null : Stats.of(rates),
                statements.isEmpty() ? "n/a" : String.format("%,.0f", Stats.of(statements).median()),
                roundTrips == null ? "n/a" : String.format("%,d", roundTrips), problems, failed, runs.size());
    }

    static String table(Map<Contender, List<Benchmarks.Run>> runs, Map<Contender, Long> roundTrips,
                        Map<String, String> bootFailures, Benchmarks.Options options) {
        List<Summary> summaries = new ArrayList<>();
        runs.forEach((c, r) -> summaries.add(summarise(c, r, roundTrips.get(c))));
        Summary base = summaries.stream().filter(s -> s.rawJdbc() && s.passed())
                .max((a, b) -> Double.compare(a.stats().median(), b.stats().median())).orElse(null);

        StringBuilder out = new StringBuilder();
        out.append(String.format("%nW1 results (%,d upserts per run; rows/s over %d measured rounds; ratio = median / median of %s)%n",
                options.rows, options.rounds, base == null ? "n/a: no raw-JDBC contender passed" : base.name()));
        String format = "%-36s %13s  %-15s %7s  %9s  %11s  %s%n";
        out.append(String.format(format, "contender", "median rows/s", "min-max", "vs JDBC", "stmts/run", "round trips",
                "verification"));
        out.append("-".repeat(130)).append('\n');
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
            out.append(String.format(format, s.name(), median, range, ratio, s.statements(), s.roundTrips(), verdict));
        }
        bootFailures.forEach((name, why) -> out.append(String.format(format, name, "-", "-", "-", "-", "-", "FAIL: " + why)));
        if (footnote) {
            out.append("(...) = timed, but the result was wrong: not a success.\n");
        }
        out.append("stmts/run = statements on table account and its sequence, per run (pg_stat_statements; n/a without it).\n");
        out.append("round trips = Sync messages pgjdbc sent in one extra, untimed run (from its FINEST protocol log).\n");
        out.append(targets(summaries, bootFailures));
        return out.toString();
    }

    private static String targets(List<Summary> summaries, Map<String, String> bootFailures) {
        Summary sqlInsert = find(summaries, SQL_INSERT_REWRITE);
        Summary findThenSave = find(summaries, FIND_THEN_SAVE);
        Summary findThenSaveAuto = find(summaries, FIND_THEN_SAVE_AUTO);
        Summary unnestReturning = find(summaries, UNNEST_RETURNING);
        Summary seq = find(summaries, UPSERT_SEQ);
        StringBuilder out = new StringBuilder("Targets (ratios of W1 medians, this run):\n");
        for (Summary ours : summaries) {
            if (!ours.name().startsWith("@Upsert")) {
                continue;
            }
            out.append(String.format("  %-22s", ours.name()));
            if (!ours.passed()) {
                out.append(" n/a: FAILED verification, not a result\n");
                continue;
            }
            out.append(String.format(" vs %s: %s (target >= 1.5);  vs %s: %s (target >= 0.8);  vs %s: %s (AUTO flush: %s)",
                    SQL_INSERT_REWRITE, ratio(ours, sqlInsert), UNNEST_RETURNING, ratio(ours, unnestReturning),
                    FIND_THEN_SAVE, ratio(ours, findThenSave), ratio(ours, findThenSaveAuto)));
            if (!ours.name().startsWith(UPSERT_SEQ)) {
                out.append(String.format(";  vs %s: %s (target >= 0.9)", UPSERT_SEQ, ratio(ours, seq)));
            }
            out.append('\n');
        }
        bootFailures.keySet().stream().filter(n -> n.startsWith("@Upsert"))
                .forEach(n -> out.append(String.format("  %-22s n/a: did not boot%n", n)));
        return out.toString().endsWith(":\n") ? "" : out.toString();
    }

    private static Summary find(List<Summary> summaries, String name) {
        return summaries.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    private static String ratio(Summary a, Summary b) {
        return b == null || b.stats() == null ? "n/a" : String.format("%.2f", a.stats().ratioTo(b.stats()));
    }
}
