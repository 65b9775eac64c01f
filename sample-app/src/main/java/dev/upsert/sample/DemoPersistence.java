package dev.upsert.sample;

import javax.sql.DataSource;

import jakarta.persistence.EntityManagerFactory;

import org.hibernate.boot.model.naming.CamelCaseToUnderscoresNamingStrategy;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

/**
 * The demo's persistence unit, bootstrapped the standard JPA way (no persistence.xml needed since JPA 3.2). Nothing
 * here mentions upsert-hibernate: the jar on the classpath is the whole set-up.
 */
final class DemoPersistence {

    /** Rows per JDBC batch; with sequence ids the bulk import's upserts are sent this many at a time. */
    static final int BATCH_SIZE = 500;

    private DemoPersistence() {
    }

    static EntityManagerFactory create(DataSource dataSource, SqlLog sqlLog) {
        return new HibernatePersistenceConfiguration("sample")
                .managedClasses(Account.class, WebhookEvent.class, Page.class, Member.class,
                        NaiveSignup.class, Signup.class, Customer.class, Product.class)
                .property(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource)
                // createdAt -> created_at, WebhookEvent -> webhook_event, as the migrations spell them
                .property(AvailableSettings.PHYSICAL_NAMING_STRATEGY, CamelCaseToUnderscoresNamingStrategy.class.getName())
                .property(AvailableSettings.STATEMENT_BATCH_SIZE, BATCH_SIZE)
                .property(AvailableSettings.ORDER_INSERTS, true)
                // the schema belongs to db/V*.sql; Hibernate neither creates nor checks it
                .schemaToolingAction(Action.NONE)
                .statementInspector(sqlLog)
                .createEntityManagerFactory();
    }
}
