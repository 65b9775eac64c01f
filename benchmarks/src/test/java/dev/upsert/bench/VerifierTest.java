package dev.upsert.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class VerifierTest {

    private final Workload workload = Workload.w1(4, 1);
    private final Map<String, Long> seededIds = Map.of(Workload.email(0), 1L, Workload.email(1), 51L);

    /** The table as a correct upsert leaves it: seeded ids and created_at kept, everything else proposed. */
    private Map<String, StoredRow> correctTable() {
        Map<String, StoredRow> rows = new HashMap<>();
        long nextId = 101;
        for (AccountRow r : workload.upserts()) {
            Long seededId = seededIds.get(r.email());
            AccountRow seed = workload.seed().stream().filter(s -> s.email().equals(r.email())).findFirst().orElse(null);
            rows.put(r.email(), new StoredRow(seededId != null ? seededId : nextId++, r.email(), r.name(), r.balance(),
                    seed != null ? seed.createdAt() : r.createdAt(), r.updatedAt()));
        }
        return rows;
    }

    private static Map<String, Contender.Held> heldAsStored(Map<String, StoredRow> rows) {
        Map<String, Contender.Held> held = new HashMap<>();
        rows.forEach((email, row) -> held.put(email, new Contender.Held(row.id(), row.createdAt())));
        return held;
    }

    @Test
    void aCorrectResultHasNoProblems() {
        Map<String, StoredRow> rows = correctTable();
        assertThat(Verifier.check(workload, seededIds, rows, null)).isEmpty();
        assertThat(Verifier.check(workload, seededIds, rows, heldAsStored(rows))).isEmpty();
    }

    @Test
    void aJavaObjectHoldingItsOwnSequenceIdIsReported() {
        Map<String, StoredRow> rows = correctTable();
        Map<String, Contender.Held> held = heldAsStored(rows);
        String existing = Workload.email(0);
        held.put(existing, new Contender.Held(999L, rows.get(existing).createdAt()));

        assertThat(Verifier.check(workload, seededIds, rows, held))
                .containsExactly("1 existing rows whose Java object holds another id (e.g. user0@example.com: object 999, row 1)");
    }

    @Test
    void overwrittenCreatedAtAndChangedIdsAreReported() {
        Map<String, StoredRow> rows = correctTable();
        StoredRow r = rows.get(Workload.email(1));
        rows.put(r.email(), new StoredRow(7, r.email(), r.name(), r.balance(), r.updatedAt(), r.updatedAt()));

        List<String> problems = Verifier.check(workload, seededIds, rows, null);

        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith("1 existing rows with a changed id");
        assertThat(problems.get(1)).startsWith("1 existing rows with created_at overwritten");
    }

    @Test
    void missingRowsAndStaleValuesAreReported() {
        Map<String, StoredRow> rows = correctTable();
        rows.remove(Workload.email(3));
        StoredRow r = rows.get(Workload.email(2));
        rows.put(r.email(), new StoredRow(r.id(), r.email(), "old", r.balance(), r.createdAt(), r.updatedAt()));

        assertThat(Verifier.check(workload, seededIds, rows, null)).containsExactlyInAnyOrder(
                "row count 3, expected 4",
                "1 rows without the upserted values (e.g. user2@example.com: name old, expected r1-2)",
                "1 rows missing (e.g. user3@example.com)");
    }
}
