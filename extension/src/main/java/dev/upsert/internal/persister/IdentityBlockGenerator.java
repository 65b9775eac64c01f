package dev.upsert.internal.persister;

import dev.upsert.internal.compat.HibernateAccess;
import dev.upsert.internal.session.SessionState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.hibernate.HibernateException;
import org.hibernate.engine.jdbc.spi.JdbcCoordinator;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.generator.BeforeExecutionGenerator;
import org.hibernate.generator.Generator;
import org.hibernate.generator.EventType;
import org.hibernate.generator.EventTypeSets;
import org.hibernate.id.IdentityGenerator;
import org.hibernate.id.enhanced.PooledOptimizer;
import org.hibernate.id.enhanced.SequenceStyleGenerator;
import org.hibernate.metamodel.mapping.BasicValuedModelPart;
import org.hibernate.type.descriptor.java.JavaType;

/**
 * The id of an {@code @Upsert} entity mapped with {@code GenerationType.IDENTITY} or a sequence (with
 * {@code allocationSize = 1}, or Hibernate's pooled optimizer), proposed at {@code persist} without a round trip of
 * its own where it can be. Hibernate then treats the entity like a sequence entity: its upserts wait for the flush and
 * go out in chunks ({@link UnnestUpsertStatement}, with {@code OVERRIDING SYSTEM VALUE} for {@code GENERATED ALWAYS}),
 * and the stored id is written back. No application change. Three ways, by mapping:
 * <ul>
 * <li><b>IDENTITY, and sequences of {@code allocationSize = 1}</b>, in a {@code Session}: the proposed id is a
 *     placeholder ({@link #placeholder}, below the sequence's minimum, so never a row's id) and the statement draws the
 *     row's id itself, {@code coalesce(id, nextval(seq))} ({@link #deferredIdSql}), returning it. No fetch, one
 *     {@code nextval} per row, as the column default would; ids are never handed out ahead, so a
 *     {@code truncate ... restart identity} or a {@code setval} between transactions is obeyed.</li>
 * <li><b>Pooled sequences</b> ({@code allocationSize > 1}): as Hibernate's pooled optimizer, a value {@code v} stands
 *     for the ids {@code v - increment + 1 .. v} (never below the sequence's start), and the ids fetched are shared by
 *     every session and transaction of the SessionFactory (per tenant), so a fetch happens once per block, and a
 *     transaction's unused ids serve the next one (only a JVM's exit leaves a gap). Each value is one {@code nextval}:
 *     JVMs never collide. The next ids are fetched ahead, in the round trip of an upsert statement
 *     ({@link #refill}), so a transaction fetches in a round trip of its own only when the pool runs dry (the first
 *     after boot, one larger than the ones before it, or when transactions outrun the refills).</li>
 * <li>Otherwise (a {@code StatelessSession}, whose {@code insert} returns the id; a partitioned table, where an
 *     inserted row is recognized by its proposed id; an id type or sequence the placeholders cannot stay apart from):
 *     a block per transaction, fetched in one round trip, {@code select nextval(seq) from generate_series(1, n)},
 *     sized by the last transaction's use; its unused ids are gaps, as PostgreSQL leaves for every conflict anyway.</li>
 * </ul>
 */
public final class IdentityBlockGenerator implements BeforeExecutionGenerator {

    /**
     * Ids per round trip: the first fetch of a transaction asks for the last transaction's count (a run of single-row
     * transactions fetches one id each), the next ones at least {@code FIRST_BLOCK}, doubling up to the largest.
     */
    private static final int FIRST_BLOCK = 50;
    private static final int LARGEST_BLOCK = 1_000;

    /** The ids one session fetched in its current transaction (its own ones, or for a pooled sequence the shared pool's). */
    private static final class Block {
        final ArrayDeque<Long> ids = new ArrayDeque<>();
        int nextSize;
        int used;

        Block(int size) {
            this.nextSize = size;
        }
    }

