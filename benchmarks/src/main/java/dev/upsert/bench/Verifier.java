package dev.upsert.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks what the table holds after a W1 run: one row per key, the proposed values on every upserted row, the
 * seeded rows' ids and {@code created_at} untouched, the new rows' {@code created_at} as proposed, and for entity
 * contenders that every Java object holds its row's id and {@code created_at}.
 */
final class Verifier {

    private final Map<String, int[]> counts = new LinkedHashMap<>();
    private final Map<String, String> examples = new LinkedHashMap<>();

    private Verifier() {
    }

    /** What is wrong, one line per kind of problem with a count and an example; empty when the result is right. */
    static List<String> check(Workload workload, Map<String, Long> seededIds, Map<String, StoredRow> stored,
                              Map<String, Contender.Held> held) {
        Verifier v = new Verifier();
        Map<String, AccountRow> seeded = new LinkedHashMap<>();
        workload.seed().forEach(r -> seeded.put(r.email(), r));
        Set<String> expectedKeys = new HashSet<>(seeded.keySet());
        workload.upserts().forEach(r -> expectedKeys.add(r.email()));

        if (stored.size() != expectedKeys.size()) {
            v.problem("row count " + stored.size() + ", expected " + expectedKeys.size(), null);
        }
        for (String email : stored.keySet()) {
            if (!expectedKeys.contains(email)) {
                v.problem("unexpected rows", email);
            }
        }
        for (AccountRow proposed : workload.upserts()) {
            String email = proposed.email();
            StoredRow row = stored.get(email);
            if (row == null) {
                v.problem("rows missing", email);
                continue;
            }
            if (!row.name().equals(proposed.name()) || row.balance() != proposed.balance()
                    || !row.updatedAt().toInstant().equals(proposed.updatedAt().toInstant())) {
                v.problem("rows without the upserted values", email + ": name " + row.name() + ", expected " + proposed.name());
            }
            AccountRow seed = seeded.get(email);
            if (seed != null) {
                Long seededId = seededIds.get(email);
                if (!Objects.equals(seededId, row.id())) {
                    v.problem("existing rows with a changed id", email + ": id " + row.id() + ", was " + seededId);
                }
                if (!row.createdAt().toInstant().equals(seed.createdAt().toInstant())) {
                    v.problem("existing rows with created_at overwritten", email + ": " + row.createdAt());
                }
            } else if (!row.createdAt().toInstant().equals(proposed.createdAt().toInstant())) {
                v.problem("new rows with a wrong created_at", email + ": " + row.createdAt());
            }
            if (held != null) {
                Contender.Held object = held.get(email);
                if (object == null) {
                    v.problem("upserts without a Java object", email);
                } else {
                    if (!Objects.equals(object.id(), row.id())) {
                        v.problem((seed != null ? "existing" : "new") + " rows whose Java object holds another id",
                                email + ": object " + object.id() + ", row " + row.id());
                    }
                    if (object.createdAt() == null
                            || !object.createdAt().toInstant().equals(row.createdAt().toInstant())) {
                        v.problem((seed != null ? "existing" : "new") + " rows whose Java object holds another created_at",
                                email + ": object " + object.createdAt() + ", row " + row.createdAt());
                    }
                }
            }
        }
        return v.lines();
    }

    private void problem(String kind, String example) {
        counts.computeIfAbsent(kind, k -> new int[1])[0]++;
        if (example != null) {
            examples.putIfAbsent(kind, example);
        }
    }

    private List<String> lines() {
        List<String> lines = new ArrayList<>();
        counts.forEach((kind, n) -> {
            String example = examples.get(kind);
            boolean counted = example != null;
            lines.add((counted ? n[0] + " " : "") + kind + (counted ? " (e.g. " + example + ")" : ""));
        });
        return lines;
    }
}
