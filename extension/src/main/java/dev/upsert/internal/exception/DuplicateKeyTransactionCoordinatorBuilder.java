package dev.upsert.internal.exception;

import dev.upsert.internal.outcome.UpsertListeners;
import dev.upsert.internal.session.SessionState;
import org.hibernate.TransactionException;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.jpa.spi.JpaCompliance;
import org.hibernate.resource.jdbc.spi.PhysicalConnectionHandlingMode;
import org.hibernate.resource.transaction.spi.DdlTransactionIsolator;
import org.hibernate.resource.transaction.spi.IsolationDelegate;
import org.hibernate.resource.transaction.spi.SynchronizationRegistry;
import org.hibernate.resource.transaction.spi.TransactionCoordinator;
import org.hibernate.resource.transaction.spi.TransactionCoordinatorBuilder;
import org.hibernate.resource.transaction.spi.TransactionCoordinatorOwner;
import org.hibernate.resource.transaction.spi.TransactionObserver;
import org.hibernate.resource.transaction.spi.TransactionStatus;
import org.hibernate.tool.schema.internal.exec.JdbcContext;

import dev.upsert.DuplicateKeyException;
import dev.upsert.internal.exception.DuplicateKeyWrites.InFlight;

/**
 * Decorates Hibernate's resource-local (JDBC) transaction coordinator so that a 23505 at COMMIT, from a
 * {@code DEFERRABLE INITIALLY DEFERRED} constraint, reaches the caller converted: Hibernate wraps the driver's error
 * in {@code TransactionException("Unable to commit against JDBC Connection")} without passing it to the exception
 * converter. Here the session, hence the SessionFactory's {@link DuplicateKeyContext}, is known, so the
 * {@code TransactionException} (and JPA's {@code RollbackException} over it) carries a {@link DuplicateKeyException}
 * as its cause. Everything else is delegated unchanged; JTA coordinators are left alone (the transaction manager
 * commits there).
 */
public final class DuplicateKeyTransactionCoordinatorBuilder implements TransactionCoordinatorBuilder {

    private final TransactionCoordinatorBuilder delegate;

    DuplicateKeyTransactionCoordinatorBuilder(TransactionCoordinatorBuilder delegate) {
        this.delegate = delegate;
    }

    public static TransactionCoordinatorBuilder decorate(TransactionCoordinatorBuilder builder) {
        return builder.isJta() ? builder : new DuplicateKeyTransactionCoordinatorBuilder(builder);
    }

    @Override
    public TransactionCoordinator buildTransactionCoordinator(TransactionCoordinatorOwner owner, Options options) {
        return new Coordinator(delegate.buildTransactionCoordinator(owner, options), owner);
    }

    @Override
    public boolean isJta() {
        return delegate.isJta();
    }

    @Override
    public PhysicalConnectionHandlingMode getDefaultConnectionHandlingMode() {
        return delegate.getDefaultConnectionHandlingMode();
    }

    @Override
    public DdlTransactionIsolator buildDdlTransactionIsolator(JdbcContext jdbcContext) {
        return delegate.buildDdlTransactionIsolator(jdbcContext);
    }

    /** The commit-time 23505 of {@code failure}, converted, or {@code failure} itself. */
    static TransactionException converted(TransactionException failure, TransactionCoordinatorOwner owner) {
        try {
            if (DuplicateKeyFinder.inChain(failure) != null) {
                return failure;
            }
            DuplicateKeyServerError error = DuplicateKeyServerError.find(failure);
            if (error == null) {
                return failure;
            }
            DuplicateKeyContext context = owner.getJdbcSessionOwner() instanceof SharedSessionContractImplementor session
                    ? session.getFactory().getServiceRegistry().getService(DuplicateKeyContext.class) : null;
            DuplicateKeyException duplicate = context == null
                    ? DuplicateKeyContext.convertAlone(error, error.exception(), null)
                    : context.convert(error, error.exception(), null, InFlight.NONE);
            if (context != null) {
                // a deferred constraint is counted like any other duplicate; no statement wrote it, so no entity
                UpsertListeners.in(context.factory()).duplicateKey(duplicate, null);
            }
            TransactionException converted = new TransactionException(failure.getMessage(), duplicate);
            converted.setStackTrace(failure.getStackTrace());
            for (Throwable suppressed : failure.getSuppressed()) {
                converted.addSuppressed(suppressed);
            }
            return converted;
        } catch (RuntimeException e) {
            // the commit's failure matters more than its decoration
            failure.addSuppressed(e);
            return failure;
        }
    }

