package dev.upsert.sample;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;

import dev.upsert.DuplicateKeyException;

/**
 * Scenario 6's service: registers a customer and answers as an HTTP API would, {@code 201}, or {@code 409} naming
 * the field that is taken. Which field comes from {@link DuplicateKeyException#getAttributeNames()}: no message
 * parsing, no constraint-name table to keep in sync with the schema.
 */
final class Registration {

    /** What the API would send back. */
    record Answer(int status, String body, DuplicateKeyException duplicate) {
    }

    private final EntityManagerFactory emf;

    Registration(EntityManagerFactory emf) {
        this.emf = emf;
    }

    Answer register(String email, String username) {
        //tag::quickstart-catch[]
        try {
            Customer customer = emf.callInTransaction(em -> {
                Customer c = new Customer(email, username);
                em.persist(c);
                return c;
            });
            return new Answer(201, "{\"id\":" + customer.id + "}", null);
        } catch (PersistenceException e) {
            // persist and flush throw it as it is; commit wraps it in a RollbackException
            DuplicateKeyException duplicate = DuplicateKeyException.find(e).orElseThrow(() -> e);
            String field = String.join(",", duplicate.getAttributeNames());
            return new Answer(409, "{\"status\":409,\"title\":\"Conflict\",\"detail\":\"" + field
                    + " is already taken\",\"field\":\"" + field + "\"}", duplicate);
        }
        //end::quickstart-catch[]
    }
}
