package dev.upsert.internal.exception;

import dev.upsert.internal.outcome.UpsertListeners;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.hibernate.JDBCException;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.exception.spi.SQLExceptionConverter;

import dev.upsert.DuplicateKeyException;
import dev.upsert.internal.exception.DuplicateKeyWrites.InFlight;
import dev.upsert.internal.exception.DuplicateKeyWrites.Written;

/**
 * Wraps the converter Hibernate built for the dialect: a PostgreSQL 23505 becomes a
 * {@link dev.upsert.DuplicateKeyException}, every other error goes to the original converter, by default with the
 * driver's message redacted ({@link RedactedErrors}), in Hibernate's message and in the driver's exception it wraps.
 * <p>
 * The {@code SqlExceptionHelper} belongs to the service registry, which several SessionFactories may share, so one
 * converter serves every SessionFactory integrated on it and picks the one that wrote the failing row or maps its
 * table. It runs only for statements that failed.
 */
public final class DuplicateKeyConverter implements SQLExceptionConverter {

    private static final long serialVersionUID = 1L;

    private final SQLExceptionConverter original;
    /** Whether Hibernate's error log is off and this converter writes the redacted line and message instead. */
    private final boolean redact;
    private final transient List<DuplicateKeyContext> contexts = new CopyOnWriteArrayList<>();

    public DuplicateKeyConverter(SQLExceptionConverter original, boolean redact) {
        this.original = original;
        this.redact = redact;
    }

    public SQLExceptionConverter original() {
        return original;
    }

    public void add(DuplicateKeyContext context) {
        contexts.add(context);
    }

    public void remove(SessionFactoryImplementor factory) {
        contexts.removeIf(c -> c.factory() == factory);
    }

    public boolean isEmpty() {
        return contexts.isEmpty();
    }

    @Override
    public JDBCException convert(SQLException sqlException, String message, String sql) {
        if (redact && sqlException != null) {
            // Hibernate calls the converter right after the log line it no longer writes (SqlExceptionHelper#convert)
            RedactedErrors.log(sqlException);
            message = RedactedErrors.message(message, sqlException);
        }
        if (sqlException == null || !DuplicateKeyServerError.isUniqueViolation(sqlException)) {
            return original.convert(forOriginal(sqlException), message, sql);
        }
        DuplicateKeyServerError error = logical(DuplicateKeyServerError.find(sqlException));
        InFlight inFlight = DuplicateKeyWrites.take();
        DuplicateKeyContext context = choose(error, inFlight.rows());
        if (error == null || context == null) {
            return original.convert(forOriginal(sqlException), message, sql);
        }
        try {
            // message is ignored on purpose: Hibernate appends the driver's text, whose DETAIL holds the key values
            DuplicateKeyException duplicate = context.convert(error, sqlException, sql, inFlight);
            UpsertListeners.in(context.factory()).duplicateKey(duplicate, context.writtenEntity(error, inFlight.rows()));
            return duplicate;
        } catch (RuntimeException e) {
            JDBCException fallback = original.convert(forOriginal(sqlException), message, sql);
            fallback.addSuppressed(e);
            return fallback;
        }
    }

    /** The driver's exception as Hibernate's own converter gets it: without row data while this one redacts. */
    private SQLException forOriginal(SQLException sqlException) {
        return redact ? RedactedErrors.withoutValues(sqlException) : sqlException;
    }

    /** A Citus shard's error as its logical table and index, from the first SessionFactory whose catalog knows it. */
    private DuplicateKeyServerError logical(DuplicateKeyServerError error) {
        if (error == null || error.reportedIndex() == null) {
            return error;
        }
        for (DuplicateKeyContext context : contexts) {
            DuplicateKeyServerError resolved = context.logical(error);
            if (resolved != error) {
                return resolved;
            }
        }
        return error;
    }

    /** The SessionFactory that wrote one of the rows, else the first that maps the table, else the first. */
    private DuplicateKeyContext choose(DuplicateKeyServerError error, List<Written> written) {
        if (contexts.isEmpty()) {
            return null;
        }
        for (int i = written.size() - 1; i >= 0; i--) {
            for (DuplicateKeyContext context : contexts) {
                if (context.factory() == written.get(i).session().getFactory()) {
                    return context;
                }
            }
        }
        if (error != null) {
            for (DuplicateKeyContext context : contexts) {
                if (context.mapsTable(error.schema(), error.table())) {
                    return context;
                }
            }
        }
        return contexts.get(0);
    }
}
