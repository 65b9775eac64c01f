package dev.upsert.internal.persister;

import dev.upsert.internal.compat.HibernateAccess;
import dev.upsert.internal.boot.UpsertIntegrator;
import dev.upsert.internal.settings.UpsertMappingException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

import org.hibernate.HibernateException;
import org.hibernate.action.internal.DelayedPostInsertIdentifier;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.NaturalIdDataAccess;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.engine.spi.Status;
import org.hibernate.generator.Generator;
import org.hibernate.generator.values.GeneratedValues;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.metamodel.mapping.PluralAttributeMapping;
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
    private volatile Boolean delayedIds;
    private volatile Boolean ownsCollections;

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

    /**
     * Called as {@code entity} is persisted in a stateful session: if its id is generated before the insert
     * (SEQUENCE, IDENTITY drawn in blocks, TABLE, UUID...), Hibernate's proposed id is kept out of the entity, whose id
     * attribute stays null until the flush writes the stored row's id back. Assigned ids, and IDENTITY on an entity
     * with collections (its statement runs at {@code persist}), are left alone.
     */
    public void expectProposedId(Object entity, SharedSessionContractImplementor session) {
        if (HibernateAccess.get().setsGeneratedIdAtPersist(getGenerator(), entity, session)) {
            ProposedIds.expect(entity);
        }
    }

    /**
     * Sets the stored row's id into {@code entity}, always: an expectation still pending for it (its persist failed,
     * or Hibernate did not set the id it was expected to) must not swallow this one.
     */
    public void setStoredIdentifier(Object entity, Object id, SharedSessionContractImplementor session) {
        ProposedIds.consume(entity);
        super.setIdentifier(entity, id, session);
    }

    /** Leaves the id proposed at {@code persist} out of the entity ({@link #expectProposedId}); other ids go in. */
    @Override
    public void setIdentifier(Object entity, Object id, SharedSessionContractImplementor session) {
        if (id != null && ProposedIds.consume(entity)) {
            return;
        }
        super.setIdentifier(entity, id, session);
    }

    /**
     * A new instance without an id is a merge's copy about to be persisted ({@code DefaultMergeEventListener}): its
     * proposed id is kept out of it as well. Instances loaded with an id get it.
     */
    @Override
    public Object instantiate(Object id, SharedSessionContractImplementor session) {
        Object instance = super.instantiate(id, session);
        if (id == null && session != null && !HibernateAccess.get().isStateless(session)) {
            expectProposedId(instance, session);
        }
        return instance;
    }

    /**
     * While its upsert is pending, an entity's id attribute is null. Keyed by Hibernate's placeholder
     * ({@code DelayedIdKeys}), it answers null, as an entity of a delayed IDENTITY insert does (Hibernate's flush
     * does not compare a placeholder with the attribute). Keyed by the proposed id (an id type the placeholder cannot
     * stand in for), Hibernate's own reads of the id (the flush's check that it was not altered, {@code isTransient})
     * get that one.
     */
    @Override
    public Object getIdentifier(Object entity, SharedSessionContractImplementor session) {
        Object id = super.getIdentifier(entity, session);
        if (id == null && session != null && !HibernateAccess.get().isStateless(session)) {
            EntityEntry entry = session.getPersistenceContextInternal().getEntry(entity);
            if (entry != null && entry.getPersister() instanceof UpsertEntityPersister && awaitsUpsert(entry, entity, session)) {
                return entry.getId() instanceof DelayedPostInsertIdentifier ? null : entry.getId();
            }
        }
        return id;
    }

    /**
     * Whether a pending entity can be keyed by Hibernate's placeholder: {@code EntityKey} and {@code CollectionKey}
     * hash and compare an id through its type, which for most id types (long, int, UUID, String...) is the value's
     * own {@code equals}/{@code hashCode}, that any object has; other types would cast the placeholder.
     */
    public boolean keysByDelayedId() {
        Boolean delayed = delayedIds;
        if (delayed == null) {
            delayedIds = delayed = !getIdentifierType().isComponentType() && getIdentifierType().getTypeForEqualsHashCode() == null;
        }
        return delayed;
    }

    /** Whether the entity owns a collection written with its id (an element collection, a join table). */
    public boolean ownsCollections() {
        Boolean owns = ownsCollections;
        if (owns == null) {
            owns = false;
            var attributes = getAttributeMappings();
            for (int i = 0; i < attributes.size(); i++) {
                if (attributes.get(i) instanceof PluralAttributeMapping plural && !plural.getCollectionDescriptor().isInverse()) {
                    owns = true;
                }
            }
            ownsCollections = owns;
        }
        return owns;
    }

    /** Persisted, with its statement not run yet: its insert action is queued, or its row waits in the batch. */
    public static boolean awaitsUpsert(EntityEntry entry, Object entity, SharedSessionContractImplementor session) {
        if (entry.getStatus() != Status.MANAGED && entry.getStatus() != Status.SAVING && entry.getStatus() != Status.READ_ONLY) {
            return false;
        }
        return !entry.isExistsInDatabase() || UpsertBatch.holds(session, entity);
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

    /**
     * Hibernate's insert caches the state and id it inserts; an upsert's are proposed ones (the row may keep another
     * id and other values). Invalidation instead: an insert caches nothing, the stored row is cached when it is
     * loaded, and an update evicts the entry ({@code SecondLevelCache} evicts what an upsert updated).
     */
    @Override
    public boolean isCacheInvalidationRequired() {
        return true;
    }

    public UpsertMapping mapping() {
        return mapping;
    }

    /** The statement plan; resolving a {@code constraint} target needs the catalog, read on the session's connection. */
    public UpsertPlan plan(SharedSessionContractImplementor session) {
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
    public UnnestUpsertStatement unnestStatement(SharedSessionContractImplementor session) {
        java.util.Optional<UnnestUpsertStatement> current = unnest;
        if (current == null) {
            unnest = current = java.util.Optional.ofNullable(UnnestUpsertStatement.build(plan(session)));
        }
        return current.orElse(null);
    }

    /** The plan if it was built already, else null. */
    public UpsertPlan plan() {
        return plan;
    }

    /** Builds (once) and checks the plan against the catalog on {@code connection}; null with problems added if wrong. */
    public synchronized UpsertPlan plan(Connection connection, List<String> problems) {
        if (plan == null) {
            plan = UpsertPlan.build(this, mapping, connection, problems);
        }
        return plan;
    }
}
