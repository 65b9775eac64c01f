package dev.upsert.bench;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * W1's data: {@code seed} rows already in the table, then {@code upserts}, shuffled, half of them on seeded keys
 * and half on new ones. Every value differs per round, so a contender cannot pass on a previous run's leftovers.
 */
record Workload(List<AccountRow> seed, List<AccountRow> upserts) {

    static final OffsetDateTime SEEDED_AT = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    static final OffsetDateTime UPSERTED_AT = OffsetDateTime.of(2024, 6, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    static String email(int i) {
        return "user" + i + "@example.com";
    }

    static Workload w1(int rows, int round) {
        int existing = rows / 2;
        List<AccountRow> seed = new ArrayList<>(existing);
        for (int i = 0; i < existing; i++) {
            seed.add(new AccountRow(email(i), "seed-" + i, i, SEEDED_AT.plusSeconds(i), SEEDED_AT.plusSeconds(i)));
        }
        List<AccountRow> upserts = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            OffsetDateTime at = UPSERTED_AT.plusDays(round).plusSeconds(i);
            upserts.add(new AccountRow(email(i), "r" + round + "-" + i, 1_000L * round + 7L * i, at, at));
        }
        Collections.shuffle(upserts, new Random(42L + round));
        return new Workload(seed, upserts);
    }

    /**
     * The contenders in the order they run in round {@code round}: shuffled, seeded by the round, so that no contender
     * always runs first after the reset, last, or right after the same other one (the server's backend and caches,
     * the JVM's heap and compiled code are what the one before leaves behind).
     */
    static <T> List<T> inRoundOrder(List<T> contenders, int round) {
        List<T> order = new ArrayList<>(contenders);
        Collections.shuffle(order, new Random(1_000L + round));
        return order;
    }

    /** {@code list} cut into consecutive pieces of {@code size}: one transaction each. */
    static <T> List<List<T>> chunks(List<T> list, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < list.size(); from += size) {
            chunks.add(list.subList(from, Math.min(list.size(), from + size)));
        }
        return chunks;
    }
}
