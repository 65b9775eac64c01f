package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.JDBCException;
import org.hibernate.exception.GenericJDBCException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyException;
import dev.upsert.HostileKeys;
import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * {@code @Upsert} keyed on a text column with values that break naive SQL, COPY, logging or Unicode handling
 * ({@link HostileKeys}): the table holds exactly the bytes written, every entity holds its row's id, a second upsert
 * of each key updates, and a key too large for the btree index fails cleanly with SQLSTATE 54000.
 */
@PostgresTest
class UpsertHostileKeysIT {

    /** Sequence ids: upserts run at flush, in JDBC batches. */
    @Entity @Table(name = "handle_seq", uniqueConstraints = @UniqueConstraint(name = "handle_seq_handle_key", columnNames = "handle"))
    @Upsert(on = "handle")
    static class SeqHandle extends SequenceId {
        @Column(length = 100_000) String handle;
        String note;
        SeqHandle() { }
        SeqHandle(String handle, String note) { this.handle = handle; this.note = note; }
    }

    /** IDENTITY ids: drawn in blocks from the column's sequence; the upserts wait for the flush. */
    @Entity @Table(name = "handle_identity", uniqueConstraints = @UniqueConstraint(name = "handle_identity_handle_key", columnNames = "handle"))
    @Upsert(on = "handle")
    static class IdentityHandle {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @Column(length = 100_000) String handle;
        String note;
        IdentityHandle() { }
        IdentityHandle(String handle, String note) { this.handle = handle; this.note = note; }
    }

    /** DO NOTHING: a conflict returns no row, so the stored row is read back by binding the key again. */
    @Entity @Table(name = "handle_nothing", uniqueConstraints = @UniqueConstraint(name = "handle_nothing_handle_key", columnNames = "handle"))
    @Upsert(on = "handle", action = Upsert.Action.NOTHING)
    static class NothingHandle extends SequenceId {
        @Column(length = 100_000) String handle;
        String note;
        NothingHandle() { }
        NothingHandle(String handle, String note) { this.handle = handle; this.note = note; }
    }

    private static final List<String> KEYS = HostileKeys.values();
    @AutoClose private static Jpa jpa;

    @BeforeAll
    static void boot(TestSchema db) {
        jpa = new Jpa(db, Map.of("hibernate.jdbc.batch_size", "16"), SeqHandle.class, IdentityHandle.class, NothingHandle.class);
    }

    @BeforeEach
    void empty(TestSchema db) {
        db.execute("truncate handle_seq, handle_identity, handle_nothing");
    }

    @Test
    void theKeysAreDistinctAndNulFree() {
        assertThat(KEYS).doesNotHaveDuplicates().noneMatch(k -> k.indexOf('\u0000') >= 0);
        assertThat(KEYS.size()).isGreaterThan(80);
    }

    @Test
    void batchedUpsertsStoreEveryKeyByteForByteAndUpdateOnTheSecondRound(TestSchema db) throws SQLException {
        List<SeqHandle> first = upsertEveryKeyInOneFlush("first", UpsertOutcome.INSERTED);
        Map<String, Long> rows = assertTableHoldsExactly(db, "handle_seq", "first");
        first.forEach(h -> assertThat(h.id).as(name(h.handle)).isEqualTo(rows.get(h.handle)));

        List<SeqHandle> second = upsertEveryKeyInOneFlush("second", UpsertOutcome.UPDATED);
        assertThat(assertTableHoldsExactly(db, "handle_seq", "second")).isEqualTo(rows);
        second.forEach(h -> assertThat(h.id).as(name(h.handle)).isEqualTo(rows.get(h.handle)));
    }

    @Test
    void singleUpsertsStoreEveryKeyByteForByteAndUpdateOnTheSecondRound(TestSchema db) throws SQLException {
        Map<String, Long> ids = new HashMap<>();
        for (String key : KEYS) {
            IdentityHandle h = upsertAlone(key, "first", UpsertOutcome.INSERTED);
            ids.put(key, h.id);
        }
        Map<String, Long> rows = assertTableHoldsExactly(db, "handle_identity", "first");
        assertThat(ids).isEqualTo(rows);

        for (String key : KEYS) {
            IdentityHandle h = upsertAlone(key, "second", UpsertOutcome.UPDATED);
            assertThat(h.id).as(name(key)).isEqualTo(rows.get(key));
        }
        assertThat(assertTableHoldsExactly(db, "handle_identity", "second")).isEqualTo(rows);

        // one sequence-id upsert per flush takes the single-statement path of a batch of one
        for (String key : KEYS) {
            jpa.run(em -> em.persist(new SeqHandle(key, "alone")));
        }
        Map<String, Long> seqRows = assertTableHoldsExactly(db, "handle_seq", "alone");
        for (String key : KEYS) {
            SeqHandle h = jpa.tx(em -> { SeqHandle e = new SeqHandle(key, "alone again"); em.persist(e); em.flush(); return e; });
            assertThat(h.id).as(name(key)).isEqualTo(seqRows.get(key));
        }
        assertThat(assertTableHoldsExactly(db, "handle_seq", "alone again")).isEqualTo(seqRows);
    }

