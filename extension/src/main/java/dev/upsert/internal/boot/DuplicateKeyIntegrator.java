package dev.upsert.internal.boot;

import dev.upsert.internal.exception.DuplicateKeyContext;
import dev.upsert.internal.exception.DuplicateKeyConverter;
import dev.upsert.internal.exception.DuplicateKeyWrites;
import dev.upsert.internal.exception.RedactedErrors;
import java.util.LinkedHashSet;
import java.util.Set;

import org.hibernate.SessionFactory;
import org.hibernate.SessionFactoryObserver;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.model.relational.SqlStringGenerationContext;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.cfg.JdbcSettings;
import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.jdbc.spi.SqlExceptionHelper;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.mapping.Table;
import org.hibernate.service.spi.SessionFactoryServiceRegistry;

/**
 * Installs {@link dev.upsert.DuplicateKeyException} for every SessionFactory, with no configuration: wraps the
 * converter of Hibernate's {@code SqlExceptionHelper} (once per helper, which SessionFactories built from one
 * registry share) and registers the listeners that remember the rows being written.
 * <p>
 * Hibernate builds its converter chain only from the dialect and offers no setting to extend it;
 * {@code SqlExceptionHelper#setSqlExceptionConverter} is public and the one helper is used by every statement,
 * batch and query.
 */
public final class DuplicateKeyIntegrator implements Integrator {

    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor sessionFactory) {
        DuplicateKeyContext context = sessionFactory.getServiceRegistry().requireService(DuplicateKeyContext.class);
        SqlExceptionHelper helper = sessionFactory.getJdbcServices().getSqlExceptionHelper();
        synchronized (helper) {
            if (helper.getSqlExceptionConverter() instanceof DuplicateKeyConverter converter) {
                converter.add(context);
            } else {
                DuplicateKeyConverter converter = new DuplicateKeyConverter(helper.getSqlExceptionConverter(),
                        RedactedErrors.isActive(sessionFactory.getServiceRegistry()));
                converter.add(context);
                helper.setSqlExceptionConverter(converter);
            }
        }
        readCatalogAtBoot(metadata, sessionFactory, context);
        // after Hibernate's schema generation, like UpsertIntegrator's catalog check
        sessionFactory.addObserver(new SessionFactoryObserver() {
            @Override
            public void sessionFactoryCreated(SessionFactory created) {
                SequenceDriftBootCheck.run(context);
            }
        });

        EventListenerRegistry listeners = sessionFactory.getServiceRegistry().requireService(EventListenerRegistry.class);
        DuplicateKeyWrites writes = DuplicateKeyWrites.INSTANCE;
        listeners.appendListeners(EventType.PRE_INSERT, writes);
        listeners.appendListeners(EventType.PRE_UPDATE, writes);
        listeners.appendListeners(EventType.POST_INSERT, writes);
        listeners.appendListeners(EventType.POST_UPDATE, writes);
        // appended: runs after Hibernate's flush, i.e. only when all its statements succeeded
        listeners.appendListeners(EventType.FLUSH, writes);
        listeners.appendListeners(EventType.AUTO_FLUSH, writes);
        listeners.appendListeners(EventType.CLEAR, writes);
    }

    @Override
    public void disintegrate(SessionFactoryImplementor sessionFactory, SessionFactoryServiceRegistry serviceRegistry) {
        SqlExceptionHelper helper = sessionFactory.getJdbcServices().getSqlExceptionHelper();
        synchronized (helper) {
            if (helper.getSqlExceptionConverter() instanceof DuplicateKeyConverter converter) {
                converter.remove(sessionFactory);
                if (converter.isEmpty()) {
                    helper.setSqlExceptionConverter(converter.original());
                }
            }
        }
    }

    /**
     * The unique keys of every mapped table, in one query once the SessionFactory exists (after schema generation
     * created them), so that a duplicate never needs a connection: the failing transaction holds its own, and a
     * second one from a busy pool would wait the whole pool timeout.
     */
    private static void readCatalogAtBoot(Metadata metadata, SessionFactoryImplementor factory, DuplicateKeyContext context) {
        Object allowed = factory.getServiceRegistry().requireService(ConfigurationService.class).getSettings()
                .get(JdbcSettings.ALLOW_METADATA_ON_BOOT);
        if (!(factory.getJdbcServices().getDialect() instanceof PostgreSQLDialect)
                || (allowed != null && !Boolean.parseBoolean(allowed.toString()))) {
            return;
        }
        SqlStringGenerationContext names = factory.getSqlStringGenerationContext();
        Set<String> tables = new LinkedHashSet<>();
        for (Table table : metadata.collectTableMappings()) {
            if (table.isPhysicalTable() && !table.isView()) {
                tables.add(names.format(table.getQualifiedTableName()));
            }
        }
        factory.addObserver(new SessionFactoryObserver() {
            @Override
            public void sessionFactoryCreated(SessionFactory created) {
                context.catalog().load(tables);
            }
        });
    }
}
