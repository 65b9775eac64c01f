package dev.upsert.sample;

import java.sql.SQLException;
import java.util.Optional;

/** Reads what went wrong out of an exception chain: JPA wraps Hibernate, which wraps the driver's SQLException. */
final class Failures {

    private Failures() {
    }

    /** The SQLSTATE of the first SQLException in the chain, e.g. {@code 23505} for a unique violation. */
    static Optional<String> sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
        }
        return Optional.empty();
    }

    /** One line for the report: the exception type, SQLSTATE if any, and the innermost message, e-mails shortened. */
    static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : root.getMessage().lines().findFirst().orElse("");
        return failure.getClass().getSimpleName()
                + sqlState(failure).map(state -> " [SQLSTATE " + state + "]").orElse("")
                + ": " + Redaction.text(message);
    }
}