    /** A {@link SeqHandle} per key, with {@code note}, in one transaction: after its flush each reports {@code outcome}. */
    private static List<SeqHandle> upsertEveryKeyInOneFlush(String note, UpsertOutcome outcome) {
        return jpa.tx(em -> {
            List<SeqHandle> list = new ArrayList<>();
            for (String key : KEYS) {
                SeqHandle h = new SeqHandle(key, note);
                em.persist(h);
                list.add(h);
            }
            em.flush();
            list.forEach(h -> assertThat(Upserts.outcome(em, h)).as(name(h.handle)).contains(outcome));
            return list;
        });
    }

    /** One {@link IdentityHandle} in a transaction of its own, flushed: it reports {@code outcome}. */
    private static IdentityHandle upsertAlone(String key, String note, UpsertOutcome outcome) {
        return jpa.tx(em -> {
            IdentityHandle e = new IdentityHandle(key, note);
            em.persist(e);
            em.flush();
            assertThat(Upserts.outcome(em, e)).as(name(key)).contains(outcome);
            return e;
        });
    }

    @Test
    void doNothingReadsTheStoredRowBackByTheHostileKey(TestSchema db) throws SQLException {
        jpa.run(em -> KEYS.forEach(key -> em.persist(new NothingHandle(key, "kept"))));
        Map<String, Long> rows = assertTableHoldsExactly(db, "handle_nothing", "kept");

        List<NothingHandle> again = jpa.tx(em -> {
            List<NothingHandle> list = new ArrayList<>();
            KEYS.forEach(key -> { NothingHandle h = new NothingHandle(key, "ignored"); em.persist(h); list.add(h); });
            em.flush();
            list.forEach(h -> assertThat(Upserts.outcome(em, h)).as(name(h.handle)).contains(UpsertOutcome.SKIPPED));
            return list;
        });
        for (NothingHandle h : again) {
            assertThat(h.id).as(name(h.handle)).isEqualTo(rows.get(h.handle));
            assertThat(h.note).as(name(h.handle)).isEqualTo("kept");     // the stored row came back
        }
        assertThat(assertTableHoldsExactly(db, "handle_nothing", "kept")).isEqualTo(rows);
    }

