package dev.upsert.internal;

import org.hibernate.HibernateException;
import org.hibernate.Version;
import org.hibernate.dialect.Dialect;
import org.hibernate.generator.EventType;
import org.hibernate.generator.OnExecutionGenerator;

/**
 * The Hibernate ORM lines this jar runs on: 7.2 and newer 7.x (built against 7.4, tested on 7.2, 7.3 and 7.4).
 * Checked first thing at boot, before any of Hibernate's internal signatures is touched, so that another line fails
 * with a sentence naming the artifact to use instead of a {@code NoSuchMethodError} on the first persist.
 */
final class HibernateLine {

    private HibernateLine() {
    }

    static void require() {
        String problem = problem(Version.getVersionString());
        if (problem != null) {
            throw new HibernateException(problem);
        }
    }

    /** Null when {@code version} (as {@link Version#getVersionString()} spells it) is supported, else the fix. */
    static String problem(String version) {
        int major = number(version, 0);
        int minor = number(version, 1);
        if (major == 7 && minor >= 2 || major < 0) {
            return null;  // a version string we cannot read: let the build it comes from speak for itself
        }
        String found = "upsert-hibernate (dev.upsert:upsert-hibernate) runs on Hibernate ORM 7.2 to 7.4, but this "
                + "application runs Hibernate ORM " + version + ": ";
        if (major == 6 && minor == 6) {
            return found + "use the artifact dev.upsert:upsert-hibernate-66, built for Hibernate 6.6 (Spring Boot 3.5)";
        }
        if (major == 7 || major == 6) {
            return found + "upgrade Hibernate to 7.2 or newer (Spring Boot 4.0 and 4.1 manage it), or to 6.6 and use "
                    + "the artifact dev.upsert:upsert-hibernate-66";
        }
        return found + "use a release of upsert-hibernate built for Hibernate " + major + "." + minor;
    }

    /** The dot-separated number at {@code index}; -1 when the version string has none there (a custom build). */
    private static int number(String version, int index) {
        String[] parts = String.valueOf(version).split("\\.");
        try {
            return index < parts.length ? Integer.parseInt(parts[index]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether generators say their SQL per event (7.4+); 7.2 and 7.3 have only the event-less methods. */
    private static final boolean EVENT_AWARE_GENERATORS = hasMethod(OnExecutionGenerator.class, "referenceColumnsInSql",
            Dialect.class, EventType.class);

    /** {@link OnExecutionGenerator#referenceColumnsInSql(Dialect, EventType)} where it exists, else the event-less form. */
    static boolean referenceColumnsInSql(OnExecutionGenerator generator, Dialect dialect, EventType event) {
        return EVENT_AWARE_GENERATORS ? generator.referenceColumnsInSql(dialect, event) : generator.referenceColumnsInSql(dialect);
    }

    /** {@link OnExecutionGenerator#getReferencedColumnValues(Dialect, EventType)} where it exists, else the event-less form. */
    static String[] referencedColumnValues(OnExecutionGenerator generator, Dialect dialect, EventType event) {
        return EVENT_AWARE_GENERATORS ? generator.getReferencedColumnValues(dialect, event)
                : generator.getReferencedColumnValues(dialect);
    }

    private static boolean hasMethod(Class<?> type, String name, Class<?>... parameters) {
        try {
            type.getMethod(name, parameters);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
