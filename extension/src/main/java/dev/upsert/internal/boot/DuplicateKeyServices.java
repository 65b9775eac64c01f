package dev.upsert.internal.boot;

import dev.upsert.internal.exception.DuplicateKeyContext;
import org.hibernate.service.spi.SessionFactoryServiceContributor;
import org.hibernate.service.spi.SessionFactoryServiceInitiator;
import org.hibernate.service.spi.SessionFactoryServiceInitiatorContext;
import org.hibernate.service.spi.SessionFactoryServiceRegistryBuilder;

/**
 * Found by Hibernate through {@code META-INF/services}: gives every SessionFactory its own
 * {@link DuplicateKeyContext}, which code holding a session reaches through the factory's service registry and
 * which Hibernate stops when the factory closes.
 */
public final class DuplicateKeyServices implements SessionFactoryServiceContributor {

    @Override
    public void contribute(SessionFactoryServiceRegistryBuilder registry) {
        registry.addInitiator(new SessionFactoryServiceInitiator<DuplicateKeyContext>() {
            @Override
            public Class<DuplicateKeyContext> getServiceInitiated() {
                return DuplicateKeyContext.class;
            }

            @Override
            public DuplicateKeyContext initiateService(SessionFactoryServiceInitiatorContext context) {
                return new DuplicateKeyContext(context.getSessionFactory());
            }
        });
    }
}