    @Test
    void normalizationFormsAreDifferentKeys(TestSchema db) {
        String nfc = "caf\u00e9";
        String nfd = "cafe\u0301";
        jpa.run(em -> { em.persist(new SeqHandle(nfc, "nfc")); em.persist(new SeqHandle(nfd, "nfd")); });
        jpa.run(em -> { em.persist(new SeqHandle(nfd, "nfd again")); });
        assertThat(db.query("select encode(convert_to(handle, 'UTF8'), 'hex'), note from handle_seq order by note"))
                .containsExactly(List.of("636166c3a9", "nfc"), List.of("63616665cc81", "nfd again"));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // A key too large for a btree entry: 54000, not a duplicate, nothing written, no value in the message.

    /** 6,000 incompressible chars: "index row size 6016 exceeds btree version 4 maximum 2704". */
    private static final String OVER_BTREE_LIMIT = HostileKeys.random(6_000, 54_000);
    /** 10,000 incompressible chars: "index row requires 10016 bytes, maximum size is 8191". */
    private static final String OVER_INDEX_TUPLE_LIMIT = HostileKeys.random(10_000, 54_001);

    /**
     * In a batch pgjdbc's BatchUpdateException message quotes the failing entry with its parameters. Hibernate's
     * exception copies it into its own message, which the extension redacts by default, and wraps the driver's
     * exception, which the extension replaces by a copy without them; {@code logServerErrorDetail=false} (the advice
     * in docs/duplicate-keys.md for exceptions that never pass through Hibernate) leaves them out at the source.
     */
    @Test
    void aKeyTooLargeForTheIndexFailsWith54000InABatch(TestSchema db) {
        try (Jpa quiet = new Jpa(db, Map.of("hibernate.jdbc.batch_size", "16",
                "jakarta.persistence.jdbc.url", db.jdbcUrl("logServerErrorDetail=false"),
                "jakarta.persistence.schema-generation.database.action", "none"), SeqHandle.class)) {
            jpa.run(em -> em.persist(new SeqHandle("seed", "seed")));
            for (String huge : List.of(OVER_BTREE_LIMIT, OVER_INDEX_TUPLE_LIMIT)) {
                for (Jpa unit : List.of(jpa, quiet)) {
                    Throwable thrown = failing(() -> unit.tx(em -> {
                        em.persist(new SeqHandle("before", "x"));
                        em.persist(new SeqHandle(huge, "x"));
                        em.persist(new SeqHandle("seed", "changed"));
                        em.flush();
                        return null;
                    }));
                    assertTooLarge(thrown, huge);
                    assertThat(db.query("select handle, note from handle_seq")).containsExactly(List.of("seed", "seed"));
                }
            }
        }
    }

    @Test
    void aKeyTooLargeForTheIndexFailsWith54000Alone(TestSchema db) {
        for (String huge : List.of(OVER_BTREE_LIMIT, OVER_INDEX_TUPLE_LIMIT)) {
            assertTooLarge(failing(() -> jpa.tx(em -> { em.persist(new IdentityHandle(huge, "x")); em.flush(); return null; })), huge);
            assertTooLarge(failing(() -> jpa.tx(em -> { em.persist(new SeqHandle(huge, "x")); em.flush(); return null; })), huge);
        }
        assertThat(db.queryLong("select count(*) from handle_identity")).isZero();
        assertThat(db.queryLong("select count(*) from handle_seq")).isZero();
    }

    private static void assertTooLarge(Throwable thrown, String huge) {
        // Hibernate's converter has no class for 54000 (program limit exceeded): its generic JDBC exception, unwrapped
        assertThat(thrown).isExactlyInstanceOf(GenericJDBCException.class).isNotInstanceOf(DuplicateKeyException.class);
        assertThat(DuplicateKeyException.find(thrown)).isEmpty();
        JDBCException jdbc = (JDBCException) thrown;
        assertThat(jdbc.getSQLState()).isEqualTo("54000");
        assertThat(jdbc.getMessage()).contains("index row");
        String sample = huge.substring(1000, 1020);
        assertThat(jdbc.getMessage()).doesNotContain(sample);
        // no 20-character stretch of the value anywhere in the messages of the chain: by default the driver's exception
        // under Hibernate's is a copy without its statement, and with logServerErrorDetail=false pgjdbc leaves it out
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).as(t.getClass().getName()).doesNotContain(sample);
        }
    }

    private static Throwable failing(Supplier<?> work) {
        return catchThrowable(work::get);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The table holds exactly one row per key, byte for byte (compared as UTF-8 with what Java wrote), each with
     * {@code note}; returns key to row id.
     */
    private static Map<String, Long> assertTableHoldsExactly(TestSchema db, String table, String note) throws SQLException {
        Map<String, Long> rows = new HashMap<>();
        List<byte[]> stored = new ArrayList<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("select id, convert_to(handle, 'UTF8'), handle, note from " + table);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                byte[] bytes = rs.getBytes(2);
                String handle = rs.getString(3);
                assertThat(handle.getBytes(StandardCharsets.UTF_8)).isEqualTo(bytes);
                assertThat(rs.getString(4)).as(name(handle)).isEqualTo(note);
                stored.add(bytes);
                rows.put(handle, rs.getLong(1));
            }
        }
        assertThat(stored).hasSize(KEYS.size());
        for (String key : KEYS) {
            byte[] expected = key.getBytes(StandardCharsets.UTF_8);
            assertThat(stored.stream().filter(b -> Arrays.equals(b, expected)).count()).as(name(key)).isEqualTo(1);
        }
        return rows;
    }

    private static String name(String key) {
        for (var e : HostileKeys.all().entrySet()) {
            if (e.getValue().equals(key)) {
                return e.getKey();
            }
        }
        return key.length() > 40 ? key.substring(0, 40) + "..." : key;
    }
}
