package dev.upsert.internal.outcome;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.persistence.EntityManagerFactory;

import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.service.Service;

import dev.upsert.DuplicateKeyException;
import dev.upsert.UpsertOutcome;

/**
 * The {@link UpsertListener}s of one SessionFactory, held in its own service registry (no global state): empty
 * unless the application registered one, and then a list walk per event.
 */
public final class UpsertListeners implements Service {

    private final List<UpsertListener> listeners = new CopyOnWriteArrayList<>();

    /** The listeners of the SessionFactory behind {@code emf}. */
    public static UpsertListeners of(EntityManagerFactory emf) {
        return of(emf.unwrap(SessionFactoryImplementor.class));
    }

    public static UpsertListeners of(SessionFactoryImplementor factory) {
        UpsertListeners listeners = factory.getServiceRegistry().getService(UpsertListeners.class);
        if (listeners == null) {
            throw new IllegalStateException("upsert-hibernate is not installed in this SessionFactory (no "
                    + UpsertListenersContributor.class.getName() + " ran): is the jar on the class path of Hibernate's class loader?");
        }
        return listeners;
    }

    /** For the extension's own calls: never throws, an empty list when the service is missing. */
    public static UpsertListeners in(SessionFactoryImplementor factory) {
        UpsertListeners listeners = factory.getServiceRegistry().getService(UpsertListeners.class);
        return listeners == null ? NONE : listeners;
    }

    private static final UpsertListeners NONE = new UpsertListeners();

    public void add(UpsertListener listener) {
        listeners.add(listener);
    }

    public void remove(UpsertListener listener) {
        listeners.remove(listener);
    }

    public void duplicateKey(DuplicateKeyException duplicate, Class<?> writtenEntity) {
        for (UpsertListener listener : listeners) {
            try {
                listener.duplicateKey(duplicate, writtenEntity);
            } catch (RuntimeException ignored) {
                // an observer must never replace the application's exception
            }
        }
    }

    public void upserted(Class<?> entity, UpsertOutcome outcome) {
        for (UpsertListener listener : listeners) {
            try {
                listener.upserted(entity, outcome);
            } catch (RuntimeException ignored) {
                // an observer must never fail a write
            }
        }
    }
}
