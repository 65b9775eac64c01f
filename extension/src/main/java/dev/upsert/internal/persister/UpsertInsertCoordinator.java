package dev.upsert.internal.persister;

import dev.upsert.internal.compat.HibernateAccess;
import dev.upsert.internal.compat.LineBatchKey;
import dev.upsert.internal.outcome.UpsertResults;
import java.lang.ref.WeakReference;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.hibernate.engine.jdbc.spi.JdbcCoordinator;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.generator.values.GeneratedValues;
import org.hibernate.generator.values.internal.GeneratedValuesImpl;
import org.hibernate.metamodel.mapping.AttributeMapping;
import org.hibernate.metamodel.mapping.AttributeMappingsList;
import org.hibernate.metamodel.mapping.EntityMappingType;
import org.hibernate.metamodel.mapping.internal.EmbeddedAttributeMapping;
import org.hibernate.metamodel.mapping.internal.ToOneAttributeMapping;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.persister.entity.mutation.InsertCoordinatorStandard;

import dev.upsert.UpsertOutcome;

/**
 * Runs an {@code @Upsert} entity's inserts as {@code INSERT ... ON CONFLICT ... RETURNING} and writes the row the
 * database holds back into the entity.
 * <p>
 * Ids assigned by the insert (IDENTITY on an entity with collections, which keeps Hibernate's IDENTITY path): the
 * statement runs at {@code persist}, one row, as Hibernate does for identity inserts. Other ids (IDENTITY ids too,
 * drawn ahead by {@link IdentityBlockGenerator}): rows are queued in the session's one {@link UpsertBatch} (shared by
 * every {@code @Upsert} type), which runs at the end of the flush's inserts, or before an insert that references a
 * type with pending rows; there the stored id replaces the proposed one when the key already existed.
 */
public final class UpsertInsertCoordinator extends InsertCoordinatorStandard {

    private final UpsertEntityPersister persister;
    /** The {@code @Upsert} types this one's associations point to; resolved on first use (all persisters exist then). */
    private volatile Set<UpsertEntityPersister> referenced;

    public UpsertInsertCoordinator(UpsertEntityPersister persister, org.hibernate.engine.spi.SessionFactoryImplementor factory) {
        super(persister, factory);
        this.persister = persister;
    }

    @Override
    public GeneratedValues insert(Object entity, Object[] values, SharedSessionContractImplementor session) {
        // IDENTITY: Hibernate needs the id now, so the statement runs now, after any pending batch (as Hibernate does).
        session.getJdbcCoordinator().conditionallyExecuteBatch(null);
        preInsertInMemoryValueGeneration(values, entity, session);
        UpsertPlan plan = persister.plan(session);
        UpsertPlan.StoredRow row = executeOne(plan, plan.jdbcValues(null, values, session), session);
        UpsertOutcome outcome = WriteBack.apply(plan, entity, values, row, session);
        StoredCollections.afterUpsert(persister, entity, values, row.id(), outcome, session);
        var entry = session.getPersistenceContextInternal().getEntry(entity);
        if (entry != null) {
            UpsertResults.record(entry, outcome);
        }
        GeneratedValuesImpl generated = new GeneratedValuesImpl(List.of(persister.getIdentifierMapping()));
        generated.addGeneratedValue(persister.getIdentifierMapping(), row.id());
        return generated;
    }

    @Override
    public GeneratedValues insert(Object entity, Object id, Object[] values, SharedSessionContractImplementor session) {
        preInsertInMemoryValueGeneration(values, entity, session);
        UpsertPlan plan = persister.plan(session);
        // a placeholder id goes in as NULL: the statement draws the row's id (IdentityBlockGenerator)
        Object proposed = persister.getGenerator() instanceof IdentityBlockGenerator block && block.isPlaceholder(id) ? null : id;
        Object[] jdbcValues = plan.jdbcValues(proposed, values, session);
        (HibernateAccess.get().isStateless(session) ? batch(session) : UpsertBatch.pendingFor(session)).add(persister, entity, id, values, jdbcValues);
        return null;
    }

    /**
     * Called before this entity's values are bound: if upserts of a type it references are pending, they run first,
     * so its foreign keys bind the stored ids, not the proposed ones.
     */
    public void beforeInsert(SharedSessionContractImplementor session) {
        if (!HibernateAccess.get().isStateless(session)) {
            UpsertBatch.runPendingIfAnyOf(session, referenced());
            return;
        }
        UpsertBatch batch = batch(session);
        if (batch.holdsAnyOf(referenced())) {
            batch.execute();
        }
    }

    /** The {@code @Upsert} types that a plain entity's associations point to: its inserts depend on their rows. */
    public static Set<UpsertEntityPersister> referencedBy(EntityPersister persister) {
        Set<UpsertEntityPersister> targets = new HashSet<>();
        collectReferenced(persister.getAttributeMappings(), targets);
        return Set.copyOf(targets);
    }

