package dev.upsert;

import java.io.Serializable;

/**
 * A sequence that is behind the table it numbers: its next values are ids that already exist, so inserts fail with
 * SQLSTATE 23505 on the primary key. The classic cause is a data-only restore or a copy of rows with their ids
 * ({@code pg_dump --data-only}, {@code COPY}, an ETL job): sequences do not move when rows are written with explicit
 * ids.
 * <p>
 * Found by {@link DuplicateKeyException#getSequenceDrift()} when the violated key is a single generated id column,
 * and at boot by {@link UpsertSettings#CHECK_SEQUENCES}. Repair it once by running {@link #repairSql()}:
 *
 * <pre>{@code
 * select setval('app.account_id_seq', (select max(id) from app.account))
 * }</pre>
 *
 * @param sequenceName the sequence, schema-qualified and quoted as needed, e.g. {@code app.account_id_seq}
 * @param lastValue    the sequence's last value ({@code pg_sequences.last_value}; its start value if never used)
 * @param maxKey       the largest id in the table
 * @param repairSql    the statement that moves the sequence past {@code maxKey}:
 *                     {@code select setval('<sequence>', (select max(<id>) from <table>))}
 * @since 0.2
 */
public record SequenceDrift(String sequenceName, long lastValue, long maxKey, String repairSql) implements Serializable {
}
