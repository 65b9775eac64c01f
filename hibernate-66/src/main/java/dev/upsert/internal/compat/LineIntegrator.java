package dev.upsert.internal.compat;

import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.service.spi.SessionFactoryServiceRegistry;

/** {@link Integrator} as 6.6 declares it, with the {@code disintegrate} default that 7.x has. */
public interface LineIntegrator extends Integrator {

    @Override
    default void disintegrate(SessionFactoryImplementor sessionFactory, SessionFactoryServiceRegistry serviceRegistry) {
    }
}
