package dev.upsert.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.hibernate.SessionFactory;
import org.hibernate.SessionFactoryObserver;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.config.spi.StandardConverters;
import org.hibernate.engine.jdbc.batch.internal.BasicBatchKey;
import org.hibernate.engine.jdbc.connections.spi.JdbcConnectionAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.event.spi.PreInsertEvent;
import org.hibernate.event.spi.PreInsertEventListener;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.mapping.PersistentClass;

import dev.upsert.UpsertSettings;

/**
 * Wires {@code @Upsert} into a SessionFactory being built: checks every annotated mapping and reports all problems
 * at once, registers the persist and pre-insert listeners, and, once Hibernate's own schema generation has run,
 * checks every conflict target against the live catalog.
 */
public final class UpsertIntegrator implements Integrator {

    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor factory) {
        List<String> problems = new ArrayList<>();
        boolean any = false;
        for (PersistentClass model : metadata.getEntityBindings()) {
            if (UpsertMapping.annotationOf(model) != null) {
                any = true;
                UpsertMapping.analyze(model, problems);
            }
        }
        if (!any) {
            return;
        }
        var dialect = factory.getJdbcServices().getDialect();
        if (!(dialect instanceof PostgreSQLDialect)) {
            problems.add(0, "@Upsert needs PostgreSQL (INSERT ... ON CONFLICT with RETURNING); this SessionFactory uses "
                    + dialect.getClass().getSimpleName() + ". Remove @Upsert or run on PostgreSQL 13 or newer");
        }
        if (!problems.isEmpty()) {
            throw new UpsertMappingException(problems);
        }

        EventListenerRegistry listeners = factory.getServiceRegistry().requireService(EventListenerRegistry.class);
        listeners.prependListeners(EventType.PERSIST, new UpsertPersistListener());
        listeners.appendListeners(EventType.PRE_INSERT, (PreInsertEventListener) UpsertIntegrator::runPendingUpserts);

        boolean validate = factory.getServiceRegistry().requireService(ConfigurationService.class)
                .getSetting(UpsertSettings.VALIDATE_SCHEMA, StandardConverters.BOOLEAN, true);
        if (validate) {
            // Observers added now run after SessionFactoryObserverForSchemaExport, i.e. after hbm2ddl created the indexes.
            factory.addObserver(new SessionFactoryObserver() {
                @Override
                public void sessionFactoryCreated(SessionFactory created) {
                    checkCatalog((SessionFactoryImplementor) created);
                }
            });
        }
    }

    /**
     * Before another entity's insert binds its values, pending upserts run, so a foreign key to an upserted entity
     * binds the stored id, not the proposed one. Hibernate executes a batch of another kind at this point anyway.
     */
    private static boolean runPendingUpserts(PreInsertEvent event) {
        var coordinator = event.getPersister().getInsertCoordinator();
        var key = coordinator instanceof UpsertInsertCoordinator upsert ? upsert.batchKey()
                : new BasicBatchKey(event.getPersister().getEntityName() + "#INSERT");
        event.getSession().getJdbcCoordinator().conditionallyExecuteBatch(key);
        return false;
    }

    private static void checkCatalog(SessionFactoryImplementor factory) {
        List<String> problems = new ArrayList<>();
        JdbcConnectionAccess access = factory.getJdbcServices().getBootstrapJdbcConnectionAccess();
        try {
            Connection connection = access.obtainConnection();
            try {
                factory.getMappingMetamodel().forEachEntityDescriptor(descriptor -> {
                    if (descriptor instanceof UpsertEntityPersister persister) {
                        persister.plan(connection, problems);
                    }
                });
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
}
