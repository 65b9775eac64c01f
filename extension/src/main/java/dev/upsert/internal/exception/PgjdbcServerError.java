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
}
