package dev.upsert.internal.exception;

import dev.upsert.internal.compat.HibernateAccess;
import dev.upsert.internal.outcome.UpsertResults;
import dev.upsert.internal.persister.UpsertBatch;
import dev.upsert.internal.persister.UpsertEntityPersister;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.jdbc.mutation.internal.StandardMutationExecutorService;
import org.hibernate.engine.jdbc.mutation.spi.MutationExecutorService;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.event.spi.AutoFlushEvent;
import org.hibernate.event.spi.AutoFlushEventListener;
import org.hibernate.event.spi.ClearEvent;
import org.hibernate.event.spi.ClearEventListener;
import org.hibernate.event.spi.EventSource;
import org.hibernate.event.spi.FlushEvent;
import org.hibernate.event.spi.FlushEventListener;
import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.event.spi.PostUpdateEvent;
import org.hibernate.event.spi.PostUpdateEventListener;
import org.hibernate.event.spi.PreInsertEvent;
import org.hibernate.event.spi.PreInsertEventListener;
import org.hibernate.event.spi.PreUpdateEvent;
import org.hibernate.event.spi.PreUpdateEventListener;
import org.hibernate.internal.util.config.ConfigurationHelper;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.service.ServiceRegistry;

/**
 * Remembers, per thread, the entity rows whose INSERT or UPDATE may still be running, so that a 23505 can be
 * traced back to the entity being written and report its typed key values.
 * <p>
 * What is kept: persister, id, state array (a reference, no copy) and session, at most
 * {@code max(batch size, 1) + 8} rows (a failing JDBC batch holds at most batch-size rows, and they are the most
 * recent; pending {@code @Upsert} rows may be more, and an entity type whose rows were dropped for room is reported
 * as incomplete, so that no remaining row is taken for the failing one). A row is dropped as soon as its statement is known to have succeeded: after the post-insert/post-update
 * event when the statement ran unbatched (IDENTITY inserts always do); an {@code @Upsert} row is passed over once
 * its stored row was written back ({@link Written#upsertedAlready}). Everything is dropped at the end of every
 * flush, on {@code clear()}, at transaction completion, when another session writes on the thread, and when the
 * converter takes the rows for a 23505 (rows of a closed session are never used); dropping sets the thread-local to
 * null, so that nothing of a session or of the library stays reachable from a pooled thread ({@link #drop}).
 * Cost per written row: one thread-local lookup and one deque operation (plus one transaction callback per buffer).
 */
