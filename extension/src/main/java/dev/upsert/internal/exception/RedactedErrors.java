package dev.upsert.internal.exception;

import dev.upsert.internal.boot.UpsertServiceContributor;
import dev.upsert.internal.compat.HibernateAccess;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.config.spi.StandardConverters;
import org.hibernate.service.ServiceRegistry;
import org.jboss.logging.Logger;

import dev.upsert.UpsertSettings;

/**
 * Hibernate's log line and exception message for a failed statement, without the row data. Hibernate logs every SQL
 * error at WARN with the driver's message and copies that message into its exception's; PostgreSQL's DETAIL
 * ({@code Key (email)=(ann@x.org) already exists.}, {@code Failing row contains (...)}) and pgjdbc's batch message
 * ({@code Batch entry 0 insert ... values (('ann@x.org'))}) put personal data into it. Unless the user chose
 * otherwise ({@code hibernate.jdbc.log.errors} set on 7.x, or {@link UpsertSettings#EXCEPTION_INCLUDE_VALUES} true),
 * Hibernate's error log is switched off when the service registry is built (7.x: that setting; 6.6, which has no
 * switch: a {@code SqlExceptionHelper} that does not log); the converter then writes the same line to the same
 * category and gives Hibernate's exceptions the same message, both from the server's fields minus DETAIL.
 */
public final class RedactedErrors {

    /** Set by {@link UpsertServiceContributor} when it switched Hibernate's error log off in favour of this one. */
    static final String ACTIVE = UpsertSettings.PREFIX + "internal.redacted_error_log";

    private static final Logger LOG = Logger.getLogger(HibernateAccess.get().errorLogCategory());
    private static final Pattern BATCH_ENTRY = Pattern.compile("^(Batch entry \\d+) ");
    /** From the first double quote to the last: a value may hold quotes, PostgreSQL does not escape them. */
    private static final Pattern QUOTED = Pattern.compile("\".*\"");

    private RedactedErrors() {
    }

    /** Called while the registry is built: takes over the error log unless the user configured it or opted in. */
    public static void takeOver(StandardServiceRegistryBuilder registry) {
        Map<String, Object> settings = registry.getSettings();
        if (!HibernateAccess.get().applyUserErrorLogSetting(registry)
                && !Boolean.parseBoolean(String.valueOf(settings.get(UpsertSettings.EXCEPTION_INCLUDE_VALUES)).trim())) {
            HibernateAccess.get().switchOffErrorLog(registry);
            registry.applySetting(ACTIVE, true);
        }
    }

    public static boolean isActive(ServiceRegistry registry) {
        return registry.requireService(ConfigurationService.class).getSetting(ACTIVE, StandardConverters.BOOLEAN, false);
    }

    /** Logs {@code e} and its {@code getNextException()} chain the way Hibernate does, redacted. */
    static void log(SQLException e) {
        if (!LOG.isEnabled(Logger.Level.WARN)) {
            return;
        }
        int count = 0;
        for (SQLException current = e; current != null && count < 100; current = current.getNextException(), count++) {
            LOG.warnf("ErrorCode: %s, SQLState: %s: %s", current.getErrorCode(), current.getSQLState(), redact(current));
            if (current.getNextException() == current) {
                break;
            }
        }
    }

    /**
     * Hibernate's exception message ({@code "<what> [<driver message>]"}) with the driver's message redacted; for a
     * batch, the entry that failed and the server's message for it.
     */
    static String message(String hibernateMessage, SQLException e) {
        String driver = e.getMessage();
        if (hibernateMessage == null || driver == null || driver.isEmpty() || !hibernateMessage.contains(driver)) {
            return hibernateMessage;
        }
        String redacted = redact(e);
        SQLException next = e.getNextException();
        if (e instanceof BatchUpdateException && next != null && next != e) {
            redacted = redacted.replace(" (statement left out; the cause follows)", ": ") + redact(next);
        }
        return hibernateMessage.replace(driver, redacted);
    }

    /**
     * {@code e} as an exception that prints no row data, for the cause of the exceptions the converter returns: a
     * stack trace prints every cause's message, and the driver's carries DETAIL ({@code Key (email)=(ann@x.org) already
     * exists.}) and, for a batch, the failing statement with its parameters. The copy keeps what code reads: its
     * class's type (a {@code PSQLException}, a {@code BatchUpdateException}), SQLState, error code, update counts,
     * stack trace and, for pgjdbc, every server field ({@code getServerErrorMessage().getDetail()} included); its
     * message is {@link #redact}'s, and its causes and {@code getNextException()} chain are copied alike. An exception
     * that carries no server error (the connection broke, another driver) is kept as it is.
     */
    static SQLException withoutValues(SQLException e) {
        return withoutValues(e, new IdentityHashMap<>());
    }

    private static SQLException withoutValues(SQLException e, Map<Throwable, SQLException> copies) {
        if (e == null) {
            return null;
        }
        SQLException copy = copies.get(e);
        if (copy != null || copies.size() >= 100) {
            return copy != null ? copy : e;
        }
        Throwable cause = e.getCause();
        if (e instanceof BatchUpdateException batch) {
            copies.put(e, e);  // a cycle back to the batch keeps the original rather than recursing
            copy = new BatchUpdateException(redact(e), e.getSQLState(), e.getErrorCode(), batch.getLargeUpdateCounts(),
                    cause instanceof SQLException sql ? withoutValues(sql, copies) : cause);
        } else if (DuplicateKeyServerError.pgjdbcPresent() && (copy = PgjdbcServerError.withoutValues(e, redact(e))) != null) {
            copies.put(e, copy);
            if (cause != null) {
                copy.initCause(cause instanceof SQLException sql ? withoutValues(sql, copies) : cause);
            }
        } else {
            return e;
        }
        copies.put(e, copy);
        copy.setStackTrace(e.getStackTrace());
        SQLException next = e.getNextException();
        if (next != null && next != e) {
            copy.setNextException(withoutValues(next, copies));
        }
        return copy;
    }

    /**
     * The server's severity and message (never DETAIL); for a batch, which entry failed (never its statement). A data
     * exception (SQLSTATE class 22) quotes the offending input in its message ({@code invalid input syntax for type
     * uuid: "..."}, {@code value "..." is out of range for type integer}): that part is left out too.
     */
    static String redact(SQLException e) {
        String server = DuplicateKeyServerError.pgjdbcPresent() ? PgjdbcServerError.withoutDetail(e) : null;
        if (server != null && e.getSQLState() != null && e.getSQLState().startsWith("22")) {
            server = QUOTED.matcher(server).replaceAll("(value left out)");
        }
        if (server != null) {
            return server + " (DETAIL and parameters left out; see " + UpsertSettings.EXCEPTION_INCLUDE_VALUES + ")";
        }
        if (e instanceof BatchUpdateException) {
            Matcher entry = BATCH_ENTRY.matcher(String.valueOf(e.getMessage()));
            return (entry.find() ? entry.group(1) : "A batch entry") + " was aborted (statement left out; the cause follows)";
        }
        return e.getMessage();
    }
}