    /**
     * The stateless session on this thread that last queued an upsert, while open: Hibernate 6.6's
     * {@code StatelessSession} fires {@code PreInsertEvent} without a session, and its pending upserts must still run
     * before an insert that references them. Unused on 7.x, whose events carry the session.
     */
    public static SharedSessionContractImplementor statelessSessionOfThisThread() {
        SharedSessionContractImplementor session = STATELESS_SESSION.get().get();
        return session == null || session.isClosed() ? null : session;
    }

    private static final ThreadLocal<WeakReference<SharedSessionContractImplementor>> STATELESS_SESSION =
            ThreadLocal.withInitial(() -> new WeakReference<>(null));

    /** The session's upsert batch; a pending batch of another kind is executed first, as Hibernate does. */
    private static UpsertBatch batch(SharedSessionContractImplementor session) {
        if (STATELESS_SESSION.get().get() != session) {
            STATELESS_SESSION.set(new WeakReference<>(session));
        }
        return (UpsertBatch) session.getJdbcCoordinator().getBatch(UpsertBatchKey.INSTANCE, session.getConfiguredJdbcBatchSize(), () -> null);
    }

    private Set<UpsertEntityPersister> referenced() {
        Set<UpsertEntityPersister> found = referenced;
        if (found == null) {
            referenced = found = referencedBy(persister);
        }
        return found;
    }

    private static void collectReferenced(AttributeMappingsList attributes, Set<UpsertEntityPersister> targets) {
        for (int i = 0; i < attributes.size(); i++) {
            AttributeMapping attribute = attributes.get(i);
            if (attribute instanceof ToOneAttributeMapping toOne) {
                addWithSubtypes(toOne.getEntityMappingType(), targets);
            } else if (attribute instanceof EmbeddedAttributeMapping embedded) {
                collectReferenced(embedded.getEmbeddableTypeDescriptor().getAttributeMappings(), targets);
            }
        }
    }

    /** A reference to {@code Party} may point to a pending {@code Customer}: the rows wait per concrete type. */
    private static void addWithSubtypes(EntityMappingType type, Set<UpsertEntityPersister> targets) {
        if (type.getEntityPersister() instanceof UpsertEntityPersister target) {
            targets.add(target);
        }
        for (EntityMappingType subtype : type.getSubMappingTypes()) {
            addWithSubtypes(subtype, targets);
        }
    }

