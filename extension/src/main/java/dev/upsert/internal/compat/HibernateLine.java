package dev.upsert.internal.compat;

import org.hibernate.HibernateException;
import org.hibernate.Version;

/**
 * The Hibernate ORM line this jar is built for ({@code LineAccess.LINE}): {@code dev.upsert:upsert-hibernate} runs on
 * 7.2 and newer 7.x (built against 7.4, tested on 7.2, 7.3 and 7.4), {@code dev.upsert:upsert-hibernate-66} on 6.6.
 * Checked first thing at boot, before any of Hibernate's internal signatures is touched, so that another line fails
 * with a sentence naming the artifact to use instead of a {@code NoSuchMethodError} on the first persist.
 */
public final class HibernateLine {

    static final String SEVEN = "7";
    static final String SIX_SIX = "6.6";

    private HibernateLine() {
    }

    public static void require() {
        // LineAccess.LINE is a constant, copied in here by the compiler: LineAccess itself is not loaded yet
        String problem = problem(LineAccess.LINE, Version.getVersionString());
        if (problem != null) {
            throw new HibernateException(problem);
        }
    }

    /**
     * Null when {@code version} (as {@link Version#getVersionString()} spells it) is one {@code line}'s jar runs on,
     * else the fix.
     */
    static String problem(String line, String version) {
        int major = number(version, 0);
        int minor = number(version, 1);
        boolean seven = major == 7 && minor >= 2;
        boolean sixSix = major == 6 && minor == 6;
        if (major < 0 || (line.equals(SEVEN) ? seven : sixSix)) {
            return null;  // a version string we cannot read: let the build it comes from speak for itself
        }
        String found = line.equals(SEVEN)
                ? "upsert-hibernate (dev.upsert:upsert-hibernate) runs on Hibernate ORM 7.2 to 7.4, but this application "
                        + "runs Hibernate ORM " + version + ": "
                : "upsert-hibernate-66 (dev.upsert:upsert-hibernate-66) runs on Hibernate ORM 6.6, but this application "
                        + "runs Hibernate ORM " + version + ": ";
        if (sixSix) {
            return found + "use the artifact dev.upsert:upsert-hibernate-66, built for Hibernate 6.6 (Spring Boot 3.5)";
        }
        if (seven) {
            return found + "use the artifact dev.upsert:upsert-hibernate, built for Hibernate 7.2 and newer (Spring Boot 4)";
        }
        if (major == 7 || major == 6) {
            return found + "upgrade Hibernate to 7.2 or newer (Spring Boot 4.0 and 4.1 manage it) and use the artifact "
                    + "dev.upsert:upsert-hibernate, or to 6.6 and use the artifact dev.upsert:upsert-hibernate-66";
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
}
