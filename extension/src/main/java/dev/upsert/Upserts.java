package dev.upsert;

import java.util.Objects;
import java.util.Optional;

import jakarta.persistence.EntityManager;

/**
 * Questions about {@link Upsert} persists that JPA's own API cannot answer.
 *
 * @since 0.1
 */
public final class Upserts {

    private Upserts() {
    }

    /**
     * What the database did when {@code entity} was upserted in this persistence context.
     * <pre>{@code
     * em.persist(signup);
     * em.flush();                               // sequence/UUID ids: the statement runs at flush
     * if (Upserts.outcome(em, signup).orElseThrow() == UpsertOutcome.INSERTED) { sendWelcomeMail(signup); }
     * }</pre>
     *
     * @param em     the entity manager (or Hibernate {@code Session}) that persisted the entity
     * @param entity an instance of an {@link Upsert} entity
     * @return the outcome; empty if the entity is not managed by {@code em}, is not an {@code @Upsert} entity, or its
     * statement has not run yet (it runs at flush; only an IDENTITY entity with collections runs it at {@code persist})
     * @throws NullPointerException  if {@code em} or {@code entity} is null
     * @throws IllegalStateException if {@code em} is closed
     */
    public static Optional<UpsertOutcome> outcome(EntityManager em, Object entity) {
        Objects.requireNonNull(em, "em");
        Objects.requireNonNull(entity, "entity");
        return UpsertImplementation.get().outcome(em, entity);
    }
}
