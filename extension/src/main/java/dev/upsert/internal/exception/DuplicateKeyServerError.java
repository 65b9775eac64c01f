package dev.upsert.internal.exception;

import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The fields PostgreSQL sends with a 23505 (schema, table, constraint, DETAIL), found anywhere in a chain of causes
 * and {@code getNextException()} links: a batch nests the driver's exception in {@code BatchUpdateException}.
 *
 * @param exception the driver's exception that carried them
 */
public record DuplicateKeyServerError(SQLException exception, String schema, String table, String constraint, String detail) {

    static final String UNIQUE_VIOLATION = "23505";

    // pgjdbc is the application's dependency: without it the extension must still start (and convert nothing).
    private static final boolean PGJDBC = present("org.postgresql.util.PSQLException");

    /** Cheap first test, on the exception Hibernate hands over. */
    static boolean isUniqueViolation(SQLException e) {
        return UNIQUE_VIOLATION.equals(e.getSQLState());
    }

    /** The first 23505 server error in {@code t}'s chain, or null. */
    static DuplicateKeyServerError find(Throwable t) {
        if (!PGJDBC) {
            return null;
        }
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable cause : DuplicateKeyFinder.chain(t)) {
            if (cause instanceof SQLException sql) {
                for (SQLException next = sql; next != null && seen.put(next, true) == null && seen.size() < 1000;
                        next = next.getNextException()) {
                    DuplicateKeyServerError error = PgjdbcServerError.read(next);
                    if (error != null) {
                        return error;
                    }
                    if (next.getNextException() == next) {
                        break;
                    }
                }
            }
        }
        return null;
    }

    static boolean pgjdbcPresent() {
        return PGJDBC;
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, DuplicateKeyServerError.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
