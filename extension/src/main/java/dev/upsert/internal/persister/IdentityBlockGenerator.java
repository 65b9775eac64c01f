package dev.upsert.internal.persister;

import dev.upsert.internal.compat.HibernateAccess;
import dev.upsert.internal.persister.mutation.UnnestUpsertStatement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Map;
import java.util.WeakHashMap;

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
 * {@code allocationSize = 1}, or Hibernate's pooled optimizer), drawn at {@code persist} from a block fetched in one
 * round trip from the column's own sequence ({@code pg_get_serial_sequence}) or the mapped one:
 * {@code select nextval(seq) from generate_series(1, n)}, as batch sequence generators do; a pooled value stands for
 * {@code allocationSize} ids, exactly as Hibernate's pooled optimizer reads it. Hibernate then treats the entity like a sequence entity: its upserts wait for the flush and go out
 * in chunks ({@link UnnestUpsertStatement}, with {@code OVERRIDING SYSTEM VALUE} for {@code GENERATED ALWAYS}), and
 * the stored id is written back. Each value is one {@code nextval}, so concurrent sessions and JVMs never collide;
 * values fetched and not used are gaps, as PostgreSQL leaves for every conflict anyway. No application change.
 * <p>
 * A block belongs to one session and lives until its transaction ends: ids fetched before a
 * {@code truncate ... restart identity} or a {@code setval} (between tests, after a restore) are never handed out
 * after it, as IDENTITY users expect. The first fetch of a transaction asks for as many ids as the last transaction
 * used, so a run of 1,000-row transactions fetches once per transaction and a run of single-row ones wastes nothing.
 */
public final class IdentityBlockGenerator implements BeforeExecutionGenerator {

    /**
     * Ids per round trip: the first fetch of a transaction asks for the last transaction's count (a run of single-row
     * transactions fetches one id each), the next ones at least {@code FIRST_BLOCK}, doubling up to the largest.
     */
    private static final int FIRST_BLOCK = 50;
    private static final int LARGEST_BLOCK = 1_000;

    /** The ids one session fetched in its current transaction. */
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
    /** Per session, weakly: a session that never completes a transaction (a stateless one) drops its block with it. */
    private final Map<SharedSessionContractImplementor, Block> blocks = new WeakHashMap<>();
    /** Ids the last completed transaction used: the size of the next transaction's first fetch. */
    private volatile int firstFetch;

    /** The generator Hibernate built from the mapping, for code that asks what the id's origin is (sequence drift). */
    public final Generator replaced;

    private IdentityBlockGenerator(UpsertEntityPersister persister, Generator replaced, String sequence, int increment) {
        this.replaced = replaced;
        this.persister = persister;
        this.sequence = sequence;
        this.increment = increment;
        this.firstFetch = Math.max(FIRST_BLOCK, increment);
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

    @Override
    public Object generate(SharedSessionContractImplementor session, Object owner, Object currentValue, EventType eventType) {
        Block block;
        boolean first = false;
        synchronized (blocks) {
            block = blocks.get(session);
            if (block == null) {
                block = new Block(firstFetch);
                blocks.put(session, block);
                first = true;
            }
        }
        if (first && !HibernateAccess.get().isStateless(session)) {
            HibernateAccess.get().afterTransaction(session, this::transactionEnded);
        }
        // a session is used by one thread at a time: its block needs no lock of its own
        if (block.ids.isEmpty()) {
            fetch(session, block.nextSize, block.ids);
            block.nextSize = Math.min(LARGEST_BLOCK, Math.max(FIRST_BLOCK, block.nextSize * 2));
        }
        block.used++;
        Long next = block.ids.poll();
        @SuppressWarnings("unchecked")
        JavaType<Object> javaType = (JavaType<Object>) persister.getIdentifierMapping().getJavaType();
        return javaType.wrap(next, session);
    }

    /** The transaction's unused ids become gaps; its count sizes the next transaction's first fetch. */
    private void transactionEnded(SharedSessionContractImplementor session) {
        Block block;
        synchronized (blocks) {
            block = blocks.remove(session);
        }
        if (block != null) {
            firstFetch = Math.max(increment, Math.min(LARGEST_BLOCK, Math.max(1, block.used)));
        }
    }

    private void fetch(SharedSessionContractImplementor session, int size, ArrayDeque<Long> block) {
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        String seq = sequence(session);
        String quoted = "'" + seq.replace("'", "''") + "'";
        String sql = "select nextval(" + quoted + "), (select seqstart from pg_sequence where seqrelid = " + quoted
                + "::regclass) from generate_series(1, " + Math.max(1, size / increment) + ")";
        PreparedStatement statement = jdbc.getStatementPreparer().prepareStatement(sql);
        try {
            ResultSet rs = jdbc.getResultSetReturn().extract(statement, sql);
            while (rs.next()) {
                long value = rs.getLong(1);
                long start = rs.getLong(2);  // ids below the sequence's start are never handed out
                for (long id = Math.max(value - increment + 1, start); id <= value; id++) {
                    block.add(id);
                }
            }
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
            String sql = "select pg_get_serial_sequence(?, ?)";
            JdbcCoordinator jdbc = session.getJdbcCoordinator();
            PreparedStatement statement = jdbc.getStatementPreparer().prepareStatement(sql);
            try {
                statement.setString(1, persister.getTableName());
                statement.setString(2, column.startsWith("\"") ? column : column.toLowerCase(java.util.Locale.ROOT));
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

    @Override
    public EnumSet<EventType> getEventTypes() {
        return EventTypeSets.INSERT_ONLY;
    }
}
