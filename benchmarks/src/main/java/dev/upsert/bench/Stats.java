package dev.upsert.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Median, minimum and maximum of a contender's measured rates. */
record Stats(double median, double min, double max) {

    static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Stats(median, sorted[0], sorted[n - 1]);
    }

    /** This median over {@code base}'s median: above 1 is faster. */
    double ratioTo(Stats base) {
        return median / base.median;
    }

    /**
     * The median, over the measured rounds, of {@code rates}' rate over {@code base}'s in the same round (both in round
     * order; NaN for a round that did not finish); NaN when no round has both. The contenders take turns within a
     * round, so each pair ran seconds apart, on the same state of a shared machine; the ratio of the two medians pairs
     * rates from different rounds.
     */
    static double pairedRatio(List<Double> rates, List<Double> base) {
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round < Math.min(rates.size(), base.size()); round++) {
            double ratio = rates.get(round) / base.get(round);
            if (Double.isFinite(ratio)) {
                ratios.add(ratio);
            }
        }
        return ratios.isEmpty() ? Double.NaN : of(ratios).median();
    }

    /**
     * A ratio as printed: the ratio of the medians, then the median of the per-round ratios, each with three digits
     * where two would put it on the other side of {@code target} (0.798 against 0.8 prints 0.798, not 0.80, which reads
     * as met); NaN: no target, two digits.
     */
    static String ratioText(Stats stats, List<Double> rounds, Stats base, List<Double> baseRounds, double target) {
        double paired = pairedRatio(rounds, baseRounds);
        return digits(stats.ratioTo(base), target) + (Double.isNaN(paired) ? "" : " [by round " + digits(paired, target) + "]");
    }

    static String digits(double ratio, double target) {
        double rounded = Math.round(ratio * 100) / 100.0;
        boolean misleads = !Double.isNaN(target) && (ratio >= target) != (rounded >= target);
        return String.format(misleads ? "%.3f" : "%.2f", ratio);
    }
}
