package dev.upsert.internal.exception;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.upsert.DuplicateKeyException;

/**
 * Implements {@link DuplicateKeyException#find(Throwable)}: the exception in the cause chain (suppressed exceptions
 * included), where the extension put
 * it (statements through the converter, a deferred constraint at commit through
 * {@link DuplicateKeyTransactionCoordinatorBuilder}); a 23505 that never passed through Hibernate is converted from
 * the server's fields alone.
 */
public final class DuplicateKeyFinder {

    /** A bound against pathological chains; real ones hold a handful. */
    private static final int MAX_CHAIN = 1000;

    private DuplicateKeyFinder() {
    }

    public static Optional<DuplicateKeyException> find(Throwable t) {
        DuplicateKeyException found = inChain(t);
        if (found != null) {
            return Optional.of(found);
        }
        DuplicateKeyServerError error = DuplicateKeyServerError.find(t);
        return error == null ? Optional.empty()
                : Optional.of(DuplicateKeyContext.convertAlone(error, error.exception(), null));
    }

    static DuplicateKeyException inChain(Throwable t) {
        for (Throwable cause : chain(t)) {
            if (cause instanceof DuplicateKeyException duplicate) {
                return duplicate;
            }
        }
        return null;
    }

    /**
     * {@code t}, its causes and, after them, the suppressed exceptions of each (with their causes): a JTA transaction
     * manager reports a resource's failed commit as a {@code RollbackException} without a cause, the resource's
     * {@code XAException} (whose cause is the driver's error) suppressed on it (Narayana's one-phase commit).
     */
    static List<Throwable> chain(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable cause = t; cause != null && seen.put(cause, true) == null; cause = cause.getCause()) {
            chain.add(cause);
        }
        for (int i = 0; i < chain.size() && chain.size() < MAX_CHAIN; i++) {
            for (Throwable suppressed : chain.get(i).getSuppressed()) {
                for (Throwable cause = suppressed; cause != null && seen.put(cause, true) == null; cause = cause.getCause()) {
                    chain.add(cause);
                }
            }
        }
        return chain;
    }
}