    private final UpsertEntityPersister persister;
    /** The sequence, or null when it is read from the catalog on first use (IDENTITY). */
    private volatile String sequence;
    /**
     * Ids per sequence value: 1, or a pooled optimizer's increment, where a value {@code v} stands for the ids
     * {@code v - increment + 1 .. v} (never below the sequence's start), as Hibernate's pooled optimizer reads it.
     */
    private final int increment;
    /**
     * Each session's block of each generator, in the session's state: a session that never completes a transaction (a
     * stateless one) drops its blocks with it.
     */
    private static final SessionState.Slot<Map<IdentityBlockGenerator, Block>> BLOCKS = new SessionState.Slot<>();
    /** Ids the last completed transaction used: the size of the next transaction's first fetch. */
    private volatile int firstFetch;
    /**
     * A pooled sequence's fetched and unused ids, shared by every session of the SessionFactory with the same tenant
     * (Hibernate's pooled optimizer keeps its blocks per tenant too): with a schema or database per tenant, each
     * tenant's sequence is its own, and one tenant's ids would be no ids of another's.
     */
    private final Map<Object, Pool> pools = new ConcurrentHashMap<>();

    /** A tenant's shared ids; guarded by itself. */
    private static final class Pool {
        final ArrayDeque<Long> ids = new ArrayDeque<>();
        /** Whether a statement carries a refill ({@link #refill}) that has not come back yet. */
        boolean refilling;
    }
    private static final Object NO_TENANT = new Object();
    /** The SQL that draws a row's id in the statement, once the plan decided it can ({@link #deferredIdSql}); else null. */
    private volatile String deferredSql;
    /** Placeholders: {@code placeholderBase} plus a counter modulo {@code placeholderRange}, all below the sequence's minimum. */
    private final long placeholderBase;
    private final long placeholderRange;
    /**
     * One counter for every generator: the entities of a SINGLE_TABLE hierarchy each have a generator, and share one
     * persistence-context key space (root entity name and id), so their placeholders must not repeat across them.
     */
    private static final AtomicLong PLACEHOLDERS = new AtomicLong();

    /** The generator Hibernate built from the mapping, for code that asks what the id's origin is (sequence drift). */
    public final Generator replaced;

    private IdentityBlockGenerator(UpsertEntityPersister persister, Generator replaced, String sequence, int increment) {
        this.replaced = replaced;
        this.persister = persister;
        this.sequence = sequence;
        this.increment = increment;
        this.firstFetch = Math.max(FIRST_BLOCK, increment);
        Class<?> idClass = persister.getIdentifierType().getReturnedClass();
        if (idClass == Long.class || idClass == long.class || idClass == java.math.BigInteger.class) {
            placeholderBase = Long.MIN_VALUE;
            placeholderRange = 1L << 62;
        } else if (idClass == Integer.class || idClass == int.class) {
            placeholderBase = Integer.MIN_VALUE;
            placeholderRange = 1L << 30;
        } else if (idClass == Short.class || idClass == short.class) {
            placeholderBase = Short.MIN_VALUE;
            placeholderRange = 1L << 14;
        } else {
            placeholderBase = 0;
            placeholderRange = 0;  // no placeholders: blocks per transaction
        }
    }

    /**
     * The replacement for {@code generator}, or null if it is neither IDENTITY nor a sequence drawn one value per round
     * trip, or the entity has collections (their rows would be keyed by the proposed id).
     */
    static IdentityBlockGenerator replacing(Object generator, UpsertEntityPersister persister) {
        // runs in the persister's constructor: the runtime mapping model (getIdentifierMapping) does not exist yet
        if (persister.hasCollections() || persister.getIdentifierType().isComponentType()) {
            return null;
        }
        if (generator instanceof IdentityGenerator) {
            return new IdentityBlockGenerator(persister, (Generator) generator, null, 1);
        }
        if (generator instanceof SequenceStyleGenerator sequenceGenerator && sequenceGenerator.getDatabaseStructure().isPhysicalSequence()) {
            int increment = sequenceGenerator.getDatabaseStructure().getIncrementSize();
            String name = sequenceGenerator.getDatabaseStructure().getPhysicalName().render();
            if (increment == 1) {
                return new IdentityBlockGenerator(persister, (Generator) generator, name, 1);
            }
            // pooled (Hibernate's default for allocationSize > 1): one value per allocationSize ids, several per round trip
            if (sequenceGenerator.getOptimizer() != null && sequenceGenerator.getOptimizer().getClass() == PooledOptimizer.class) {
                return new IdentityBlockGenerator(persister, (Generator) generator, name, increment);
            }
        }
        return null;
    }

