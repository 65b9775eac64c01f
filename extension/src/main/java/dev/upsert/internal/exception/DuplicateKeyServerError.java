package dev.upsert.internal.exception;

import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The fields PostgreSQL sends with a 23505 (schema, table, constraint, DETAIL), found anywhere in a chain of causes
 * and {@code getNextException()} links: a batch nests the driver's exception in {@code BatchUpdateException}.
 * <p>
 * Citus re-raises a worker's 23505 on the coordinator with its message and DETAIL only, no schema, table or constraint
 * field, and the message names the shard's index ({@code account_tenant_id_email_key_102009}):
 * {@link #reportedIndex()} is that name, which {@link #resolved} turns into the logical table and index.
 *
 * @param exception the driver's exception that carried them
 * @param message   the server's primary message, or null
 */
public record DuplicateKeyServerError(SQLException exception, String schema, String table, String constraint, String detail,
                                      String message) {

    public DuplicateKeyServerError(SQLException exception, String schema, String table, String constraint, String detail) {
        this(exception, schema, table, constraint, detail, null);
    }

    /**
     * The index named in the message when the error carries no table or constraint field (a Citus worker's error
     * re-raised by the coordinator), else null: the text between the message's first and last quote ({@code "..."}
     * in English, guillemets in some translations).
     */
    public String reportedIndex() {
        if (table != null || constraint != null || message == null) {
            return null;
        }
        for (String[] quotes : new String[][] {{"\"", "\""}, {"\u00ab", "\u00bb"}}) {
            int start = message.indexOf(quotes[0]);
            int end = message.lastIndexOf(quotes[1]);
            if (start >= 0 && end > start + 1) {
                return message.substring(start + 1, end);
            }
        }
        return null;
    }

    /** This error with the schema, table and (logical) index the catalog found for it. */
    public DuplicateKeyServerError resolved(String schema, String table, String constraint) {
        return new DuplicateKeyServerError(exception, schema, table, constraint, detail, message);
    }

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
