package dev.upsert.internal.boot;

import dev.upsert.internal.compat.HibernateAccess;
import dev.upsert.internal.compat.LineIntegrator;
import dev.upsert.internal.persister.UpsertBatch;
import dev.upsert.internal.catalog.UniqueKeyCatalog;
import dev.upsert.internal.event.PendingUpsertsListener;
import dev.upsert.internal.event.PostInsertAfterWriteBack;
import dev.upsert.internal.event.DelayedIdKeys;
import dev.upsert.internal.event.ProposedIdListener;
import dev.upsert.internal.event.UpsertLifecycleListener;
import dev.upsert.internal.event.UpsertPersistListener;
import dev.upsert.internal.persister.UpsertEntityPersister;
import dev.upsert.internal.persister.UpsertMapping;
import dev.upsert.internal.persister.UpsertInsertCoordinator;
import dev.upsert.internal.persister.UpsertPlan;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.hibernate.SessionFactory;
import org.hibernate.SessionFactoryObserver;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.jdbc.batch.internal.BasicBatchKey;
import org.hibernate.engine.jdbc.connections.spi.JdbcConnectionAccess;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.event.spi.PreInsertEvent;
import org.hibernate.event.spi.PreInsertEventListener;
import org.hibernate.mapping.PersistentClass;

import dev.upsert.Upsert;
import dev.upsert.UpsertSettings;
import dev.upsert.internal.settings.UpsertMappingException;
import dev.upsert.internal.settings.UpsertSettingValues;

/**
 * Wires {@code @Upsert} into a SessionFactory being built: checks the settings and every annotated mapping and
 * reports all problems at once, registers the persist, lifecycle and pre-insert listeners, and, once the persisters exist and
 * Hibernate's own schema generation has run, checks that every {@code @Upsert} entity got the extension's persister
 * and that every conflict target and statement is accepted by the live catalog.
 */
