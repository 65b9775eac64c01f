package dev.upsert.sample;

import javax.sql.DataSource;

import jakarta.persistence.EntityManagerFactory;

import org.hibernate.boot.model.naming.CamelCaseToUnderscoresNamingStrategy;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

import dev.upsert.UpsertSettings;

/**
 * The demo's persistence unit, bootstrapped the standard JPA way (no persistence.xml needed since JPA 3.2). Apart from
 * the metrics' list of expected constraints, nothing here mentions upsert-hibernate: the jar on the classpath is the
 * whole set-up.
 */
final class DemoPersistence {

    /** Rows per JDBC batch; with sequence ids the bulk import's upserts are sent this many at a time. */
    static final int BATCH_SIZE = 500;

    static final String EXPECTED_CONSTRAINTS = "customer_email_key, customer_username_key";

    private DemoPersistence() {
    }

    static EntityManagerFactory create(DataSource dataSource, SqlLog sqlLog) {
        return new HibernatePersistenceConfiguration("sample")
                .managedClasses(Account.class, WebhookEvent.class, Page.class, Member.class,
                        NaiveSignup.class, Signup.class, Customer.class, Product.class, Invoice.class, Subscriber.class)
                .property(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource)
                // createdAt -> created_at, WebhookEvent -> webhook_event, as the migrations spell them
                .property(AvailableSettings.PHYSICAL_NAMING_STRATEGY, CamelCaseToUnderscoresNamingStrategy.class.getName())
                .property(AvailableSettings.STATEMENT_BATCH_SIZE, BATCH_SIZE)
                .property(AvailableSettings.ORDER_INSERTS, true)
                // the 409s of the sign-up form are expected; a duplicate anywhere else is worth a page (scenario 8)
                .property(UpsertSettings.METRICS_EXPECTED_CONSTRAINTS, EXPECTED_CONSTRAINTS)
                // the schema belongs to db/V*.sql; Hibernate neither creates nor checks it
                .schemaToolingAction(Action.NONE)
                .statementInspector(sqlLog)
                .createEntityManagerFactory();
    }

    /** Scenario 10's second persistence unit: the {@code @Upsert} entity of the next release, nothing else. */
    static EntityManagerFactory createNewsletter(DataSource dataSource) {
        return new HibernatePersistenceConfiguration("newsletter")
                .managedClasses(NewsletterSubscriber.class)
                .property(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource)
                .property(AvailableSettings.PHYSICAL_NAMING_STRATEGY, CamelCaseToUnderscoresNamingStrategy.class.getName())
                .schemaToolingAction(Action.NONE)
                .createEntityManagerFactory();
    }
}
