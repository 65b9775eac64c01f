package dev.upsert.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

/** W4's arithmetic and option parsing, without a database (the module's unit tests stay fast). */
class OneRowTransactionsTest {

    @Test
    void percentilesAreNearestRankOverSortedLatencies() {
        long[] sorted = LongStream.rangeClosed(1, 100).toArray();
        assertThat(OneRowTransactions.percentile(sorted, 0.50)).isEqualTo(50);
        assertThat(OneRowTransactions.percentile(sorted, 0.99)).isEqualTo(99);
        assertThat(OneRowTransactions.percentile(new long[] {7}, 0.99)).isEqualTo(7);
        assertThat(OneRowTransactions.percentile(new long[0], 0.5)).isZero();
    }

    @Test
    void aNativeQuerysTimestampIsReadWhateverTypeHibernateHandsBack() {
        OffsetDateTime at = OffsetDateTime.of(2024, 6, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        Instant instant = at.toInstant();
        assertThat(OneRowTransactions.offsetDateTime(at)).isEqualTo(at);
        assertThat(OneRowTransactions.offsetDateTime(instant).toInstant()).isEqualTo(instant);
        assertThat(OneRowTransactions.offsetDateTime(Timestamp.from(instant)).toInstant()).isEqualTo(instant);
        assertThatThrownBy(() -> OneRowTransactions.offsetDateTime("2024")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theParentPidIsReadBehindTheCommandsParentheses() {
        // a command may hold spaces and parentheses of its own
        assertThat(Placement.parentOf("4242 (postgres: bench (x) idle) S 4100 4100 4100 0 -1 4194560")).isEqualTo(4100);
        assertThat(Placement.parentOf("1 (systemd) S 0 1 1 0 -1")).isZero();
    }

    @Test
    void w4PinIsOnUnlessTurnedOff() {
        assertThat(Benchmarks.Options.parse(new String[0]).w4Pin).isTrue();
        assertThat(Benchmarks.Options.parse(new String[] {"--w4-pin", "off"}).w4Pin).isFalse();
        assertThatThrownBy(() -> Benchmarks.Options.parse(new String[] {"--w4-pin", "maybe"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("on or off");
    }

    @Test
    void w4OptionsAreParsedAndZeroSkips() {
        Benchmarks.Options o = Benchmarks.Options.parse(new String[] {"--w4-tx", "1_000", "--w4-rounds", "2"});
        assertThat(o.w4Transactions).isEqualTo(1_000);
        assertThat(o.w4Rounds).isEqualTo(2);
        assertThat(Benchmarks.Options.parse(new String[] {"--w4-tx", "0"}).w4Transactions).isZero();
        assertThatThrownBy(() -> Benchmarks.Options.parse(new String[] {"--w4-rounds", "0"})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void warmUpRoundsRunUntilOneCompilesForUnderOnePercentOfItsTime() {
        Jit.Sample busy = new Jit.Sample(200, 5_000_000_000L);   // 4% of five seconds
        Jit.Sample quiet = new Jit.Sample(20, 5_000_000_000L);   // 0.4%
        assertThat(Jit.warmUpDue(0, null)).isTrue();
        assertThat(Jit.warmUpDue(1, busy)).isTrue();
        assertThat(Jit.warmUpDue(1, quiet)).isFalse();
        assertThat(Jit.warmUpDue(Jit.MAX_WARM_UP_ROUNDS, busy)).isFalse();
        // a JVM that keeps no compile time: a fixed number of rounds
        Jit.Sample unknown = new Jit.Sample(-1, 5_000_000_000L);
        assertThat(Jit.warmUpDue(Jit.UNMONITORED_WARM_UP_ROUNDS - 1, unknown)).isTrue();
        assertThat(Jit.warmUpDue(Jit.UNMONITORED_WARM_UP_ROUNDS, unknown)).isFalse();
    }

    @Test
    void theWarmUpIsReportedWithTheJitsShareOfTheMeasuredRounds() {
        Jit.Phase phase = new Jit.Phase(3, new Jit.Sample(20, 5_000_000_000L), new Jit.Sample(84, 42_000_000_000L));
        assertThat(phase.toString()).isEqualTo("3 warm-up rounds (quiet: the JIT compiled for 0.4% of the last one's time), "
                + "then the JIT compiled for 84 ms of the measured rounds' 42.0 s (0.20%)");
    }
}