    /** One row, outside any batch: the IDENTITY path. */
    public static UpsertPlan.StoredRow executeOne(UpsertPlan plan, Object[] jdbcValues, SharedSessionContractImplementor session) {
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        IdentityBlockGenerator.Refill refill = refill(plan, session);
        String sql = refill == null ? plan.sql : refill.appendTo(plan.sql);
        UpsertPlan.StoredRow returned = null;
        try (refill) {
            PreparedStatement statement = jdbc.getMutationStatementPreparer().prepareStatement(sql, false);
            try {
                plan.bind(statement, jdbcValues, session);
                logStatement(sql, session);
                ResultSet rs = jdbc.getResultSetReturn().execute(statement, sql);
                if (rs.next()) {
                    returned = plan.readReturned(rs, session);
                }
                if (refill != null) {
                    refill.read(statement);
                }
            } catch (SQLException e) {
                throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "could not execute upsert", sql);
            } finally {
                jdbc.getLogicalConnection().getResourceRegistry().release(statement);
                jdbc.afterStatementExecution();
            }
        }
        return returned != null ? withInsertedFlags(plan, List.of(returned), session).get(0) : storedRow(plan, jdbcValues, session);
    }

    /** A pooled sequence's refill for the statement of {@code plan} to carry, or null ({@link IdentityBlockGenerator#refill}). */
    static IdentityBlockGenerator.Refill refill(UpsertPlan plan, SharedSessionContractImplementor session) {
        return plan.persister.getGenerator() instanceof IdentityBlockGenerator block ? block.refill(session) : null;
    }

    /**
     * Shows an upsert statement as Hibernate shows its own ({@code show_sql}, {@code format_sql}, the
     * {@code org.hibernate.SQL} logger): its mutation statements are logged by Hibernate's executors, which an upsert
     * bypasses, not by the statement preparer.
     */
    public static void logStatement(String sql, SharedSessionContractImplementor session) {
        session.getJdbcServices().getSqlStatementLogger().logStatement(sql);
    }

    /**
     * On a partitioned table, sets each returned row's inserted flag from {@link UpsertPlan#insertedFlagSql}, one
     * query for the rows of one statement, each found by where its returned version is (partition and tuple id, which
     * no other row shares, whereas an id may repeat across partitions); elsewhere the statement returned the flag.
     */
    public static List<UpsertPlan.StoredRow> withInsertedFlags(UpsertPlan plan, List<UpsertPlan.StoredRow> rows,
                                                        SharedSessionContractImplementor session) {
        if (!plan.partitioned) {
            return rows;  // (checked first: this runs for every statement, a one-row transaction's too)
        }
        List<UpsertPlan.StoredRow> returned = rows.stream().filter(r -> r != null && !r.skipped() && r.locator() != null).toList();
        if (returned.isEmpty()) {
            return rows;
        }
        String sql = plan.insertedFlagSql(returned.size());
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        PreparedStatement statement = jdbc.getStatementPreparer().prepareStatement(sql);
        Map<String, Boolean> inserted = new HashMap<>();
        try {
            for (int i = 0; i < returned.size(); i++) {
                String locator = returned.get(i).locator();
                statement.setString(i + 1, locator.substring(locator.indexOf(':') + 1));
            }
            ResultSet rs = jdbc.getResultSetReturn().extract(statement, sql);
            while (rs.next()) {
                inserted.put(rs.getString(1), rs.getBoolean(2));
            }
        } catch (SQLException e) {
            throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "could not read whether upserted rows were inserted", sql);
        } finally {
            jdbc.getLogicalConnection().getResourceRegistry().release(statement);
            jdbc.afterStatementExecution();
        }
        List<UpsertPlan.StoredRow> flagged = new ArrayList<>(rows.size());
        for (UpsertPlan.StoredRow row : rows) {
            flagged.add(row == null || row.skipped() || row.locator() == null ? row : new UpsertPlan.StoredRow(row.id(),
                    row.readBacks(), row.values(), Boolean.TRUE.equals(inserted.get(row.locator())), false, row.locator()));
        }
        return flagged;
    }

    /**
     * The documented fallback: a conflict that changed nothing (DO NOTHING, a false {@code updateWhere}, an unchanged
     * row) returns no row, so the stored row is read by its key, once, in the same transaction.
     */
    public static UpsertPlan.StoredRow storedRow(UpsertPlan plan, Object[] jdbcValues, SharedSessionContractImplementor session) {
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        PreparedStatement statement = jdbc.getStatementPreparer().prepareStatement(plan.storedRowSql);
        try {
            plan.bind(statement, jdbcValues, session);
            ResultSet rs = jdbc.getResultSetReturn().extract(statement, plan.storedRowSql);
            if (!rs.next()) {
                if (plan.tenantGuard != null || plan.discriminatorGuard != null) {
                    return insertOfAnotherTenantsKey(plan, jdbcValues, session);
                }
                // The conflicting row was deleted between our statement and this read; nothing sensible to return.
                throw new IllegalStateException("@Upsert on " + plan.persister.getMappedClass().getSimpleName()
                        + ": the conflicting row disappeared before it could be read; retry the transaction");
            }
            return plan.readStored(rs, session);
        } catch (SQLException e) {
            throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "could not read the stored row", plan.storedRowSql);
        } finally {
            jdbc.getLogicalConnection().getResourceRegistry().release(statement);
            jdbc.afterStatementExecution();
        }
    }

    /**
     * The key is unique across tenants and no row of the session's tenant holds it, so another tenant's row does (or,
     * in a SINGLE_TABLE hierarchy, no row of the entity's type holds it, so a row of another type does): the row is
     * inserted plainly, and PostgreSQL raises the 23505 that the key is taken ({@code DuplicateKeyException}), never
     * handing over or updating that row. If that row was deleted meanwhile, the insert simply succeeds.
     */
    private static UpsertPlan.StoredRow insertOfAnotherTenantsKey(UpsertPlan plan, Object[] jdbcValues,
                                                                 SharedSessionContractImplementor session) {
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        String sql = plan.plainInsertSql;
        PreparedStatement statement = jdbc.getMutationStatementPreparer().prepareStatement(sql, false);
        try {
            plan.bind(statement, jdbcValues, session);
            logStatement(sql, session);
            ResultSet rs = jdbc.getResultSetReturn().execute(statement, sql);
            if (!rs.next()) {
                throw new IllegalStateException("@Upsert on " + plan.persister.getMappedClass().getSimpleName()
                        + ": the insert returned no row (a trigger that skips inserted rows is not supported with @Upsert)");
            }
            UpsertPlan.StoredRow row = plan.readReturned(rs, session);
            return new UpsertPlan.StoredRow(row.id(), row.readBacks(), row.values(), true, false);
        } catch (SQLException e) {
            throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "could not execute upsert", sql);
        } finally {
            jdbc.getLogicalConnection().getResourceRegistry().release(statement);
            jdbc.afterStatementExecution();
        }
    }

    /**
     * One batch for the upserts of every type: a flush then runs them in one fixed order (type, then key) whatever
     * order the application persisted them in, so concurrent flushes lock rows in the same order.
     */
    public enum UpsertBatchKey implements LineBatchKey {
        INSTANCE;

        @Override
        public String toLoggableString() {
            return "@Upsert";
        }
    }
}
