package dev.upsert;

/**
 * The configuration keys of upsert-hibernate. Each is read from the Hibernate settings (for example
 * {@code persistence.xml} properties or the map given to {@code Persistence.createEntityManagerFactory}) when the
 * {@code SessionFactory} is built. None is required: the jar on the classpath is the whole set-up.
 *
 * <pre>{@code
 * <property name="upsert.validate_schema" value="false"/>
 * }</pre>
 *
 * @since 0.1
 */
public final class UpsertSettings {

    /** Every key starts with this prefix. */
    public static final String PREFIX = "upsert.";

    /**
     * Whether every {@link Upsert} conflict target is checked against the live catalog ({@code pg_index},
     * {@code pg_constraint}) when the {@code SessionFactory} is built, so that a target without a matching
     * non-deferrable unique index fails at boot, naming the indexes that do exist, instead of failing with
     * SQLSTATE 42P10 on the first request. The check runs after Hibernate's own schema generation.
     * <p>
     * Values: {@code true} or {@code false}. Default: {@code true}.
     *
     * @since 0.1
     */
    public static final String VALIDATE_SCHEMA = PREFIX + "validate_schema";

    /**
     * Whether {@link DuplicateKeyException#getMessage()} and {@code toString()} include the key values. Key values
     * are often personal data (emails, user names), so by default the message names the constraint, table,
     * columns, entity and attributes only; {@link DuplicateKeyException#getKeyValues()} always returns them to code
     * that asks.
     * <p>
     * Values: {@code true} or {@code false}. Default: {@code false}.
     *
     * @since 0.1
     */
    public static final String EXCEPTION_INCLUDE_VALUES = PREFIX + "exception.include_values";

    private UpsertSettings() {
    }
}
