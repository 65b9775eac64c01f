package dev.upsert.internal.compat;

import java.sql.SQLException;

import org.hibernate.cfg.JdbcSettings;
import org.hibernate.dialect.Dialect;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.config.spi.StandardConverters;
import org.hibernate.engine.jdbc.env.spi.ExtractedDatabaseMetaData;
import org.hibernate.engine.jdbc.env.spi.IdentifierHelper;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;
import org.hibernate.engine.jdbc.env.spi.LobCreatorBuilder;
import org.hibernate.engine.jdbc.env.spi.NameQualifierSupport;
import org.hibernate.engine.jdbc.env.spi.QualifiedObjectNameFormatter;
import org.hibernate.engine.jdbc.spi.SqlExceptionHelper;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.service.ServiceRegistry;
import org.hibernate.sql.ast.SqlAstTranslatorFactory;

/**
 * Hibernate 6.6's JDBC environment with a {@code SqlExceptionHelper} that does not log failed statements: 6.6 has no
 * {@code hibernate.jdbc.log.errors}, and its helper writes the driver's message (with PostgreSQL's DETAIL, the key
 * values) before any converter runs. The duplicate-key converter logs the redacted line instead (RedactedErrors).
 * Everything else is the environment Hibernate built.
 */
final class QuietJdbcEnvironment implements JdbcEnvironment {

    private final JdbcEnvironment delegate;
    private final SqlExceptionHelper helper;

    QuietJdbcEnvironment(JdbcEnvironment delegate, ServiceRegistry services) {
        this.delegate = delegate;
        // JdbcEnvironmentImpl#logWarnings: the setting, else the dialect's default
        boolean logWarnings = services.requireService(ConfigurationService.class).getSetting(JdbcSettings.LOG_JDBC_WARNINGS,
                StandardConverters.BOOLEAN, delegate.getDialect().isJdbcLogWarningsEnabledByDefault());
        this.helper = new QuietSqlExceptionHelper(delegate.getSqlExceptionHelper(), logWarnings);
    }

    @Override
    public Dialect getDialect() {
        return delegate.getDialect();
    }

    @Override
    public SqlAstTranslatorFactory getSqlAstTranslatorFactory() {
        return delegate.getSqlAstTranslatorFactory();
    }

    @Override
    public ExtractedDatabaseMetaData getExtractedDatabaseMetaData() {
        return delegate.getExtractedDatabaseMetaData();
    }

    @Override
    public Identifier getCurrentCatalog() {
        return delegate.getCurrentCatalog();
    }

    @Override
    public Identifier getCurrentSchema() {
        return delegate.getCurrentSchema();
    }

    @Override
    public QualifiedObjectNameFormatter getQualifiedObjectNameFormatter() {
        return delegate.getQualifiedObjectNameFormatter();
    }

    @Override
    public IdentifierHelper getIdentifierHelper() {
        return delegate.getIdentifierHelper();
    }

    @Override
    public NameQualifierSupport getNameQualifierSupport() {
        return delegate.getNameQualifierSupport();
    }

    @Override
    public SqlExceptionHelper getSqlExceptionHelper() {
        return helper;
    }

    @Override
    public LobCreatorBuilder getLobCreatorBuilder() {
        return delegate.getLobCreatorBuilder();
    }

    /** Hibernate's helper, converting and handling warnings the same way, minus the error log. */
    private static final class QuietSqlExceptionHelper extends SqlExceptionHelper {

        QuietSqlExceptionHelper(SqlExceptionHelper original, boolean logWarnings) {
            super(original.getSqlExceptionConverter(), logWarnings);
        }

        @Override
        public void logExceptions(SQLException sqlException, String message) {
            // the converter, which SqlExceptionHelper#convert calls right after this, logs the redacted line
        }
    }
}
