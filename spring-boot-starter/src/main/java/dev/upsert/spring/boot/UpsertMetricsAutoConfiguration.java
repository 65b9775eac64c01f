package dev.upsert.spring.boot;

import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;

import io.micrometer.core.instrument.MeterRegistry;

import org.hibernate.SessionFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;

import dev.upsert.micrometer.UpsertMetrics;

/**
 * Binds {@link UpsertMetrics} of every Hibernate EntityManagerFactory to the application's {@link MeterRegistry}
 * (Actuator's {@code /actuator/metrics/upsert.duplicate.keys}), as Spring Boot binds its own Hibernate metrics.
 * An application that declares an {@code UpsertMetrics} bean itself (the way before this starter) keeps its own and
 * gets no second one, which would count every duplicate twice.
 *
 * @since 0.2
 */
@AutoConfiguration(afterName = { "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, EntityManagerFactory.class, SessionFactory.class, UpsertMetrics.class })
@ConditionalOnBean({ EntityManagerFactory.class, MeterRegistry.class })
@ConditionalOnMissingBean(UpsertMetrics.class)
public final class UpsertMetricsAutoConfiguration implements SmartInitializingSingleton, DisposableBean {

    private final ListableBeanFactory beans;
    private final MeterRegistry registry;
    private final List<UpsertMetrics> bound = new ArrayList<>();

    UpsertMetricsAutoConfiguration(ListableBeanFactory beans, MeterRegistry registry) {
        this.beans = beans;
        this.registry = registry;
    }

    @Override
    public void afterSingletonsInstantiated() {
        for (EntityManagerFactory factory : beans.getBeansOfType(EntityManagerFactory.class).values()) {
            try {
                factory.unwrap(SessionFactory.class);
            } catch (PersistenceException notHibernate) {
                continue;
            }
            UpsertMetrics metrics = new UpsertMetrics(factory);
            metrics.bindTo(registry);
            bound.add(metrics);
        }
    }

    @Override
    public void destroy() {
        bound.forEach(UpsertMetrics::close);
        bound.clear();
    }
}