public final class DuplicateKeyWrites implements PreInsertEventListener, PreUpdateEventListener, PostInsertEventListener,
        PostUpdateEventListener, FlushEventListener, AutoFlushEventListener, ClearEventListener {

    public static final DuplicateKeyWrites INSTANCE = new DuplicateKeyWrites();

    private static final ThreadLocal<Buffer> BUFFER = new ThreadLocal<>();
    private static final boolean INSERT = true;

    /** One row being written: its entity's INSERT ({@code insert}) or UPDATE. */
    record Written(EntityPersister persister, Object entity, boolean insert, Object id, Object[] state,
                   SharedSessionContractImplementor session) {

        /**
         * Whether this is an {@code @Upsert} row whose statement already ran, and succeeded: its stored row was
         * written back, which records the outcome on the entity's entry. Such a row is not the failing one, though
         * it stays remembered until the flush ends when the batch size is over 1, or when its post-insert event is
         * not the latest (the pending upserts of a flush fire theirs together, after every write-back).
         */
        boolean upsertedAlready() {
            if (!insert || !(persister instanceof UpsertEntityPersister) || !(session instanceof EventSource source)) {
                return false;
            }
            EntityEntry entry = source.getPersistenceContextInternal().getEntry(entity);
            return entry != null && UpsertResults.outcome(entry) != null;
        }
    }

    /**
     * The rows remembered for the failing statement, oldest first, and the entity types some of whose rows were
     * dropped for room: for those, the rows are not all there, and the failing one may be among the dropped.
     */
    record InFlight(List<Written> rows, Set<EntityPersister> incomplete) {

        static final InFlight NONE = new InFlight(List.of(), Set.of());

        boolean complete(EntityPersister persister) {
            return !incomplete.contains(persister);
        }
    }

    private static final class Buffer {
        final SharedSessionContractImplementor session;
        final int capacity;
        final ArrayDeque<Written> rows = new ArrayDeque<>();
        final Set<EntityPersister> dropped = new HashSet<>();

        Buffer(SharedSessionContractImplementor session, int capacity) {
            this.session = session;
            this.capacity = capacity;
        }
    }

    private DuplicateKeyWrites() {
    }

    /** The rows remembered on this thread; the buffer is emptied. */
    static InFlight take() {
        Buffer buffer = BUFFER.get();
        if (buffer == null) {
            return InFlight.NONE;
        }
        drop();
        // Left over from a transaction whose end Hibernate never saw (its rollback failed on a dead connection): those
        // rows are not what the failing statement, run by another session on this thread, was writing.
        if (buffer.session.isClosed()) {
            return InFlight.NONE;
        }
        List<Written> rows = new ArrayList<>(buffer.rows.size());
        for (Written row : buffer.rows) {
            if (!row.upsertedAlready()) {
                rows.add(row);
            }
        }
        return new InFlight(rows, Set.copyOf(buffer.dropped));
    }

    /** How many rows this thread remembers (for tests). */
    static int size() {
        Buffer buffer = BUFFER.get();
        return buffer == null ? 0 : buffer.rows.size();
    }

    @Override
    public boolean onPreInsert(PreInsertEvent event) {
        remember(event.getSession(), new Written(event.getPersister(), event.getEntity(), INSERT, event.getId(), event.getState(),
                event.getSession()));
        return false;
    }

    @Override
    public boolean onPreUpdate(PreUpdateEvent event) {
        remember(event.getSession(), new Written(event.getPersister(), event.getEntity(), !INSERT, event.getId(), event.getState(),
                event.getSession()));
        return false;
    }

    @Override
    public void onPostInsert(PostInsertEvent event) {
        if (event.getSession() == null) {
            return;  // 6.6 StatelessSession: nothing was remembered
        }
        if (!batched(event.getPersister(), event.getSession()) || event.getPersister().getGenerator().generatedOnExecution()) {
            forgetLatest(event.getState());
        }
    }

    @Override
    public void onPostUpdate(PostUpdateEvent event) {
        if (event.getSession() == null) {
            return;  // 6.6 StatelessSession: nothing was remembered
        }
        if (!batched(event.getPersister(), event.getSession())) {
            forgetLatest(event.getState());
        }
    }

    /**
     * Whether this listener's post-insert and post-update events for {@code persister}'s rows change nothing: batched
     * rows stay remembered until the flush ends, so whoever fires those events for such a row may leave this listener out.
     */
    public static boolean ignoresWrittenBack(EntityPersister persister, SharedSessionContractImplementor session) {
        return session != null && batched(persister, session) && !persister.getGenerator().generatedOnExecution();
    }

    @Override
    public boolean requiresPostCommitHandling(EntityPersister persister) {
        return false;
    }

    @Override
    public void onFlush(FlushEvent event) {
        // appended after Hibernate's own listener: reached only when every statement of the flush succeeded
        clear(event.getSession());
    }

    @Override
    public void onAutoFlush(AutoFlushEvent event) {
        clear(event.getSession());
    }

    @Override
    public void onClear(ClearEvent event) {
        clear(event.getSession());
    }

    private static void remember(SharedSessionContractImplementor session, Written row) {
        if (session == null) {
            return;  // Hibernate 6.6's StatelessSession fires its events without itself: nothing to tie the row to
        }
        Buffer buffer = BUFFER.get();
        if (buffer == null || buffer.session != session) {
            Integer batchSize = session.getConfiguredJdbcBatchSize();
            buffer = new Buffer(session, Math.max(batchSize == null ? 1 : batchSize, 1) + 8);
            BUFFER.set(buffer);
            if (session instanceof EventSource source) {
                // rows of a failed flush must not outlive the transaction: one callback per buffer, not per row
                HibernateAccess.get().afterTransaction(source, DuplicateKeyWrites::clear);
            }
        }
        if (buffer.rows.size() >= buffer.capacity) {
            // @Upsert rows wait for the end of the flush's inserts, so more than a batch can be pending
            buffer.dropped.add(buffer.rows.removeFirst().persister());
        }
        buffer.rows.addLast(row);
    }

    private static void forgetLatest(Object[] state) {
        Buffer buffer = BUFFER.get();
        if (buffer != null && !buffer.rows.isEmpty() && buffer.rows.peekLast().state() == state) {
            buffer.rows.removeLast();
        }
    }

    private static void clear(SharedSessionContractImplementor session) {
        Buffer buffer = BUFFER.get();
        if (buffer != null && buffer.session == session) {
            drop();
        }
    }

    /**
     * Drops this thread's rows: a null value, not {@code ThreadLocal.remove()}, whose clearing of the entry's weak
     * reference is a native call, made once per transaction here (1.4% of {@code @Upsert}'s client CPU in the
     * benchmarks' one-row transactions). The entry left holds only the JDK's {@code ThreadLocal}, weakly, and no value:
     * a web application's class loader is not kept by it.
     */
    private static void drop() {
        BUFFER.set(null);
    }

    /** Whether this row's statement may still be waiting in a JDBC batch (if unsure, yes: that only loses values). */
    private static boolean batched(EntityPersister persister, SharedSessionContractImplementor session) {
        if (persister instanceof UpsertEntityPersister) {
            // @Upsert rows go to UpsertBatch, sized by the configured batch size
            Integer batchSize = session.getConfiguredJdbcBatchSize();
            return batchSize != null && batchSize > 1;
        }
        // Hibernate's StandardMutationExecutorService batches with the session's size, else hibernate.jdbc.batch_size
        // (default 1); PostgreSQLDialect's default of 15 reaches getConfiguredJdbcBatchSize() but not that executor
        ServiceRegistry services = session.getFactory().getServiceRegistry();
        if (!(services.requireService(MutationExecutorService.class) instanceof StandardMutationExecutorService)) {
            return true;
        }
        Integer batchSize = session.getJdbcBatchSize();
        if (batchSize == null) {
            batchSize = ConfigurationHelper.getInt(AvailableSettings.STATEMENT_BATCH_SIZE,
                    services.requireService(ConfigurationService.class).getSettings(), 1);
        }
        return batchSize > 1;
    }
}
