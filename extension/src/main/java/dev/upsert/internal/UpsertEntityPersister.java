package dev.upsert.internal;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

import org.hibernate.HibernateException;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.NaturalIdDataAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.generator.Generator;
import org.hibernate.generator.values.GeneratedValues;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.metamodel.spi.RuntimeModelCreationContext;
import org.hibernate.persister.entity.SingleTableEntityPersister;
import org.hibernate.persister.entity.mutation.InsertCoordinator;
import org.hibernate.persister.entity.mutation.UpdateCoordinator;

/**
 * The persister of an {@code @Upsert} entity: Hibernate's single-table persister with two changes, its insert
 * coordinator, which turns every insert into {@code INSERT ... ON CONFLICT}, and its merge coordinator, which makes
 * {@code StatelessSession.upsert} that same upsert by key. Instantiated reflectively by Hibernate,
 * hence public.
 */
public final class UpsertEntityPersister extends SingleTableEntityPersister {

    private final UpsertMapping mapping;
    private final IdentityBlockGenerator blockIds;
    private volatile InsertCoordinator upsertCoordinator;
    private volatile UpdateCoordinator upsertMergeCoordinator;
    private volatile UpsertPlan plan;
    /** The one-statement-per-chunk form ({@link UnnestUpsertStatement}); empty when the plan cannot use it. */
    private volatile java.util.Optional<UnnestUpsertStatement> unnest;

    public UpsertEntityPersister(PersistentClass model, EntityDataAccess cache, NaturalIdDataAccess naturalIdCache,
                                 RuntimeModelCreationContext context) throws HibernateException {
        super(model, cache, naturalIdCache, context);
        List<String> problems = new ArrayList<>();
        this.mapping = UpsertMapping.analyze(model, problems);
        if (mapping == null) {
            // UpsertIntegrator normally reports these first, all entities together
            throw new UpsertMappingException(problems);
        }
        this.blockIds = IdentityBlockGenerator.replacing(super.getGenerator(), this);
    }

    /** IDENTITY (and one-per-round-trip sequence) ids come from a block, so the upserts can wait for the flush. */
    @Override
    public Generator getGenerator() {
        // null while the super constructor runs
        return blockIds != null ? blockIds : super.getGenerator();
    }

    @Override
    public boolean isIdentifierAssignedByInsert() {
        return blockIds == null && super.isIdentifierAssignedByInsert();
    }

    @Override
    public InsertCoordinator getInsertCoordinator() {
        // Built lazily: the super constructor asks for coordinators before this class's fields are set.
        InsertCoordinator coordinator = upsertCoordinator;
        if (coordinator == null) {
            synchronized (this) {
                if (upsertCoordinator == null) {
                    upsertCoordinator = new UpsertInsertCoordinator(this, getFactory());
                }
                coordinator = upsertCoordinator;
            }
        }
        return coordinator;
    }

    @Override
    public UpdateCoordinator getMergeCoordinator() {
        UpdateCoordinator coordinator = upsertMergeCoordinator;
        if (coordinator == null) {
            synchronized (this) {
                if (upsertMergeCoordinator == null) {
                    upsertMergeCoordinator = new UpsertMergeCoordinator(this, super.getMergeCoordinator());
                }
                coordinator = upsertMergeCoordinator;
            }
        }
        return coordinator;
    }

    /**
     * Values generated on execution came back with the upsert's {@code RETURNING} (or the stored-row read) and were
     * written back there; Hibernate's follow-up select by id would look for the proposed id, which a conflict replaced.
     */
    @Override
    public void processInsertGeneratedProperties(Object id, Object entity, Object[] state, GeneratedValues generatedValues,
                                                 SharedSessionContractImplementor session) {
    }

    UpsertMapping mapping() {
        return mapping;
    }

    /** The statement plan; resolving a {@code constraint} target needs the catalog, read on the session's connection. */
    UpsertPlan plan(SharedSessionContractImplementor session) {
        UpsertPlan current = plan;
        if (current == null) {
            List<String> problems = new ArrayList<>();
            current = plan(session.getJdbcCoordinator().getLogicalConnection().getPhysicalConnection(), problems);
            if (current == null) {
                throw new UpsertMappingException(problems);
            }
        }
        return current;
    }

    /** Built once from the plan; null if the plan does not fit it ({@link UpsertPlan#oneStatementPerChunk}). */
    UnnestUpsertStatement unnestStatement(SharedSessionContractImplementor session) {
        java.util.Optional<UnnestUpsertStatement> current = unnest;
        if (current == null) {
            unnest = current = java.util.Optional.ofNullable(UnnestUpsertStatement.build(plan(session)));
        }
        return current.orElse(null);
    }

    /** The plan if it was built already, else null. */
    UpsertPlan plan() {
        return plan;
    }

    /** Builds (once) and checks the plan against the catalog on {@code connection}; null with problems added if wrong. */
    synchronized UpsertPlan plan(Connection connection, List<String> problems) {
        if (plan == null) {
            plan = UpsertPlan.build(this, mapping, connection, problems);
        }
        return plan;
    }
}
