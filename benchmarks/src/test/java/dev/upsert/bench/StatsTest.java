package dev.upsert.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void oddCountTakesTheMiddleValue() {
        Stats s = Stats.of(List.of(5.0, 1.0, 9.0, 3.0, 7.0));
        assertThat(s.median()).isEqualTo(5.0);
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(s.max()).isEqualTo(9.0);
    }

    @Test
    void evenCountAveragesTheTwoMiddleValues() {
        assertThat(Stats.of(List.of(4.0, 1.0, 3.0, 10.0)).median()).isEqualTo(3.5);
    }

    @Test
    void ratioIsMedianOverMedian() {
        assertThat(Stats.of(List.of(30.0)).ratioTo(Stats.of(List.of(10.0, 20.0)))).isEqualTo(2.0);
    }

    @Test
    void thePerRoundRatioPairsRatesOfTheSameRound() {
        // W3 at 23:51 UTC, @Upsert NOTHING seq against raw get-or-create: the medians give 0.74, the rounds 0.98
        List<Double> ours = List.of(49_474.0, 38_748.0, 61_470.0, 39_950.0, 38_910.0);
        List<Double> raw = List.of(42_325.0, 39_500.0, 62_795.0, 57_154.0, 53_921.0);
        assertThat(Stats.of(ours).ratioTo(Stats.of(raw))).isCloseTo(0.741, org.assertj.core.data.Offset.offset(0.001));
        assertThat(Stats.pairedRatio(ours, raw)).isCloseTo(0.979, org.assertj.core.data.Offset.offset(0.001));
        assertThat(Stats.ratioText(Stats.of(ours), ours, Stats.of(raw), raw, Double.NaN)).isEqualTo("0.74 [by round 0.98]");
    }

    @Test
    void aRoundThatDidNotFinishIsLeftOutOfThePairs() {
        assertThat(Stats.pairedRatio(List.of(10.0, Double.NaN, 30.0), List.of(20.0, 10.0, 10.0))).isEqualTo(1.75);
        assertThat(Stats.pairedRatio(List.of(Double.NaN), List.of(1.0))).isNaN();
        assertThat(Stats.ratioText(Stats.of(List.of(2.0)), List.of(Double.NaN), Stats.of(List.of(1.0)), List.of(1.0), Double.NaN))
                .isEqualTo("2.00");
    }

    @Test
    void aRatioThatTwoDigitsWouldCarryAcrossItsTargetGetsThree() {
        // the 08:56 UTC run on 2026-12-07: @Upsert seq at 0.798 of the raw statement printed as 0.80
        assertThat(Stats.digits(0.798, 0.8)).isEqualTo("0.798");
        assertThat(Stats.digits(0.902, 0.9)).isEqualTo("0.90");
        assertThat(Stats.digits(0.8951, 0.9)).isEqualTo("0.895");
        assertThat(Stats.digits(1.4962, 1.5)).isEqualTo("1.496");
        assertThat(Stats.digits(0.798, Double.NaN)).isEqualTo("0.80");
        List<Double> ours = List.of(798.0, 900.0);
        List<Double> raw = List.of(1_000.0, 1_000.0);
        assertThat(Stats.ratioText(Stats.of(List.of(798.0)), List.of(798.0), Stats.of(raw), List.of(1_000.0), 0.8))
                .isEqualTo("0.798 [by round 0.798]");
        assertThat(Stats.ratioText(Stats.of(ours), ours, Stats.of(raw), raw, 0.9)).isEqualTo("0.85 [by round 0.85]");
    }

    @Test
    void noValuesIsAnError() {
        assertThatThrownBy(() -> Stats.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