public final class UpsertIntegrator implements LineIntegrator {

    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor factory) {
        ConfigurationService configuration = factory.getServiceRegistry().requireService(ConfigurationService.class);
        List<String> settingProblems = UpsertSettingValues.problems(configuration.getSettings());
        if (!settingProblems.isEmpty()) {
            throw new UpsertMappingException("Invalid upsert-hibernate settings", settingProblems);
        }

        List<String> problems = new ArrayList<>();
        List<String> upsertEntities = new ArrayList<>();
        Set<Class<?>> entityClasses = new HashSet<>();
        metadata.getEntityBindings().forEach(model -> entityClasses.add(model.getMappedClass()));
        Map<Class<?>, List<String>> ignored = new LinkedHashMap<>();
        for (PersistentClass model : metadata.getEntityBindings()) {
            if (UpsertMapping.annotationOf(model) != null) {
                upsertEntities.add(model.getEntityName());
                UpsertMapping.analyze(model, problems);
            } else {
                Class<?> annotated = nonEntitySuperclassWithUpsert(model.getMappedClass(), entityClasses);
                if (annotated != null) {
                    ignored.computeIfAbsent(annotated, c -> new ArrayList<>()).add(UpsertMapping.simpleName(model));
                }
            }
        }
        // @Upsert is not @Inherited: on a @MappedSuperclass it would silently leave its entities plain inserts.
        ignored.forEach((annotated, entities) -> problems.add("@Upsert on " + annotated.getSimpleName() + ": has no effect, "
                + "because " + annotated.getSimpleName() + " is not an entity and @Upsert is not inherited (from a "
                + "@MappedSuperclass or any superclass): " + String.join(", ", entities) + " would persist with plain "
                + "inserts; put @Upsert on " + (entities.size() == 1 ? "the entity " : "each entity: ") + String.join(", ", entities)));
        if (upsertEntities.isEmpty() && problems.isEmpty()) {
            return;
        }
        var dialect = factory.getJdbcServices().getDialect();
        if (!(dialect instanceof PostgreSQLDialect) && !upsertEntities.isEmpty()) {
            problems.add(0, "@Upsert on " + upsertEntities.stream().map(name -> simpleName(metadata, name))
                    .collect(Collectors.joining(", ")) + ": @Upsert needs PostgreSQL (INSERT ... ON CONFLICT with RETURNING); "
                    + "this SessionFactory uses " + dialect.getClass().getSimpleName() + ". Remove @Upsert or run on "
                    + "PostgreSQL 13 or newer");
        }
        if (!problems.isEmpty()) {
            throw new UpsertMappingException(problems);
        }

        EventListenerRegistry listeners = factory.getServiceRegistry().requireService(EventListenerRegistry.class);
        listeners.prependListeners(EventType.PERSIST, new UpsertPersistListener());
        // a persist cascaded at flush: the same check, and its proposed id stays out of the entity too
        listeners.prependListeners(EventType.PERSIST_ONFLUSH, new UpsertPersistListener());
        // before Hibernate reads a proposed id that would outlive the flush: @MapsId children, find by id
        ProposedIdListener proposedIds = new ProposedIdListener();
        listeners.prependListeners(EventType.PERSIST, proposedIds);
        listeners.prependListeners(EventType.PERSIST_ONFLUSH, proposedIds);
        listeners.prependListeners(EventType.LOAD, proposedIds);
        // after Hibernate's persist and merge: a pending entity is keyed by a placeholder, not by its proposed id
        DelayedIdKeys delayedIds = new DelayedIdKeys(false);
        listeners.appendListeners(EventType.PERSIST, delayedIds);
        listeners.appendListeners(EventType.MERGE, delayedIds);
        listeners.appendListeners(EventType.PERSIST_ONFLUSH, new DelayedIdKeys(true));
        UpsertLifecycleListener lifecycle = new UpsertLifecycleListener();
        listeners.prependListeners(EventType.FLUSH, lifecycle);
        listeners.prependListeners(EventType.AUTO_FLUSH, lifecycle);
        listeners.prependListeners(EventType.DELETE, lifecycle);
        listeners.prependListeners(EventType.REFRESH, lifecycle);
        listeners.prependListeners(EventType.LOCK, lifecycle);
        listeners.prependListeners(EventType.EVICT, lifecycle);
        // The end of the flush's inserts: the first statement of another kind, or the end of the flush.
        PendingUpsertsListener pendingUpserts = new PendingUpsertsListener();
        listeners.prependListeners(EventType.PRE_UPDATE, pendingUpserts);
        listeners.prependListeners(EventType.PRE_DELETE, pendingUpserts);
        listeners.prependListeners(EventType.PRE_COLLECTION_RECREATE, pendingUpserts);
        listeners.prependListeners(EventType.PRE_COLLECTION_UPDATE, pendingUpserts);
        listeners.prependListeners(EventType.PRE_COLLECTION_REMOVE, pendingUpserts);
        listeners.appendListeners(EventType.FLUSH, pendingUpserts);
        listeners.appendListeners(EventType.AUTO_FLUSH, pendingUpserts);
        listeners.appendListeners(EventType.PRE_INSERT, (PreInsertEventListener) UpsertIntegrator::runPendingUpserts);

        boolean validate = UpsertSettingValues.flag(configuration, UpsertSettings.VALIDATE_SCHEMA, true);
        // Observers added now run after SessionFactoryObserverForSchemaExport, i.e. after hbm2ddl created the indexes.
        factory.addObserver(new SessionFactoryObserver() {
            @Override
            public void sessionFactoryCreated(SessionFactory created) {
                // after every integrator: Envers (and others) append their post-insert listeners in theirs
                PostInsertAfterWriteBack.install(listeners);
                checkPersisters((SessionFactoryImplementor) created, upsertEntities);
                if (validate) {
                    checkCatalog((SessionFactoryImplementor) created);
                }
            }
        });
    }

    private static Class<?> nonEntitySuperclassWithUpsert(Class<?> mapped, Set<Class<?>> entityClasses) {
        for (Class<?> c = mapped == null ? null : mapped.getSuperclass(); c != null && c != Object.class; c = c.getSuperclass()) {
            if (entityClasses.contains(c)) {
                return null;
            }
            if (c.isAnnotationPresent(Upsert.class)) {
                return c;
            }
        }
        return null;
    }

    private static String simpleName(Metadata metadata, String entityName) {
        return UpsertMapping.simpleName(metadata.getEntityBinding(entityName));
    }

    /**
     * A persister resolver set by the user ({@code hibernate.persister.resolver}) replaces the extension's, and
     * {@code @Upsert} entities would then persist with plain inserts: refuse that rather than ignore the annotation.
     */
    private static void checkPersisters(SessionFactoryImplementor factory, List<String> upsertEntities) {
        List<String> problems = new ArrayList<>();
        for (String entityName : upsertEntities) {
            var descriptor = factory.getMappingMetamodel().getEntityDescriptor(entityName);
            if (!(descriptor instanceof UpsertEntityPersister)) {
                Object resolver = factory.getServiceRegistry().requireService(ConfigurationService.class).getSettings()
                        .get(UpsertServiceContributor.PERSISTER_RESOLVER_SETTING);
                problems.add("@Upsert on " + descriptor.getMappedClass().getSimpleName() + ": Hibernate gave the entity "
                        + descriptor.getClass().getSimpleName() + ", not the extension's persister, so persist would be a "
                        + "plain INSERT; " + (resolver == null ? "another PersisterClassResolver replaced the extension's: have it"
                        : "the setting " + UpsertServiceContributor.PERSISTER_RESOLVER_SETTING + " = " + resolver
                          + " replaces the extension's resolver: remove it, or have your resolver")
                        + " return " + UpsertEntityPersister.class.getName() + " for @Upsert entities");
            }
        }
        if (!problems.isEmpty()) {
            throw new UpsertMappingException(problems);
        }
    }

    /**
     * Before an entity's insert binds its values, pending upserts of the types it references run, so a foreign key to
     * an upserted entity binds the stored id, not the proposed one. Other pending upserts keep waiting for the end of
     * the flush's inserts, so that plain inserts between them do not break their key order.
     */
    private static boolean runPendingUpserts(PreInsertEvent event) {
        SharedSessionContractImplementor session = event.getSession();
        if (session == null) {
            // Hibernate 6.6's StatelessSession fires its pre-insert event without itself
            session = UpsertInsertCoordinator.statelessSessionOfThisThread();
            if (session == null) {
                return false;  // no upsert is waiting in a stateless session on this thread
            }
        }
        if (event.getPersister().getInsertCoordinator() instanceof UpsertInsertCoordinator upsert) {
            upsert.beforeInsert(session);
        } else if (HibernateAccess.get().isStateless(session)) {
            session.getJdbcCoordinator().conditionallyExecuteBatch(new BasicBatchKey(event.getPersister().getEntityName() + "#INSERT"));
        } else if (UpsertBatch.hasPending(session)) {
            // a plain insert runs the pending upserts only when its foreign keys need their stored ids
            UpsertBatch.runPendingIfAnyOf(session, UpsertInsertCoordinator.referencedBy(event.getPersister()));
        }
        return false;
    }

    private static void checkCatalog(SessionFactoryImplementor factory) {
        List<String> problems = new ArrayList<>();
        JdbcConnectionAccess access = factory.getJdbcServices().getBootstrapJdbcConnectionAccess();
        try {
            Connection connection = access.obtainConnection();
            try {
                List<UpsertEntityPersister> persisters = new ArrayList<>();
                factory.getMappingMetamodel().forEachEntityDescriptor(descriptor -> {
                    if (descriptor instanceof UpsertEntityPersister persister) {
                        persisters.add(persister);
                    }
                });
                boolean perTenant = factory.getServiceRegistry().getService(MultiTenantConnectionProvider.class) != null;
                for (UpsertEntityPersister persister : persisters) {
                    check(persister, connection, perTenant, problems);
                }
                if (!connection.getAutoCommit()) {
                    connection.rollback();  // only read; leave no transaction open on a pooled connection
                }
            } finally {
                access.releaseConnection(connection);
            }
        } catch (SQLException e) {
            problems.add("cannot read the catalog to check @Upsert conflict targets: " + e.getMessage()
                    + " (set " + UpsertSettings.VALIDATE_SCHEMA + "=false to skip the check)");
        }
        if (!problems.isEmpty()) {
            throw new UpsertMappingException(problems);
        }
    }

    /** The table exists, the conflict target matches a unique index, and PostgreSQL accepts the statement. */
    private static void check(UpsertEntityPersister persister, Connection connection, boolean perTenant,
                              List<String> problems) throws SQLException {
        String entity = persister.getMappedClass().getSimpleName();
        String table = persister.getTableName();
        if (!UniqueKeyCatalog.tableExists(connection, table)) {
            problems.add("@Upsert on " + entity + ": table " + table + " does not exist when the SessionFactory is built, so "
                    + "its conflict target cannot be checked; create it first (or let schema generation create it), or set "
                    + UpsertSettings.VALIDATE_SCHEMA + "=false" + (perTenant ? " (this check reads the connection the "
                    + "MultiTenantConnectionProvider gives for no tenant; with a schema or database per tenant, set it to false: "
                    + "the table is then read at the first upsert, on that tenant's connection)" : ""));
            return;
        }
        UpsertPlan plan = persister.plan(connection, problems);
        if (plan == null) {
            return;
        }
        // Parse and Describe only (nothing runs), every statement shape the plan can send: catches SQL in updateWhere
        // that PostgreSQL would reject at the first persist, and any name of the application's a statement cannot
        // take. Under a savepoint, since an error aborts an open transaction.
        for (Map.Entry<String, String> shape : plan.statementShapes().entrySet()) {
            Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
            try (PreparedStatement statement = connection.prepareStatement(shape.getValue())) {
                statement.getParameterMetaData();
                if (savepoint != null) {
                    connection.releaseSavepoint(savepoint);
                }
            } catch (SQLException e) {
                if (savepoint != null) {
                    connection.rollback(savepoint);
                }
                String updateWhere = persister.mapping().annotation.updateWhere();
                problems.add("@Upsert on " + entity + ": PostgreSQL rejects the " + shape.getKey() + " (SQLSTATE " + e.getSQLState()
                        + ": " + String.valueOf(e.getMessage()).replaceAll("\\s*Position: \\d+", "").replaceAll("\\s*\\n\\s*", "; ") + ")"
                        + (updateWhere.isBlank() ? "; check the entity's column mappings"
                        : "; fix 'updateWhere' (\"" + updateWhere + "\"): SQL over column names, excluded.<column> for the "
                        + "proposed row, " + persister.getTableName().substring(persister.getTableName().lastIndexOf('.') + 1)
                        + ".<column> for the stored one"));
                return;  // one line per entity: the first shape PostgreSQL rejects
            }
        }
    }
}
