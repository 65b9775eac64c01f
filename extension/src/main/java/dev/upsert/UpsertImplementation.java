package dev.upsert;

import java.util.List;
import java.util.Optional;

import jakarta.persistence.EntityManager;

/**
 * The one way down from the public package into the implementation; not for applications to call or implement.
 * <p>
 * The public types sit on the lowest floor of the library: every internal package may use them ({@link Upsert},
 * {@link UpsertSettings}, {@link DuplicateKeyException}), so they must not import an internal package back, or the
 * packages would form a cycle. The few public static helpers ({@link DuplicateKeyException#find},
 * {@link DuplicateKeyException#findExisting}, {@link DuplicateScan#find}, {@link Upserts#outcome}) reach the
 * implementation through this interface instead: the jar's {@code META-INF/services/dev.upsert.UpsertImplementation}
 * names the internal class, loaded once with this interface's own class loader (the same jar, so the same loader in
 * a plain class path, a Spring Boot fat jar and Quarkus).
 *
 * @since 0.2
 */
public interface UpsertImplementation {

    /** Implements {@link DuplicateKeyException#find(Throwable)}. */
    Optional<DuplicateKeyException> find(Throwable t);

    /** Implements {@link DuplicateKeyException#findExisting(EntityManager, Class)}. */
    <T> Optional<T> findExisting(DuplicateKeyException duplicate, EntityManager em, Class<T> type);

    /** Implements {@link DuplicateScan#find(EntityManager, Class, String...)}. */
    List<DuplicateGroup> duplicates(EntityManager em, Class<?> entityClass, String... attributes);

    /** Implements {@link Upserts#outcome(EntityManager, Object)}. */
    Optional<UpsertOutcome> outcome(EntityManager em, Object entity);

    /** The implementation in this jar (looked up on first use; a missing services file is a broken jar). */
    static UpsertImplementation get() {
        return LoadedImplementation.INSTANCE;
    }
}
