package dev.upsert.sample;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

/**
 * Scenario 7: a catalogue import where every other SKU is already in the table. The products are persisted in
 * transactions of {@value #ROWS_PER_TRANSACTION} rows and flushed every {@link DemoPersistence#BATCH_SIZE}, so
 * the upserts leave in batches, one statement each.
 */
record BulkImport(EntityManagerFactory emf, SqlLog sqlLog, Report report, DataSource dataSource) {

    static final int ROWS_PER_TRANSACTION = 5_000;

    void run(int rows) throws SQLException {
        int present = seedEveryOtherSku(rows);
        report.step(String.format("seeded %,d of the %,d SKUs with plain SQL (old name and price)", present, rows));

        Map<String, Integer> outcomes = new TreeMap<>();
        Instant importedAt = Instant.now();
        long start = System.nanoTime();
        int progressEvery = Math.max(rows / 5, 1);
        for (int first = 1; first <= rows; first += ROWS_PER_TRANSACTION) {
            int from = first;
            int to = Math.min(rows, first + ROWS_PER_TRANSACTION - 1);
            emf.runInTransaction(em -> importRange(em, from, to, importedAt, outcomes));
            if (to / progressEvery != (from - 1) / progressEvery || to == rows) {
                report.step(String.format("imported %,7d / %,d rows  (%,.0f rows/s)", to, rows, perSecond(to, start)));
            }
        }
        report.step(String.format("done: %,d rows in %.1f s, %,.0f rows/s", rows,
                (System.nanoTime() - start) / 1e9, perSecond(rows, start)));
        report.sql(sqlLog.drain());
        List<String> summary = new ArrayList<>();
        outcomes.forEach((outcome, count) -> summary.add(outcome + " x" + count));
        report.outcomes(summary);
        report.table("select count(*) as products, count(*) filter (where name like '% (2026)') as with_new_name,"
                + " count(distinct sku) as skus from product");
        report.table("select id, sku, name, price from product order by sku limit 4");
    }

    private void importRange(EntityManager em, int from, int to, Instant importedAt, Map<String, Integer> outcomes) {
        List<Product> pending = new ArrayList<>(DemoPersistence.BATCH_SIZE);
        for (int n = from; n <= to; n++) {
            Product product = new Product(sku(n), "Product " + n + " (2026)", price(n), importedAt);
            em.persist(product);
            pending.add(product);
            if (pending.size() == DemoPersistence.BATCH_SIZE || n == to) {
                em.flush();
                for (Product p : pending) {
                    outcomes.merge(Demo.outcome(em, p), 1, Integer::sum);
                }
                // a long import keeps only the current batch in the persistence context
                em.clear();
                pending.clear();
            }
        }
    }

    /** Every even SKU is already there, with ids the sequence will not hand out again. */
    private int seedEveryOtherSku(int rows) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement seed = c.prepareStatement("insert into product (id, sku, name, price, updated_at)"
                     + " select n / 2, 'SKU-' || lpad(n::text, 6, '0'), 'Product ' || n || ' (old)', 1.00, now()"
                     + " from generate_series(2, ?, 2) as n")) {
            seed.setInt(1, rows);
            int seeded = seed.executeUpdate();
            try (Statement s = c.createStatement()) {
                s.execute("select setval('product_seq', coalesce(max(id), 0) + 50) from product");
            }
            return seeded;
        }
    }

    static String sku(int n) {
        return String.format("SKU-%06d", n);
    }

    private static BigDecimal price(int n) {
        return BigDecimal.valueOf(500 + n % 9_500, 2);
    }

    private static double perSecond(int rows, long startNanos) {
        return rows / Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
    }
}
