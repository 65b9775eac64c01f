package dev.upsert.internal.persister;

import dev.upsert.internal.compat.HibernateAccess;
import dev.upsert.internal.compat.LineBatch;
import dev.upsert.internal.session.SessionState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.persistence.EntityExistsException;

import org.hibernate.engine.jdbc.batch.spi.BatchKey;
import org.hibernate.engine.jdbc.batch.spi.BatchObserver;
import org.hibernate.engine.jdbc.mutation.JdbcValueBindings;
import org.hibernate.engine.jdbc.mutation.TableInclusionChecker;
import org.hibernate.engine.jdbc.mutation.group.PreparedStatementGroup;
import org.hibernate.engine.jdbc.spi.JdbcCoordinator;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * The pending upserts of one session, of every {@code @Upsert} type.
 * <p>
 * In a {@code Session} they are kept apart from Hibernate's JDBC batch ({@link #pendingFor}), so that the plain
 * inserts of a flush do not run them one by one in application order: they run as one group at the end of the
 * flush's inserts (before its first update, delete or collection statement, and at the end of the flush), or earlier
 * when a statement depends on them (an insert whose foreign key points to a type with pending rows). In a
 * {@code StatelessSession}, which has no flush, Hibernate's JDBC coordinator owns the batch like any other.
 * <p>
 * Types run in entity-name order and each type's rows in key order, so two transactions upserting overlapping keys
 * lock them in the same order and cannot deadlock (40P01, facts A4), whatever order they were persisted in.
 * <p>
 * Each chunk of up to {@link UnnestUpsertStatement#MAX_ROWS} rows is one {@link UnnestUpsertStatement} (one array per
 * column), returning the stored state of every proposed row. Two cases leave it, each for a PostgreSQL reason:
 * <ul>
 * <li>a lone row of an unconditional {@code DO UPDATE} (a one-row transaction): the plain one-row
 *     {@code INSERT ... VALUES}, which PostgreSQL plans without an array to build and unnest;</li>
 * <li>a plan or chunk the arrays cannot carry ({@link UpsertPlan#oneStatementPerChunk}: an array-typed column, which
 *     {@code unnest} would flatten; a key column the database generates, unknown before the statement; IDENTITY ids
 *     assigned by the insert; {@link UnnestUpsertStatement#bind}: a value whose text PostgreSQL would read
 *     differently from what its binder sends): a JDBC batch of one-row statements, each bound by Hibernate's own
 *     binders, which pgjdbc pipelines, with rows a conflict left alone read back by key.</li>
 * </ul>
 */
public final class UpsertBatch implements LineBatch {

    /** One entity's proposed row, waiting for its statement; {@code sequence} is its place in persist order. */
    public record PendingRow(Object entity, Object id, Object[] values, Object[] jdbcValues, int sequence) {
    }

    private final int batchSize;
    private final SharedSessionContractImplementor session;
    /** Pending rows per type, types in entity-name order. */
    private final Map<UpsertEntityPersister, List<PendingRow>> pending = new TreeMap<>(BY_ENTITY_NAME);
    /** The rows of types whose statements run now ({@link #execute()}), until each type's rows are written back. */
    private final List<List<PendingRow>> running = new ArrayList<>(1);
    /**
     * The entities of the pending and running rows, built when first asked for ({@link #waiting()}); most flushes
     * never ask, and an identity set of a thousand entities is a cache miss per row to fill.
     */
    private Set<Object> waiting;
    private final List<BatchObserver> observers = new ArrayList<>(1);
    /** Work for entities of the pending rows (their {@code @PostPersist}), run once the stored rows are written back. */
    private final List<Runnable> afterWriteBack = new ArrayList<>();

    private static final Comparator<UpsertEntityPersister> BY_ENTITY_NAME = Comparator.comparing(UpsertEntityPersister::getEntityName);

    /** The pending upserts of a stateful session; set while rows wait, until they ran or the transaction ended. */
    private static final SessionState.Slot<UpsertBatch> PENDING = new SessionState.Slot<>();

    /** The session's pending upserts, created (and dropped again when the transaction ends) on first use. */
    public static UpsertBatch pendingFor(SharedSessionContractImplementor session) {
        SessionState state = SessionState.of(session);
        UpsertBatch batch = state.get(PENDING);
        if (batch == null) {
            batch = new UpsertBatch(session.getConfiguredJdbcBatchSize(), session);
            state.set(PENDING, batch);
            // rows left by a failed flush must not run in a later transaction of the same session
            HibernateAccess.get().afterTransaction(session, UpsertBatch::drop);
        }
        return batch;
    }

    /** Runs the session's pending upserts, if any: after Hibernate's own pending batch, which they may reference. */
    public static void runPending(SharedSessionContractImplementor session) {
        SessionState state = SessionState.of(session);
        UpsertBatch batch = state.get(PENDING);
        if (batch == null || batch.pending.isEmpty()) {
            return;
        }
        session.getJdbcCoordinator().executeBatch();
        batch.execute();
        if (state.get(PENDING) == batch) {
            // the slot holds a batch only while rows wait: in the fallback map it would keep the session reachable
            state.set(PENDING, null);
        }
    }

    public static boolean hasPending(SharedSessionContractImplementor session) {
        UpsertBatch batch = SessionState.of(session).get(PENDING);
        return batch != null && !batch.pending.isEmpty();
    }

    /** True if {@code entity}'s row waits in the session's pending upserts (its insert action ran, its statement not). */
    public static boolean holds(SharedSessionContractImplementor session, Object entity) {
        UpsertBatch batch = SessionState.of(session).get(PENDING);
        return batch != null && batch.waiting().contains(entity);
    }

    /**
     * Queues {@code work} to run after the statement of {@code entity}'s pending row and its write-back; false (and
     * nothing queued) when no row of {@code entity} waits in the session's pending upserts.
     */
    public static boolean deferAfterWriteBack(SharedSessionContractImplementor session, Object entity, Runnable work) {
        UpsertBatch batch = SessionState.of(session).get(PENDING);
        if (batch == null || !batch.waiting().contains(entity)) {
            return false;
        }
        batch.afterWriteBack.add(work);
        return true;
    }

    /** Runs the session's pending upserts if rows of one of {@code persisters} are among them. */
    public static void runPendingIfAnyOf(SharedSessionContractImplementor session, Set<UpsertEntityPersister> persisters) {
        if (persisters.isEmpty()) {
            return;
        }
        UpsertBatch batch = SessionState.of(session).get(PENDING);
        if (batch != null && batch.holdsAnyOf(persisters)) {
            runPending(session);
        }
    }

    private static void drop(SharedSessionContractImplementor session) {
        SessionState state = SessionState.of(session);
        UpsertBatch batch = state.get(PENDING);
        if (batch != null) {
            state.set(PENDING, null);
            batch.release();
        }
    }

    /**
     * A batch of {@code session}'s upserts. The session is not {@code session.getJdbcCoordinator()}'s owner when it
     * shares another session's connection ({@code sessionWithOptions().connection()}): the write-back must reach this
     * session's persistence context, not that owner's.
     */
    UpsertBatch(Integer batchSize, SharedSessionContractImplementor session) {
        this.batchSize = batchSize == null || batchSize < 1 ? 1 : batchSize;
        this.session = session;
    }

    /** Queues {@code entity}'s proposed row: its state array and the JDBC values of its columns. */
    public void add(UpsertEntityPersister persister, Object entity, Object id, Object[] values, Object[] jdbcValues) {
        List<PendingRow> rows = pending.computeIfAbsent(persister, p -> new ArrayList<>());
        rows.add(new PendingRow(entity, id, values, jdbcValues, rows.size()));
        if (waiting != null) {
            waiting.add(entity);
        }
    }

    private Set<Object> waiting() {
        if (waiting == null) {
            waiting = Collections.newSetFromMap(new IdentityHashMap<>());
            pending.values().forEach(rows -> rows.forEach(row -> waiting.add(row.entity())));
            running.forEach(rows -> rows.forEach(row -> waiting.add(row.entity())));
        }
        return waiting;
    }

    public boolean holdsAnyOf(Set<UpsertEntityPersister> persisters) {
        for (UpsertEntityPersister persister : persisters) {
            if (pending.containsKey(persister)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public BatchKey getKey() {
        return UpsertInsertCoordinator.UpsertBatchKey.INSTANCE;
    }

    @Override
    public void addObserver(BatchObserver observer) {
        observers.add(observer);
    }

    @Override
    public PreparedStatementGroup getStatementGroup() {
        return null;
    }

    @Override
    public void addToBatch(JdbcValueBindings bindings, TableInclusionChecker inclusionChecker) {
        throw new UnsupportedOperationException("upserts are added with add(persister, row)");
    }

    @Override
    public void execute() {
        observers.forEach(BatchObserver::batchExplicitlyExecuted);
        if (pending.isEmpty()) {
            return;
        }
        List<Map.Entry<UpsertEntityPersister, List<PendingRow>>> types = new ArrayList<>(pending.entrySet());
        pending.clear();
        types.forEach(type -> running.add(type.getValue()));
        try {
            for (Map.Entry<UpsertEntityPersister, List<PendingRow>> type : types) {
                try {
                    execute(type.getKey().plan(session), type.getValue(), session);
                } finally {
                    // the type's rows are written back (or failed): no longer waiting; a later type's rows still are
                    List<PendingRow> rows = type.getValue();
                    running.removeIf(list -> list == rows);
                    if (waiting != null) {  // null: never asked for, nothing to keep up to date
                        if (waiting.size() == rows.size()) {
                            waiting.clear();  // the last type, and no row added meanwhile: no removal one by one
                        } else {
                            rows.forEach(row -> waiting.remove(row.entity()));
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            afterWriteBack.clear();
            throw e;
        }
        // in persist order, as Hibernate would have called them
        List<Runnable> deferred = new ArrayList<>(afterWriteBack);
        afterWriteBack.clear();
        deferred.forEach(Runnable::run);
    }

    private void execute(UpsertPlan plan, List<PendingRow> rows, SharedSessionContractImplementor session) {
        // a lone row (a web request's one upsert per transaction) has no order to find and no twin
        if (rows.size() > 1 && !sortByTextKey(plan, rows)) {
            Comparator<PendingRow> byKey = byKey(plan);
            rows.sort(byKey);
            rejectDuplicateKeys(plan, rows, byKey);
        }
        UnnestUpsertStatement unnest = plan.persister.unnestStatement(session);
        int chunkSize = unnest != null ? UnnestUpsertStatement.MAX_ROWS : batchSize;
        for (int from = 0; from < rows.size(); from += chunkSize) {
            List<PendingRow> chunk = rows.subList(from, Math.min(rows.size(), from + chunkSize));
            // a lone row that surely comes back: PostgreSQL runs the one-row VALUES insert without building arrays
            boolean lone = chunk.size() == 1 && plan.returnsEveryRow;
            List<UpsertPlan.StoredRow> stored = unnest == null || lone ? null
                    : unnest.execute(chunk.stream().map(PendingRow::jdbcValues).toList(), session);
            if (stored == null) {
                // a value the arrays cannot carry (UnnestUpsertStatement#bind): each row bound by Hibernate's own binders
                stored = new ArrayList<>(chunk.size());
                for (int sub = 0; sub < chunk.size(); sub += batchSize) {
                    stored.addAll(executeChunk(plan, chunk.subList(sub, Math.min(chunk.size(), sub + batchSize)), session));
                }
            }
            writeBack(plan, chunk, stored, session);
        }
    }

    /**
     * Writes the chunk's stored rows back in persist order, not in the key order they ran in. The entities of a unit
     * of work, their state arrays and Hibernate's entries for them lie in memory in the order they were persisted.
     * When the write-back still relinked each entry in Hibernate's list of managed entities (before {@link Rekey}
     * moved entries in place), every row's neighbours there were a cache miss in key order, and the moves were a tenth
     * of {@code @Upsert}'s client CPU in the benchmarks' W1 (docs/benchmarks.md); the rows themselves still are.
     */
    private static void writeBack(UpsertPlan plan, List<PendingRow> chunk, List<UpsertPlan.StoredRow> stored,
                                  SharedSessionContractImplementor session) {
        // the place in persist order above, the place in the chunk below: one primitive sort, no object per row
        long[] order = new long[chunk.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = (long) chunk.get(i).sequence() << 32 | i;
        }
        Arrays.sort(order);
        for (long placed : order) {
            int i = (int) placed;
            WriteBack.applyAfterInsert(plan, chunk.get(i), stored.get(i), session);
        }
    }

    private List<UpsertPlan.StoredRow> executeChunk(UpsertPlan plan, List<PendingRow> chunk, SharedSessionContractImplementor session) {
        return chunk.size() == 1
                ? List.of(UpsertInsertCoordinator.executeOne(plan, chunk.get(0).jdbcValues(), session))
                : executeBatch(plan, chunk, session);
    }

    private List<UpsertPlan.StoredRow> executeBatch(UpsertPlan plan, List<PendingRow> chunk, SharedSessionContractImplementor session) {
        // Asking for generated keys makes pgjdbc accept RETURNING rows from a batch; it then sends the statements
        // one by one, pipelined, never rewritten into a multi-row VALUES (which would fail with 21000 on duplicates).
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        PreparedStatement statement = jdbc.getMutationStatementPreparer().prepareStatement(plan.sql, Statement.RETURN_GENERATED_KEYS);
        List<UpsertPlan.StoredRow> stored = new ArrayList<>(chunk.size());
        try {
            for (PendingRow row : chunk) {
                plan.bind(statement, row.jdbcValues(), session);
                UpsertInsertCoordinator.logStatement(plan.sql, session);  // per row, as Hibernate's BatchImpl does
                statement.addBatch();
            }
            int[] counts = statement.executeBatch();
            try (ResultSet returned = statement.getGeneratedKeys()) {
                for (int i = 0; i < chunk.size(); i++) {
                    if (counts[i] != 0 && returned.next()) {
                        stored.add(plan.readReturned(returned, session));
                    } else {
                        stored.add(null);
                    }
                }
            }
        } catch (SQLException e) {
            throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "could not execute upsert batch", plan.sql);
        } finally {
            jdbc.getLogicalConnection().getResourceRegistry().release(statement);
            jdbc.afterStatementExecution();
        }
        stored = new ArrayList<>(UpsertInsertCoordinator.withInsertedFlags(plan, stored, session));
        for (int i = 0; i < chunk.size(); i++) {
            if (stored.get(i) == null) {
                stored.set(i, UpsertInsertCoordinator.storedRow(plan, chunk.get(i).jdbcValues(), session));
            }
        }
        return stored;
    }

    /**
     * A row beside its key's one text value and that value's first eight characters as one number
     * ({@link #abbreviate}), for {@link #sortByTextKey}.
     */
    record TextKeyed(String key, long abbreviated, PendingRow row) {
    }

    /**
     * Sorts {@code rows} by a key of one text column, the commonest natural key (an email, an external id), and rejects
     * two rows with one key, in the order and with the outcome of {@link #byKey} and {@link #rejectDuplicateKeys}:
     * each key is read once, beside its row, and most comparisons compare two numbers, as PostgreSQL's abbreviated
     * keys do for its own text sorts. The general sort was about 6% of {@code @Upsert}'s client CPU in the benchmarks'
     * W1, this one about 5%: reading each key once, a cache miss per row, is most of it (docs/benchmarks.md). False,
     * and nothing changed, for any other key or a row whose key is NULL.
     */
    private static boolean sortByTextKey(UpsertPlan plan, List<PendingRow> rows) {
        if (plan.keyPositions.length != 1) {
            return false;
        }
        int position = plan.keyPositions[0];
        TextKeyed[] keyed = new TextKeyed[rows.size()];
        for (int i = 0; i < keyed.length; i++) {
            PendingRow row = rows.get(i);
            if (!(row.jdbcValues()[position] instanceof String key)) {
                return false;
            }
            keyed[i] = new TextKeyed(key, abbreviate(key), row);
        }
        Arrays.sort(keyed, BY_TEXT_KEY);
        for (int i = 0; i < keyed.length; i++) {
            if (i > 0 && keyed[i - 1].key().equals(keyed[i].key())) {
                throw sameKeyTwice(plan, null);
            }
            rows.set(i, keyed[i].row());
        }
        return true;
    }

    /**
     * The first eight characters of {@code key}, one byte each, big-endian, zeros after a shorter key: two keys whose
     * numbers differ (unsigned) compare as the keys do. {@link #NOT_ABBREVIATED} when one of those characters does not
     * fit a byte; such a key is compared as text.
     */
    static long abbreviate(String key) {
        long abbreviated = 0;
        for (int i = 0; i < 8; i++) {
            char c = i < key.length() ? key.charAt(i) : 0;
            if (c > 0xFF) {
                return NOT_ABBREVIATED;
            }
            abbreviated = abbreviated << 8 | c;
        }
        return abbreviated;
    }

    /** No key's abbreviation: all ones would be eight characters U+00FF, which is then compared as text too. */
    private static final long NOT_ABBREVIATED = -1L;

    /**
     * {@link String#compareTo}'s order: numbers that differ decide only when both are abbreviations, and then they
     * decide as the text would; equal numbers, or a key not abbreviated, are compared as text.
     */
    static final Comparator<TextKeyed> BY_TEXT_KEY = (a, b) -> {
        if (a.abbreviated() != b.abbreviated() && a.abbreviated() != NOT_ABBREVIATED && b.abbreviated() != NOT_ABBREVIATED) {
            return Long.compareUnsigned(a.abbreviated(), b.abbreviated());
        }
        return a.key().compareTo(b.key());
    };

    private static Comparator<PendingRow> byKey(UpsertPlan plan) {
        int[] positions = plan.keyPositions;
        return (a, b) -> {
            for (int position : positions) {
                int c = compare(a.jdbcValues()[position], b.jdbcValues()[position]);
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a == b) {
            return 0;
        }
        if (a == null || b == null) {
            return a == null ? -1 : 1;
        }
        if (a instanceof Comparable comparable && a.getClass() == b.getClass()) {
            return comparable.compareTo(b);
        }
        return a.toString().compareTo(b.toString());
    }

    /**
     * Two proposed rows with one key would make the second a phantom; PersistListener normally stops them earlier.
     * Rows whose key holds a NULL are not the same key, unless the index is NULLS NOT DISTINCT.
     */
    private static void rejectDuplicateKeys(UpsertPlan plan, List<PendingRow> sorted, Comparator<PendingRow> byKey) {
        if (plan.keyPositions.length == 0) {
            return;
        }
        for (int i = 1; i < sorted.size(); i++) {
            if (byKey.compare(sorted.get(i - 1), sorted.get(i)) == 0 && (plan.nullsNotDistinct || !holdsNull(plan, sorted.get(i)))) {
                throw sameKeyTwice(plan, null);
            }
        }
    }

    /** NULLs are distinct in a unique index (unless NULLS NOT DISTINCT): such a row conflicts with nothing. */
    private static boolean holdsNull(UpsertPlan plan, PendingRow row) {
        for (int position : plan.keyPositions) {
            if (row.jdbcValues()[position] == null) {
                return true;
            }
        }
        return false;
    }

    public static EntityExistsException sameKeyTwice(UpsertPlan plan, Exception cause) {
        return new EntityExistsException("@Upsert on " + plan.persister.getMappedClass().getSimpleName()
                + ": two instances with the same key (" + plan.keyDescription + ") were flushed together"
                + (cause == null ? "" : " (equal for the unique index, though not equal in Java)")
                + "; persist one instance per key and modify it instead of persisting a second", cause);
    }

    @Override
    public void release() {
        pending.clear();
        running.clear();
        waiting = null;
        afterWriteBack.clear();
    }
}
