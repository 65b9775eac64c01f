package dev.upsert.citus;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyException;
import dev.upsert.citus.CitusModel.Tally;
import dev.upsert.testing.CitusTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PooledPersistenceUnit;
import dev.upsert.testing.jpa.StartingGate;

/**
 * Eight threads upsert overlapping keys of a distributed table through the coordinator, each transaction several keys
 * over four tenants (shards on both workers), persisted in random order. No duplicate key ever fails, and no update is
 * lost: every key's {@code @Version} counts exactly the committed upserts of it. Distributed deadlocks (40P01, which
 * Citus' detector raises when two transactions wait for each other on different workers) are counted and reported:
 * the library sends each flush's rows in key order, but Citus runs a multi-shard statement's shard tasks in parallel,
 * so lock order across shards is not fixed by the statement (see docs/citus.md, "Concurrency").
 */
@CitusTest
class CitusConcurrencyIT {

    static final int THREADS = 8;
    static final int TRANSACTIONS = 25;
    static final int KEYS = 40;

    private void run(TestSchema db, int rowsPerTransaction, String label) throws Exception {
        db.execute("""
                drop table if exists tally; drop sequence if exists tally_seq;
                create sequence tally_seq increment by 50;
                create table tally (id bigint not null, tenant_id bigint not null, name text not null, writer text,
                    version int not null, primary key (tenant_id, id), constraint tally_key unique (tenant_id, name));
                select create_distributed_table('tally', 'tenant_id');
                """);
        try (PooledPersistenceUnit unit = CitusModel.pooled(db, "citus-concurrency", THREADS, Tally.class)) {
            Map<String, AtomicInteger> committed = new ConcurrentHashMap<>();
            AtomicInteger duplicates = new AtomicInteger();
            AtomicInteger deadlocks = new AtomicInteger();
            List<Throwable> others = Collections.synchronizedList(new ArrayList<>());
            long began = System.nanoTime();
            StartingGate.run(THREADS, Duration.ofMinutes(5), thread -> {
                Random random = new Random(thread);
                for (int x = 0; x < TRANSACTIONS; x++) {
                    List<Integer> keys = new ArrayList<>();
                    for (int k = 0; k < KEYS; k++) {
                        keys.add(k);
                    }
                    Collections.shuffle(keys, random);
                    List<Integer> chosen = keys.subList(0, rowsPerTransaction);
                    try {
                        unit.run(em -> {
                            for (int k : chosen) {
                                em.persist(new Tally(k % 4 + 1, "key-" + k, "thread-" + thread));
                            }
                        });
                        chosen.forEach(k -> committed.computeIfAbsent("key-" + k, n -> new AtomicInteger()).incrementAndGet());
                    } catch (RuntimeException e) {
                        if (DuplicateKeyException.find(e).isPresent()) {
                            duplicates.incrementAndGet();
                        } else if ("40P01".equals(sqlState(e))) {
                            deadlocks.incrementAndGet();
                        } else {
                            others.add(e);
                        }
                    }
                }
                return null;
            });
            System.out.printf("[upsert-citus] %s: %d threads x %d transactions x %d rows over %d keys in %.1f s:"
                            + " %d duplicate-key failures, %d distributed deadlocks (40P01), %d other failures%n",
                    label, THREADS, TRANSACTIONS, rowsPerTransaction, KEYS, (System.nanoTime() - began) / 1e9,
                    duplicates.get(), deadlocks.get(), others.size());
            assertThat(others).isEmpty();
            assertThat(duplicates.get()).isZero();
            // no lost update: a key's version counts its committed upserts (0 for the insert, +1 per update)
            Map<String, Long> versions = new HashMap<>();
            for (List<Object> row : db.query("select name, version from tally")) {
                versions.put((String) row.get(0), ((Number) row.get(1)).longValue());
            }
            assertThat(versions.keySet()).isEqualTo(committed.keySet());
            committed.forEach((key, count) -> assertThat(versions.get(key)).as(key).isEqualTo(count.get() - 1L));
            if (rowsPerTransaction == 1) {
                assertThat(deadlocks.get()).as("one key per transaction cannot deadlock").isZero();
            }
        }
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    @Test
    void oneKeyPerTransaction(TestSchema db) throws Exception {
        run(db, 1, "one key per transaction");
    }

    @Test
    void eightKeysPerTransactionAcrossShards(TestSchema db) throws Exception {
        run(db, 8, "eight keys per transaction");
    }
}
