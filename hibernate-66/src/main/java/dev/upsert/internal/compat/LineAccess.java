package dev.upsert.internal.compat;

import java.util.Map;
import java.util.function.Consumer;

import org.hibernate.boot.registry.StandardServiceInitiator;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.dialect.Dialect;
import org.hibernate.engine.jdbc.connections.internal.DriverManagerConnectionProviderImpl;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.jdbc.env.internal.JdbcEnvironmentInitiator;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;
import org.hibernate.engine.jdbc.spi.SqlExceptionHelper;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.event.spi.EventSource;
import org.hibernate.id.Assigned;
import org.hibernate.generator.EventType;
import org.hibernate.generator.Generator;
import org.hibernate.generator.OnExecutionGenerator;
import org.hibernate.mapping.Property;
import org.hibernate.service.spi.ServiceRegistryImplementor;

/** {@link HibernateAccess} for Hibernate ORM 6.6 (artifact {@code upsert-hibernate-66}). */
final class LineAccess implements HibernateAccess {

    /** Read by {@link HibernateLine#require()} as a compile-time constant, before this class may be loaded. */
    static final String LINE = HibernateLine.SIX_SIX;

    static final LineAccess INSTANCE = new LineAccess();

    /** {@code JdbcSettings.LOG_JDBC_ERRORS} of 7.x. */
    private static final String LOG_JDBC_ERRORS = "hibernate.jdbc.log.errors";

    private LineAccess() {
    }

    @Override
    public boolean isUpdatable(Property property) {
        return property.isUpdateable();
    }

    @Override
    public boolean isStateless(SharedSessionContractImplementor session) {
        return session.isStatelessSession();
    }

    @Override
    public void afterTransaction(SharedSessionContractImplementor session, Consumer<SharedSessionContractImplementor> action) {
        // 6.6 keeps transaction-completion processes in the stateful session's action queue
        ((EventSource) session).getActionQueue().registerProcess((success, s) -> action.accept(s));
    }

    @Override
    public boolean setsGeneratedIdAtPersist(Generator generator, Object entity, SharedSessionContractImplementor session) {
        // 6.6's Assigned is an IdentifierGenerator, so generatesOnInsert() is true: 6.6 skips it by its class instead
        return !generator.generatedOnExecution(entity, session) && !(generator instanceof Assigned);
    }

    @Override
    public boolean isBuiltInPool(ConnectionProvider provider) {
        return provider instanceof DriverManagerConnectionProviderImpl;
    }

    @Override
    public boolean referenceColumnsInSql(OnExecutionGenerator generator, Dialect dialect, EventType event) {
        return generator.referenceColumnsInSql(dialect);
    }

    @Override
    public String[] referencedColumnValues(OnExecutionGenerator generator, Dialect dialect, EventType event) {
        return generator.getReferencedColumnValues(dialect);
    }

    @Override
    public String errorLogCategory() {
        return SqlExceptionHelper.class.getName();
    }

    @Override
    public boolean applyUserErrorLogSetting(StandardServiceRegistryBuilder registry) {
        // 7.x's switch, honoured here too so that a setting means the same on both lines; 6.6 itself always logs
        Object value = registry.getSettings().get(LOG_JDBC_ERRORS);
        if (value != null && !Boolean.parseBoolean(value.toString().trim())) {
            switchOffErrorLog(registry);
        }
        return value != null;
    }

    @Override
    public void switchOffErrorLog(StandardServiceRegistryBuilder registry) {
        // SqlExceptionHelper#convert logs unconditionally; every caller reaches the helper through the JdbcEnvironment
        registry.addInitiator(new StandardServiceInitiator<JdbcEnvironment>() {
            @Override
            public Class<JdbcEnvironment> getServiceInitiated() {
                return JdbcEnvironment.class;
            }

            @Override
            public JdbcEnvironment initiateService(Map<String, Object> settings, ServiceRegistryImplementor services) {
                return new QuietJdbcEnvironment(JdbcEnvironmentInitiator.INSTANCE.initiateService(settings, services), services);
            }
        });
    }
}
