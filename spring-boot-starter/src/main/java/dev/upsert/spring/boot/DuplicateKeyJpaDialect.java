package dev.upsert.spring.boot;

import java.sql.SQLException;
import java.util.Map;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;

import org.hibernate.StatelessSession;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.datasource.ConnectionHandle;
import org.springframework.orm.jpa.vendor.HibernateJpaDialect;
import org.springframework.transaction.TransactionDefinition;

import dev.upsert.DuplicateKeyException;

/**
 * The JpaDialect of the auto-configured EntityManagerFactory: a duplicate key becomes Spring's
 * {@link org.springframework.dao.DuplicateKeyException} (a {@code DataIntegrityViolationException}) with the
 * library's {@link DuplicateKeyException} as its cause; everything else is done by the {@link HibernateJpaDialect}
 * that Spring Boot configured (its SQLExceptionTranslator, its prepareConnection flag), unchanged.
 * <p>
 * Why the dialect: it is the one translation both paths use. Repository methods reach it through the
 * EntityManagerFactory's {@code PersistenceExceptionTranslator}, and {@code JpaTransactionManager} asks only the
 * dialect when a commit fails (a flush at commit, a deferred constraint at COMMIT). A {@code SQLExceptionTranslator}
 * bean would see the driver's SQLException only (so ours could not be the cause) and would displace an application's
 * own translator, which Boot applies only when it is the unique one.
 */
final class DuplicateKeyJpaDialect extends HibernateJpaDialect {

    private static final long serialVersionUID = 1L;

    private final HibernateJpaDialect configured;

    DuplicateKeyJpaDialect(HibernateJpaDialect configured) {
        this.configured = configured;
    }

    @Override
    public @Nullable DataAccessException translateExceptionIfPossible(RuntimeException ex) {
        DuplicateKeyException duplicate = ex instanceof PersistenceException ? duplicateIn(ex) : null;
        if (duplicate != null) {
            // its message is redacted unless upsert.exception.include-values: no key values, no SQL text
            return new org.springframework.dao.DuplicateKeyException(duplicate.getMessage(), duplicate);
        }
        return configured.translateExceptionIfPossible(ex);
    }

    /**
     * Ours in the chain: the exception itself (flush, persist), the cause of a JPA RollbackException's cause, or
     * under Hibernate's TransactionException for a deferred constraint failing at COMMIT. Only the one the extension
     * made: a raw 23505 without it is not this starter's to reinterpret.
     */
    private static @Nullable DuplicateKeyException duplicateIn(Throwable ex) {
        int depth = 0;
        for (Throwable t = ex; t != null && depth++ < 32; t = t.getCause()) {
            if (t instanceof DuplicateKeyException duplicate) {
                return duplicate;
            }
        }
        return null;
    }

    // the rest is the configured dialect's

    @Override
    public @Nullable Object beginTransaction(EntityManager entityManager, TransactionDefinition definition)
            throws PersistenceException, SQLException {
        return configured.beginTransaction(entityManager, definition);
    }

    @Override
    public @Nullable Object prepareTransaction(EntityManager entityManager, boolean readOnly, @Nullable String name) {
        return configured.prepareTransaction(entityManager, readOnly, name);
    }

    @Override
    public void cleanupTransaction(@Nullable Object transactionData) {
        configured.cleanupTransaction(transactionData);
    }

    @Override
    public ConnectionHandle getJdbcConnection(EntityManager entityManager, boolean readOnly)
            throws PersistenceException, SQLException {
        return configured.getJdbcConnection(entityManager, readOnly);
    }

    @Override
    public void releaseJdbcConnection(ConnectionHandle conHandle, EntityManager em)
            throws PersistenceException, SQLException {
        configured.releaseJdbcConnection(conHandle, em);
    }

    @Override
    public StatelessSession deriveEntityAgent(EntityManager entityManager, @Nullable Map<?, ?> properties) {
        return configured.deriveEntityAgent(entityManager, properties);
    }
}
