package dev.upsert.sample;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import jakarta.persistence.EntityManagerFactory;

import dev.upsert.DuplicateKeyException;
import dev.upsert.SequenceDrift;

/**
 * Scenario 9: invoices restored with their ids (as {@code pg_dump --data-only} or a copy between databases writes
 * them) while the table's identity sequence stayed at its start. The next insert fails on the primary key; the
 * exception names the sequence and the repair, which the scenario applies before inserting again.
 */
record RestoredTable(EntityManagerFactory emf, SqlLog sqlLog, Report report, DataSource dataSource) {

    void run() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("insert into invoice (id, number, amount) values"
                    + " (1, 'INV-2026-001', 120.00), (2, 'INV-2026-002', 80.50), (3, 'INV-2026-003', 42.00)");
        }
        report.step("restore: 3 invoices written with their ids 1 to 3; the identity sequence was not moved");
        try {
            insert("INV-2026-004");
            throw new IllegalStateException("the insert after the restore should have failed on invoice_pkey");
        } catch (RuntimeException e) {
            DuplicateKeyException duplicate = DuplicateKeyException.find(e).orElseThrow(() -> e);
            SequenceDrift drift = duplicate.getSequenceDrift().orElseThrow(() -> new IllegalStateException(
                    "no sequence diagnosis on " + duplicate.getConstraintName(), duplicate));
            report.step("persist Invoice(INV-2026-004)  -> DuplicateKeyException on " + duplicate.getConstraintName()
                    + " " + duplicate.getColumnNames());
            report.step("    getSequenceDrift(): sequence=" + drift.sequenceName() + " lastValue=" + drift.lastValue()
                    + " maxKey=" + drift.maxKey());
            report.step("    the message says: " + duplicate.getMessage().substring(duplicate.getMessage().indexOf("The sequence")));
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute(drift.repairSql());
            }
            report.step("repair: " + drift.repairSql());
        }
        Invoice invoice = insert("INV-2026-004");
        report.step("persist Invoice(INV-2026-004)  -> id=" + invoice.id);
        report.sql(sqlLog.drain());
        report.table("select id, number, amount from invoice order by id");
    }

    private Invoice insert(String number) {
        return emf.callInTransaction(em -> {
            Invoice invoice = new Invoice(number, new BigDecimal("99.00"));
            em.persist(invoice);
            return invoice;
        });
    }
}
