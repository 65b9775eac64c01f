package dev.upsert.internal;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.hibernate.engine.spi.SessionFactoryImplementor;

import dev.upsert.DuplicateKeyException;
import dev.upsert.internal.DuplicateKeyWrites.Written;

/**
 * The SessionFactories alive in this class loader that convert duplicate keys, for
 * {@link DuplicateKeyException#find(Throwable)}: a deferred constraint fails at COMMIT, outside any statement, and
 * Hibernate wraps the driver's error in {@code TransactionException} without converting it.
 */
public final class DuplicateKeyContexts {

    private static final List<DuplicateKeyContext> LIVE = new CopyOnWriteArrayList<>();

    private DuplicateKeyContexts() {
    }

    static void register(DuplicateKeyContext context) {
        LIVE.add(context);
    }

    static void unregister(SessionFactoryImplementor factory) {
        LIVE.removeIf(c -> c.factory() == factory);
    }

    /** Implements {@link DuplicateKeyException#find(Throwable)}. */
    public static Optional<DuplicateKeyException> find(Throwable t) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable cause = t; cause != null && seen.put(cause, true) == null; cause = cause.getCause()) {
            if (cause instanceof DuplicateKeyException duplicate) {
                return Optional.of(duplicate);
            }
        }
        DuplicateKeyServerError error = DuplicateKeyServerError.find(t);
        if (error == null) {
            return Optional.empty();
        }
        DuplicateKeyContext context = choose(LIVE, error, List.of());
        return Optional.of(context == null
                ? DuplicateKeyContext.convertAlone(error, error.exception(), null)
                : context.convert(error, error.exception(), null, List.of()));
    }

    /** The SessionFactory that wrote one of the rows, else the first that maps the table, else the first. */
    static DuplicateKeyContext choose(List<DuplicateKeyContext> contexts, DuplicateKeyServerError error,
                                      List<Written> written) {
        if (contexts.isEmpty()) {
            return null;
        }
        for (int i = written.size() - 1; i >= 0; i--) {
            for (DuplicateKeyContext context : contexts) {
                if (context.factory() == written.get(i).session().getFactory()) {
                    return context;
                }
            }
        }
        if (error != null) {
            for (DuplicateKeyContext context : contexts) {
                if (context.mapsTable(error.schema(), error.table())) {
                    return context;
                }
            }
        }
        return contexts.get(0);
    }
}
