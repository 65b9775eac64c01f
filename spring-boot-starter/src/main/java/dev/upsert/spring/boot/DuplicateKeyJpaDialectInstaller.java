package dev.upsert.spring.boot;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.orm.jpa.AbstractEntityManagerFactoryBean;
import org.springframework.orm.jpa.JpaVendorAdapter;
import org.springframework.orm.jpa.vendor.HibernateJpaDialect;

/**
 * Gives every EntityManagerFactory bean that would use its Hibernate vendor adapter's dialect a
 * {@link DuplicateKeyJpaDialect} around that dialect, before the factory is initialized (which is when the factory
 * would take the adapter's). A factory given a JpaDialect of its own by the application keeps it.
 */
final class DuplicateKeyJpaDialectInstaller implements BeanPostProcessor {

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof AbstractEntityManagerFactoryBean factory && factory.getJpaDialect() == null) {
            JpaVendorAdapter adapter = factory.getJpaVendorAdapter();
            if (adapter != null && adapter.getJpaDialect() instanceof HibernateJpaDialect configured) {
                factory.setJpaDialect(new DuplicateKeyJpaDialect(configured));
            }
        }
        return bean;
    }
}
