package dev.upsert.internal.compat;

import java.util.function.Consumer;

import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.dialect.Dialect;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.generator.EventType;
import org.hibernate.generator.Generator;
import org.hibernate.generator.OnExecutionGenerator;
import org.hibernate.mapping.Property;

/**
 * Every call whose spelling differs between the Hibernate lines: the version-neutral sources (extension/src/main/java)
 * call these, each line implements them once in {@code LineAccess} (extension/src/hibernate7/java for 7.2+, the
 * module hibernate-66 for 6.6). The line's own types {@code LineBatch}, {@code LineBatchKey} and
 * {@code LineIntegrator} fill in the interface methods one line declares abstract and the other does not have.
 * Loaded only after {@link HibernateLine#require()} accepted the running Hibernate.
 */
public interface HibernateAccess {

    /** The implementation compiled into this jar. */
    static HibernateAccess get() {
        return LineAccess.INSTANCE;
    }

    /** {@code Property.isUpdatable()} (7.x), {@code isUpdateable()} (6.6). */
    boolean isUpdatable(Property property);

    /** Whether {@code session} is a {@code StatelessSession}. */
    boolean isStateless(SharedSessionContractImplementor session);

    /** Runs {@code action} with the session when the current transaction of a stateful {@code session} has ended. */
    void afterTransaction(SharedSessionContractImplementor session, Consumer<SharedSessionContractImplementor> action);

    /**
     * Whether {@code persist} generates an id and sets it into {@code entity} right away, the branch of
     * {@code AbstractSaveEventListener.saveWithGeneratedId} that calls {@code setIdentifier}. 7.x asks the generator;
     * 6.6's {@code Assigned} says it generates on insert and 6.6 tells it apart by its class.
     */
    boolean setsGeneratedIdAtPersist(Generator generator, Object entity, SharedSessionContractImplementor session);

    /** Whether {@code provider} is Hibernate's built-in pool, which throws rather than waits when exhausted. */
    boolean isBuiltInPool(ConnectionProvider provider);

    /** {@link OnExecutionGenerator#referenceColumnsInSql} for {@code event} where the line knows events (7.4+). */
    boolean referenceColumnsInSql(OnExecutionGenerator generator, Dialect dialect, EventType event);

    /** {@link OnExecutionGenerator#getReferencedColumnValues} for {@code event} where the line knows events (7.4+). */
    String[] referencedColumnValues(OnExecutionGenerator generator, Dialect dialect, EventType event);

    /** The log category Hibernate writes failed statements to. */
    String errorLogCategory();

    /**
     * Whether the user set {@code hibernate.jdbc.log.errors}, which then decides alone; 6.6 has no such switch, so
     * there this applies the user's choice itself ({@code false}: no error log).
     */
    boolean applyUserErrorLogSetting(StandardServiceRegistryBuilder registry);

    /** Keeps Hibernate from logging failed statements, while the registry is built: the converter logs them redacted. */
    void switchOffErrorLog(StandardServiceRegistryBuilder registry);
}
