package dev.upsert.internal.compat;

import java.util.function.Consumer;

import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.JdbcSettings;
import org.hibernate.dialect.Dialect;
import org.hibernate.engine.jdbc.connections.internal.DriverManagerConnectionProvider;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.jdbc.spi.SQLExceptionLogging;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.engine.spi.TransactionCompletionCallbacks;
import org.hibernate.generator.EventType;
import org.hibernate.generator.Generator;
import org.hibernate.generator.OnExecutionGenerator;
import org.hibernate.mapping.Property;

/** {@link HibernateAccess} for Hibernate ORM 7.2 and newer (artifact {@code upsert-hibernate}). */
final class LineAccess implements HibernateAccess {

    /** Read by {@link HibernateLine#require()} as a compile-time constant, before this class may be loaded. */
    static final String LINE = HibernateLine.SEVEN;

    static final LineAccess INSTANCE = new LineAccess();

    /** Whether generators say their SQL per event (7.4+); 7.2 and 7.3 have only the event-less methods. */
    private static final boolean EVENT_AWARE_GENERATORS = hasMethod(OnExecutionGenerator.class, "referenceColumnsInSql",
            Dialect.class, EventType.class);

    private LineAccess() {
    }

    @Override
    public boolean isUpdatable(Property property) {
        return property.isUpdatable();
    }

    @Override
    public boolean isStateless(SharedSessionContractImplementor session) {
        return session.isStateless();
    }

    @Override
    public void afterTransaction(SharedSessionContractImplementor session, Consumer<SharedSessionContractImplementor> action) {
        session.getTransactionCompletionCallbacks().registerCallback(
                (TransactionCompletionCallbacks.AfterCompletionCallback) (success, s) -> action.accept(s));
    }

    @Override
    public boolean setsGeneratedIdAtPersist(Generator generator, Object entity, SharedSessionContractImplementor session) {
        // 7.2 to 7.4: an id generated on execution is not there yet; Assigned does not generate on insert
        return !generator.generatedOnExecution(entity, session) && generator.generatesOnInsert()
                && generator.generatedBeforeExecution(entity, session);
    }

    @Override
    public boolean isBuiltInPool(ConnectionProvider provider) {
        return provider instanceof DriverManagerConnectionProvider;
    }

    @Override
    public boolean referenceColumnsInSql(OnExecutionGenerator generator, Dialect dialect, EventType event) {
        return EVENT_AWARE_GENERATORS ? generator.referenceColumnsInSql(dialect, event) : generator.referenceColumnsInSql(dialect);
    }

    @Override
    public String[] referencedColumnValues(OnExecutionGenerator generator, Dialect dialect, EventType event) {
        return EVENT_AWARE_GENERATORS ? generator.getReferencedColumnValues(dialect, event)
                : generator.getReferencedColumnValues(dialect);
    }

    @Override
    public String errorLogCategory() {
        return SQLExceptionLogging.ERROR_NAME;
    }

    @Override
    public boolean applyUserErrorLogSetting(StandardServiceRegistryBuilder registry) {
        return registry.getSettings().containsKey(JdbcSettings.LOG_JDBC_ERRORS);  // Hibernate applies it
    }

    @Override
    public void switchOffErrorLog(StandardServiceRegistryBuilder registry) {
        registry.applySetting(JdbcSettings.LOG_JDBC_ERRORS, false);
    }

    private static boolean hasMethod(Class<?> type, String name, Class<?>... parameters) {
        try {
            type.getMethod(name, parameters);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