    /**
     * Called once by the plan, with a connection: the SQL that draws a row's id inside the upsert statement
     * ({@code nextval('seq'::regclass)}, what the column default of an IDENTITY or serial column does), or null when
     * ids are fetched ahead instead: a pooled sequence, a partitioned table (an inserted row is recognized by its
     * proposed id there), or placeholders that could be a real id (an id type other than long, int, short or
     * BigInteger, or a sequence whose minimum is not above them).
     */
    public String deferredIdSql(Connection connection, boolean partitioned) {
        if (increment != 1 || partitioned || placeholderRange == 0) {
            return null;
        }
        try {
            String seq = sequence;
            if (seq == null) {
                String column = ((BasicValuedModelPart) persister.getIdentifierMapping()).getSelectionExpression();
                try (PreparedStatement ps = connection.prepareStatement(SERIAL_SEQUENCE)) {
                    bindSerialSequence(ps, column);
                    try (ResultSet rs = ps.executeQuery()) {
                        seq = rs.next() ? rs.getString(1) : null;
                    }
                }
                if (seq == null) {
                    return null;  // the first fetch reports it, naming the entity
                }
            }
            String quoted = "'" + seq.replace("'", "''") + "'";
            try (PreparedStatement ps = connection.prepareStatement("select seqmin from pg_sequence where seqrelid = to_regclass(?)")) {
                ps.setString(1, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getLong(1) <= placeholderBase + placeholderRange - 1) {
                        return null;  // a descending or negative sequence: a placeholder could be a real id
                    }
                }
            }
            sequence = seq;
            String sql = "nextval(" + quoted + "::regclass)";
            deferredSql = sql;
            return sql;
        } catch (SQLException e) {
            return null;  // ids are fetched ahead; the fetch reports what PostgreSQL says
        }
    }

    /** Whether {@code id} is a placeholder this generator proposed: the statement draws the row's id. */
    public boolean isPlaceholder(Object id) {
        if (deferredSql == null || !(id instanceof Number number)) {
            return false;
        }
        long value = number.longValue();
        return value >= placeholderBase && value - placeholderBase < placeholderRange;
    }

    @Override
    public Object generate(SharedSessionContractImplementor session, Object owner, Object currentValue, EventType eventType) {
        @SuppressWarnings("unchecked")
        JavaType<Object> javaType = (JavaType<Object>) persister.getIdentifierMapping().getJavaType();
        boolean stateless = HibernateAccess.get().isStateless(session);
        if (!stateless && increment == 1) {
            persister.plan(session);  // decides deferredSql, once
            if (deferredSql != null) {
                return javaType.wrap(placeholder(), session);
            }
        }
        Map<IdentityBlockGenerator, Block> blocks = SessionState.of(session).computeIfAbsent(BLOCKS, IdentityHashMap::new);
        Block block = blocks.get(this);
        if (block == null) {
            block = new Block(firstFetch);
            blocks.put(this, block);
            if (!stateless) {
                HibernateAccess.get().afterTransaction(session, this::transactionEnded);
            }
        }
        block.used++;
        Long next = increment > 1 ? pooled(session, block) : own(session, block);
        return javaType.wrap(next, session);
    }

    /** Unique among the placeholders of a session's lifetime in practice: 2^62 (long), 2^30 (int), 2^14 (short). */
    private long placeholder() {
        return placeholderBase + (PLACEHOLDERS.getAndIncrement() & (placeholderRange - 1));
    }

    /** A session is used by one thread at a time: its own block needs no lock. */
    private Long own(SharedSessionContractImplementor session, Block block) {
        if (block.ids.isEmpty()) {
            fetch(session, block.nextSize, block.ids);
            block.nextSize = Math.min(LARGEST_BLOCK, Math.max(FIRST_BLOCK, block.nextSize * 2));
        }
        return block.ids.poll();
    }

    /**
     * From the shared pool of the session's tenant; an empty pool is refilled by the session that finds it empty, as
     * many ids as its block size (the last transaction's use at first, then doubling). Fetched outside the lock: two
     * sessions refilling at once both add their ids, nothing is lost.
     */
    private Long pooled(SharedSessionContractImplementor session, Block block) {
        Pool pool = pool(session);
        synchronized (pool) {
            Long id = pool.ids.poll();
            if (id != null) {
                return id;
            }
        }
        ArrayDeque<Long> fetched = new ArrayDeque<>();
        fetch(session, block.nextSize, fetched);
        block.nextSize = Math.min(LARGEST_BLOCK, Math.max(FIRST_BLOCK, block.nextSize * 2));
        Long id = fetched.poll();
        synchronized (pool) {
            pool.ids.addAll(fetched);
        }
        return id;
    }

    private Pool pool(SharedSessionContractImplementor session) {
        Object tenant = session.getTenantIdentifierValue();
        return pools.computeIfAbsent(tenant == null ? NO_TENANT : tenant, t -> new Pool());
    }

    /**
     * A pooled sequence's next block, fetched in the round trip of an upsert statement instead of one of its own: as
     * many ids as the statement's transaction drew so far (at least a block, at most {@link #LARGEST_BLOCK}), once the
     * shared pool holds fewer than that, so that the next transaction like this one finds its ids waiting. The
     * statement carries {@code ; select nextval(...)} after its own SQL (pgjdbc sends both with one Sync). A run of
     * one-row transactions then never waits for a fetch of its own, only the first transaction after boot does, and
     * a run of 1,000-row ones fetches with their statements too; one refill at a time per pool. Null when nothing is
     * due: another id type, the pool full enough, or a refill already on its way.
     */
    public Refill refill(SharedSessionContractImplementor session) {
        if (increment == 1) {
            return null;
        }
        Map<IdentityBlockGenerator, Block> blocks = SessionState.of(session).get(BLOCKS);
        Block block = blocks == null ? null : blocks.get(this);
        int used = block == null ? 0 : Math.min(LARGEST_BLOCK, block.used);
        int wanted = Math.max(1, (used + increment - 1) / increment) * increment;  // whole sequence values
        Pool pool = pool(session);
        synchronized (pool) {
            if (pool.refilling || pool.ids.size() >= wanted) {
                return null;
            }
            pool.refilling = true;
        }
        // a pooled generator knows its sequence from the mapping: no query, nothing to fail while the flag is set
        return new Refill(pool, fetchSql(sequence(session), wanted));
    }

    /** A refill on its way: {@link #appendTo} the statement's SQL, {@link #read} its second result, {@link #close}. */
    public final class Refill implements AutoCloseable {

        private final Pool pool;
        private final String sql;

        private Refill(Pool pool, String sql) {
            this.pool = pool;
            this.sql = sql;
        }

        /** {@code statement} followed by the fetch, one query string. */
        public String appendTo(String statement) {
            return statement + "; " + sql;
        }

        /** Adds the fetched ids to the pool; call once the statement's own result has been read. */
        public void read(java.sql.Statement statement) throws SQLException {
            if (!statement.getMoreResults()) {
                return;
            }
            ArrayDeque<Long> fetched = new ArrayDeque<>();
            try (ResultSet rs = statement.getResultSet()) {
                readIds(rs, fetched);
            }
            synchronized (pool) {
                pool.ids.addAll(fetched);
            }
        }

        /** Lets the next statement refill, whether this one did or failed. */
        @Override
        public void close() {
            synchronized (pool) {
                pool.refilling = false;
            }
        }
    }

    /** A transaction's own unused ids become gaps (a pooled sequence's stay in the pool); its count sizes the next first fetch. */
    private void transactionEnded(SharedSessionContractImplementor session) {
        Map<IdentityBlockGenerator, Block> blocks = SessionState.of(session).get(BLOCKS);
        Block block = blocks == null ? null : blocks.remove(this);
        if (block != null) {
            firstFetch = Math.max(increment, Math.min(LARGEST_BLOCK, Math.max(1, block.used)));
        }
    }

    /** {@code size} ids' worth of sequence values, each beside the sequence's start. */
    private String fetchSql(String seq, int size) {
        String quoted = "'" + seq.replace("'", "''") + "'";
        return "select nextval(" + quoted + "), (select seqstart from pg_sequence where seqrelid = " + quoted
                + "::regclass) from generate_series(1, " + Math.max(1, size / increment) + ")";
    }

    /** The ids the values of {@link #fetchSql} stand for. */
    private void readIds(ResultSet rs, ArrayDeque<Long> block) throws SQLException {
        while (rs.next()) {
            long value = rs.getLong(1);
            long start = rs.getLong(2);  // ids below the sequence's start are never handed out
            for (long id = Math.max(value - increment + 1, start); id <= value; id++) {
                block.add(id);
            }
        }
    }

    private void fetch(SharedSessionContractImplementor session, int size, ArrayDeque<Long> block) {
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        String seq = sequence(session);
        String sql = fetchSql(seq, size);
        PreparedStatement statement = jdbc.getStatementPreparer().prepareStatement(sql);
        try {
            readIds(jdbc.getResultSetReturn().extract(statement, sql), block);
        } catch (SQLException e) {
            throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "could not fetch ids from " + seq, sql);
        } finally {
            jdbc.getLogicalConnection().getResourceRegistry().release(statement);
            jdbc.afterStatementExecution();
        }
    }

    private String sequence(SharedSessionContractImplementor session) {
        String found = sequence;
        if (found == null) {
            String column = ((BasicValuedModelPart) persister.getIdentifierMapping()).getSelectionExpression();
            String sql = SERIAL_SEQUENCE;
            JdbcCoordinator jdbc = session.getJdbcCoordinator();
            PreparedStatement statement = jdbc.getStatementPreparer().prepareStatement(sql);
            try {
                bindSerialSequence(statement, column);
                ResultSet rs = jdbc.getResultSetReturn().extract(statement, sql);
                found = rs.next() ? rs.getString(1) : null;
            } catch (SQLException e) {
                throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "could not find the sequence of " + column, sql);
            } finally {
                jdbc.getLogicalConnection().getResourceRegistry().release(statement);
                jdbc.afterStatementExecution();
            }
            if (found == null) {
                throw new HibernateException("@Upsert on " + persister.getMappedClass().getSimpleName() + ": the IDENTITY id column "
                        + column + " of " + persister.getTableName() + " has no sequence (pg_get_serial_sequence is null); "
                        + "declare it GENERATED ... AS IDENTITY or serial/bigserial");
            }
            sequence = found;
        }
        return found;
    }

    /**
     * The sequence of an IDENTITY (or serial) column: {@code pg_get_serial_sequence}, which names it with its schema,
     * unless the entity's table is named without one. Then the sequence is named without one too, found by the
     * connection's {@code search_path} where the table is found: with a schema per tenant (a
     * {@code MultiTenantConnectionProvider} switching schemas), each tenant's statements draw from its own
     * sequence, not from the one of the tenant whose connection first asked.
     */
    private static final String SERIAL_SEQUENCE = "select case when ? then quote_ident(c.relname) else q.s end"
            + " from (select pg_get_serial_sequence(?, ?) as s) q left join pg_class c on c.oid = to_regclass(q.s)";

    private void bindSerialSequence(PreparedStatement statement, String column) throws SQLException {
        String table = persister.getTableName();
        statement.setBoolean(1, !table.contains("."));
        statement.setString(2, table);
        statement.setString(3, column.startsWith("\"") ? column : column.toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public EnumSet<EventType> getEventTypes() {
        return EventTypeSets.INSERT_ONLY;
    }
}