    private static final class Coordinator implements TransactionCoordinator, SessionState.Holder {

        private final TransactionCoordinator delegate;
        private final TransactionCoordinatorOwner owner;
        private TransactionDriver driver;
        private Driver decorated;
        private SessionState state;

        Coordinator(TransactionCoordinator delegate, TransactionCoordinatorOwner owner) {
            this.delegate = delegate;
            this.owner = owner;
        }

        @Override
        public TransactionDriver getTransactionDriverControl() {
            TransactionDriver current = delegate.getTransactionDriverControl();
            if (current != driver) {
                driver = current;
                decorated = new Driver(current, owner);
            }
            return decorated;
        }

        @Override
        public SessionState sessionState(SharedSessionContractImplementor session) {
            // a session opened with sessionWithOptions().connection() shares its parent's coordinator, not its state
            if (owner.getJdbcSessionOwner() != session) {
                return null;
            }
            if (state == null) {
                state = new SessionState();
            }
            return state;
        }

        @Override
        public TransactionCoordinatorBuilder getTransactionCoordinatorBuilder() {
            return delegate.getTransactionCoordinatorBuilder();
        }

        @Override
        public SynchronizationRegistry getLocalSynchronizations() {
            return delegate.getLocalSynchronizations();
        }

        @Override
        public JpaCompliance getJpaCompliance() {
            return delegate.getJpaCompliance();
        }

        @Override
        public void explicitJoin() {
            delegate.explicitJoin();
        }

        @Override
        public boolean isJoined() {
            return delegate.isJoined();
        }

        @Override
        public void pulse() {
            delegate.pulse();
        }

        @Override
        public boolean isActive() {
            return delegate.isActive();
        }

        @Override
        public IsolationDelegate createIsolationDelegate() {
            return delegate.createIsolationDelegate();
        }

        @Override
        public void addObserver(TransactionObserver observer) {
            delegate.addObserver(observer);
        }

        @Override
        public void removeObserver(TransactionObserver observer) {
            delegate.removeObserver(observer);
        }

        @Override
        public void setTimeOut(int seconds) {
            delegate.setTimeOut(seconds);
        }

        @Override
        public int getTimeOut() {
            return delegate.getTimeOut();
        }

        @Override
        public boolean isTransactionActive() {
            return delegate.isTransactionActive();
        }

        @Override
        public void invalidate() {
            delegate.invalidate();
        }
    }

    private record Driver(TransactionCoordinator.TransactionDriver delegate, TransactionCoordinatorOwner owner)
            implements TransactionCoordinator.TransactionDriver {

        @Override
        public void commit() {
            try {
                delegate.commit();
            } catch (TransactionException e) {
                throw converted(e, owner);
            }
        }

        @Override
        public void begin() {
            delegate.begin();
        }

        /**
         * A rollback whose connection is already closed ({@code 08003}) has nothing left to undo: the server rolled the
         * transaction back when the connection closed. It happens when a statement's error made the pool close the
         * connection (HikariCP closes it at once on SQLSTATE 0A000, which Citus uses for every statement it cannot
         * distribute); failing here would replace that statement's error, the one the application is handling, with
         * "Unable to rollback against JDBC Connection". So the session completes as rolled back instead.
         */
        @Override
        public void rollback() {
            try {
                delegate.rollback();
            } catch (TransactionException e) {
                if (!connectionClosed(e, owner)) {
                    throw e;
                }
                try {
                    owner.afterTransactionCompletion(false, false);
                } catch (RuntimeException ignored) {
                    // the session's cleanup after a rollback; the transaction itself is already gone
                }
            }
        }

        /** 08003 from the driver, or a connection that says it is closed (HikariCP's closed proxy sends no SQLSTATE). */
        private static boolean connectionClosed(TransactionException e, TransactionCoordinatorOwner owner) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof java.sql.SQLException sql && "08003".equals(sql.getSQLState())) {
                    return true;
                }
            }
            try {
                return owner instanceof org.hibernate.engine.jdbc.spi.JdbcCoordinator jdbc
                        && jdbc.getLogicalConnection().isPhysicallyConnected()
                        && jdbc.getLogicalConnection().getPhysicalConnection().isClosed();
            } catch (java.sql.SQLException | RuntimeException notKnown) {
                return false;
            }
        }

        @Override
        public TransactionStatus getStatus() {
            return delegate.getStatus();
        }

        @Override
        public void markRollbackOnly() {
            delegate.markRollbackOnly();
        }
    }
}
