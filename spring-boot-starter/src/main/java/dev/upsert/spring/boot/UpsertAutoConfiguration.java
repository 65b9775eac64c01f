package dev.upsert.spring.boot;

import jakarta.persistence.EntityManager;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.orm.jpa.vendor.HibernateJpaDialect;

import dev.upsert.Upsert;

/**
 * Auto-configuration of upsert-hibernate for Spring Boot's Hibernate JPA: the {@link UpsertProperties} passed into
 * Hibernate, and a duplicate key translated into Spring's {@link org.springframework.dao.DuplicateKeyException}
 * with the library's {@link dev.upsert.DuplicateKeyException} as its cause, for repositories and for commits.
 * The extension itself needs no Spring: Hibernate finds it on the class path.
 *
 * @since 0.2
 */
@AutoConfiguration(beforeName = "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration")
@ConditionalOnClass({ LocalContainerEntityManagerFactoryBean.class, EntityManager.class, HibernateJpaDialect.class,
        HibernatePropertiesCustomizer.class, Upsert.class })
@EnableConfigurationProperties(UpsertProperties.class)
public final class UpsertAutoConfiguration {

    UpsertAutoConfiguration() {
    }

    @Bean
    HibernatePropertiesCustomizer upsertHibernatePropertiesCustomizer(UpsertProperties properties) {
        return new UpsertHibernateProperties(properties);
    }

    /** Static: a post-processor must not make this configuration, and what it needs, early. */
    @Bean
    static BeanPostProcessor upsertDuplicateKeyJpaDialect() {
        return new DuplicateKeyJpaDialectInstaller();
    }
}
