package dev.upsert.testing.jpa;

import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import org.hibernate.Session;
import org.hibernate.SessionFactory;

/**
 * One unit of work in a transaction of its own, as an application's service method runs it: a new
 * {@link EntityManager}, begin, the work, commit; rolled back and closed whatever happens.
 * <p>
 * JPA 3.2 has {@code EntityManagerFactory.callInTransaction}; Hibernate 6.6 implements JPA 3.1, and the suites run
 * on both.
 */
public final class Transactions {

    private Transactions() {
    }

    /** Runs {@code work} in a new transaction and commits; returns what the work returned. */
    public static <T> T inTransaction(EntityManagerFactory factory, Function<EntityManager, T> work) {
        EntityManager em = factory.createEntityManager();
        try {
            em.getTransaction().begin();
            T result = work.apply(em);
            em.getTransaction().commit();
            return result;
        } catch (RuntimeException | Error e) {
            rollBack(em, e);
            throw e;
        } finally {
            em.close();
        }
    }

    /**
     * Runs {@code work} in a transaction of a new session opened for {@code tenant} (Hibernate's tenant identifier, for
     * {@code @TenantId} or a {@code MultiTenantConnectionProvider}) and commits; returns what the work returned.
     */
    public static <T> T inTenantTransaction(EntityManagerFactory factory, String tenant, Function<Session, T> work) {
        try (Session session = factory.unwrap(SessionFactory.class).withOptions().tenantIdentifier(tenant).openSession()) {
            session.getTransaction().begin();
            try {
                T result = work.apply(session);
                session.getTransaction().commit();
                return result;
            } finally {
                if (session.getTransaction().isActive()) {
                    session.getTransaction().rollback();
                }
            }
        }
    }

    /** {@link #inTransaction} for work that returns nothing. */
    public static void runInTransaction(EntityManagerFactory factory, Consumer<EntityManager> work) {
        inTransaction(factory, em -> {
            work.accept(em);
            return null;
        });
    }

    /**
     * What {@code work} or its commit threw (the transaction rolled back), or an {@link AssertionError} when it
     * committed.
     */
    public static RuntimeException failure(EntityManagerFactory factory, Consumer<EntityManager> work) {
        try {
            runInTransaction(factory, work);
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected the transaction to fail, but it committed");
    }

    /**
     * What {@code work} itself threw, after rolling back; when it threw nothing the transaction commits if
     * {@code commitIfPassed}, else rolls back, and the answer is null.
     */
    public static Throwable failureOfWork(EntityManagerFactory factory, Consumer<EntityManager> work, boolean commitIfPassed) {
        EntityManager em = factory.createEntityManager();
        try {
            em.getTransaction().begin();
            try {
                work.accept(em);
            } catch (Throwable e) {
                rollBack(em, e);
                return e;
            }
            if (commitIfPassed) {
                em.getTransaction().commit();
            }
            return null;
        } finally {
            closeRollingBack(em);
        }
    }

    /** Rolls back what is still active and closes: the end of every unit of work, passed or failed. */
    public static void closeRollingBack(EntityManager em) {
        try {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
        } finally {
            em.close();
        }
    }

    /**
     * Rolls back after {@code failure}; a rollback that fails too is added to it, not thrown over it (after a
     * failover or a terminated backend the connection is gone, and the server rolled back when the backend ended).
     */
    private static void rollBack(EntityManager em, Throwable failure) {
        try {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
