package dev.upsert.internal.boot;

import dev.upsert.internal.persister.UpsertBatchBuilder;
import dev.upsert.internal.compat.HibernateLine;
import dev.upsert.internal.exception.DuplicateKeyTransactionCoordinatorBuilder;
import dev.upsert.internal.exception.RedactedErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.hibernate.boot.registry.StandardServiceInitiator;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.engine.jdbc.batch.internal.BatchBuilderInitiator;
import org.hibernate.engine.jdbc.batch.spi.BatchBuilder;
import org.hibernate.persister.spi.PersisterClassResolver;
import org.hibernate.resource.transaction.internal.TransactionCoordinatorBuilderInitiator;
import org.hibernate.resource.transaction.spi.TransactionCoordinatorBuilder;
import org.hibernate.service.Service;
import org.hibernate.service.spi.ServiceContributor;
import org.hibernate.service.spi.ServiceRegistryImplementor;
import dev.upsert.internal.settings.UpsertMappingException;
import dev.upsert.internal.settings.UpsertSettingValues;

/**
 * Found by Hibernate through {@code META-INF/services}: the jar on the classpath is the whole set-up. Installs the
 * persister resolver that gives {@code @Upsert} entities their persister, a batch builder that knows how to
 * batch upserts, a transaction coordinator that converts a duplicate key at commit
 * ({@link DuplicateKeyTransactionCoordinatorBuilder}), and (by default) the SQL error log without row data ({@link RedactedErrors}); everything else
 * keeps Hibernate's standard services.
 */
public final class UpsertServiceContributor implements ServiceContributor {

    /** {@code PersisterClassResolverInitiator.IMPL_NAME}; a user's explicit resolver wins over ours. */
    static final String PERSISTER_RESOLVER_SETTING = "hibernate.persister.resolver";

    @Override
    public void contribute(StandardServiceRegistryBuilder registry) {
        HibernateLine.require();  // contributors run before any integrator: the first place to refuse a line
        List<String> problems = new ArrayList<>();
        UpsertSettingValues.canonicalize(registry.getSettings(), problems).forEach(registry::applySetting);
        if (!problems.isEmpty()) {
            throw new UpsertMappingException("Invalid upsert-hibernate settings", problems);
        }
        if (registry.getSettings().get(PERSISTER_RESOLVER_SETTING) == null) {
            registry.addService(PersisterClassResolver.class, new UpsertPersisterClassResolver());
        }
        RedactedErrors.takeOver(registry);
        registry.addInitiator(wrapping(TransactionCoordinatorBuilder.class, TransactionCoordinatorBuilderInitiator.INSTANCE,
                DuplicateKeyTransactionCoordinatorBuilder::decorate));
        registry.addInitiator(wrapping(BatchBuilder.class, BatchBuilderInitiator.INSTANCE, UpsertBatchBuilder::new));
    }

    /** Hibernate's own {@code type} service as {@code standard} builds it, wrapped in ours. */
    private static <S extends Service> StandardServiceInitiator<S> wrapping(Class<S> type, StandardServiceInitiator<S> standard,
                                                                            UnaryOperator<S> wrap) {
        return new StandardServiceInitiator<>() {
            @Override
            public Class<S> getServiceInitiated() {
                return type;
            }

            @Override
            public S initiateService(Map<String, Object> settings, ServiceRegistryImplementor services) {
                return wrap.apply(standard.initiateService(settings, services));
            }
        };
    }
}
