package dev.upsert.internal.exception;

import java.sql.SQLException;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** The only class that names pgjdbc types; loaded only when {@link DuplicateKeyServerError} found the driver. */
public final class PgjdbcServerError {

    private PgjdbcServerError() {
    }

    static DuplicateKeyServerError read(SQLException e) {
        if (!(e instanceof PSQLException psql)) {
            return null;
        }
        ServerErrorMessage m = psql.getServerErrorMessage();
        if (m == null || !DuplicateKeyServerError.UNIQUE_VIOLATION.equals(m.getSQLState())) {
            return null;
        }
        return new DuplicateKeyServerError(e, m.getSchema(), m.getTable(), m.getConstraint(), m.getDetail(), m.getMessage());
    }

    /** {@code "ERROR: <message>"} with the hint, from the server's fields; null when the driver had no server error. */
    static String withoutDetail(SQLException e) {
        if (!(e instanceof PSQLException psql) || psql.getServerErrorMessage() == null) {
            return null;
        }
        ServerErrorMessage m = psql.getServerErrorMessage();
        return m.getSeverity() + ": " + m.getMessage() + (m.getHint() == null ? "" : " Hint: " + m.getHint());
    }

    /**
     * A {@code PSQLException} with {@code e}'s server fields and stack trace whose message is {@code message}; null if
     * {@code e} carries no server error.
     */
    static SQLException withoutValues(SQLException e, String message) {
        if (!(e instanceof PSQLException psql) || psql.getServerErrorMessage() == null) {
            return null;
        }
        return new WithoutValues(psql.getServerErrorMessage(), message);
    }

    /**
     * The driver's exception with the message PostgreSQL's fields give without DETAIL (and, for a data exception, without
     * the quoted input): the name says in a stack trace why DETAIL is missing, {@code upsert.exception.include_values}
     * brings it back.
     */
    static final class WithoutValues extends PSQLException {

        private static final long serialVersionUID = 1L;

        private final String message;

        WithoutValues(ServerErrorMessage serverError, String message) {
            super(serverError, false);
            this.message = message;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }
}
