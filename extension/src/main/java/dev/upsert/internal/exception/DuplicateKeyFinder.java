package dev.upsert.internal.exception;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

import dev.upsert.DuplicateKeyException;

/**
 * Implements {@link DuplicateKeyException#find(Throwable)}: the exception in the cause chain, where the extension put
 * it (statements through the converter, a deferred constraint at commit through
 * {@link DuplicateKeyTransactionCoordinatorBuilder}); a 23505 that never passed through Hibernate is converted from
 * the server's fields alone.
 */
public final class DuplicateKeyFinder {

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
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable cause = t; cause != null && seen.put(cause, true) == null; cause = cause.getCause()) {
            if (cause instanceof DuplicateKeyException duplicate) {
                return duplicate;
            }
        }
        return null;
    }
}
