package dev.upsert.sample;

import java.util.Comparator;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Scenario 8: what {@code UpsertMetrics} counted while the scenarios before it ran. The race's find-then-save
 * failures show up as unexpected duplicates on {@code naive_signup_email_key}; the 409s of the typed-duplicate
 * scenario as expected ones, because {@link DemoPersistence#EXPECTED_CONSTRAINTS} names their constraints.
 */
record MetricsReport(MeterRegistry meters, Report report) {

    void run() {
        report.step("upsert.metrics.expected_constraints = " + DemoPersistence.EXPECTED_CONSTRAINTS);
        report.step("upsert.duplicate.keys (one per 23505):");
        print("upsert.duplicate.keys", "constraint", "table", "entity", "expected");
        report.step("upsert.rows (one per upserted row):");
        print("upsert.rows", "entity", "outcome");
        long unexpected = Math.round(meters.find("upsert.duplicate.keys").tag("expected", "false").counters().stream()
                .mapToDouble(Counter::count).sum());
        report.line("Alert on expected=\"false\": " + unexpected + " unexpected duplicate(s) would page; the expected ones would not.");
    }

    private void print(String name, String... tags) {
        List<Counter> counters = meters.find(name).counters().stream()
                .filter(c -> c.count() > 0)
                .sorted(Comparator.comparing((Counter c) -> describe(c, tags)))
                .toList();
        if (counters.isEmpty()) {
            report.step("    (none)");
        }
        int width = counters.stream().mapToInt(c -> describe(c, tags).length()).max().orElse(0);
        for (Counter counter : counters) {
            report.step(String.format("    %-" + width + "s %6d", describe(counter, tags), Math.round(counter.count())));
        }
    }

    private static String describe(Counter counter, String... tags) {
        StringBuilder s = new StringBuilder("{");
        for (String tag : tags) {
            s.append(s.length() == 1 ? "" : ", ").append(tag).append('=').append(counter.getId().getTag(tag));
        }
        return s.append('}').toString();
    }
}
