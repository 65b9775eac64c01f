package dev.upsert;

/**
 * The configuration keys of upsert-hibernate. Each is read from the Hibernate settings (for example
 * {@code persistence.xml} properties or the map given to {@code Persistence.createEntityManagerFactory}) when the
 * {@code SessionFactory} is built. None is required: the jar on the classpath is the whole set-up.
 *
 * <pre>{@code
 * <property name="upsert.validate_schema" value="false"/>
 * }</pre>
 * <p>
 * A key may also be spelt the Spring way: {@code .}, {@code -} and {@code _} are the same separator, so
 * {@code spring.jpa.properties.upsert.validate-schema=false} and the environment variable
 * {@code SPRING_JPA_PROPERTIES_UPSERT_VALIDATE_SCHEMA=false} (which Spring Boot passes on as
 * {@code upsert.validate.schema}) set {@link #VALIDATE_SCHEMA}. Two spellings of one key with different values stop
 * the boot, as does a value that is not valid for the key.
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
     * Whether key values appear in {@link DuplicateKeyException#getMessage()} and {@code toString()}, and in the log
     * line Hibernate writes for a failed statement. Key values are often personal data (emails, user names), so by
     * default:
     * <ul>
     *   <li>the exception's message names the constraint, table, columns, entity and attributes only;
     *       {@link DuplicateKeyException#getKeyValues()} always returns the values to code that asks;</li>
     *   <li>Hibernate's SQL error log ({@code hibernate.jdbc.log.errors}) is switched off and the same line is written
     *       to the same category ({@code org.hibernate.orm.jdbc.error}, WARN) from the server's error fields without
     *       DETAIL (which holds key values and failing rows) and without pgjdbc's batch statement text (which holds
     *       bound parameters); Hibernate's own exceptions for other SQL errors get the same redacted driver message.
     *       Setting {@code hibernate.jdbc.log.errors} yourself keeps Hibernate's log and messages as they are.</li>
     * </ul>
     * The driver's exception, reachable as the cause, keeps its full message: to keep DETAIL out of it as well, set
     * pgjdbc's {@code logServerErrorDetail=false} on the connection.
     * <p>
     * Values: {@code true} or {@code false}. Default: {@code false}.
     *
     * @since 0.1
     */
    public static final String EXCEPTION_INCLUDE_VALUES = PREFIX + "exception.include_values";

    /**
     * The unique constraints (or unique index names) whose duplicates are expected, for example idempotent retries
     * that a caller answers with 409: {@code dev.upsert.micrometer.UpsertMetrics} tags their
     * {@code upsert.duplicate.keys} count {@code expected=true}, every other constraint {@code expected=false}, so an
     * alert can fire on the unexpected ones only.
     * <p>
     * Values: a comma-separated list of names as PostgreSQL reports them, e.g.
     * {@code account_email_key, webhook_event_event_id_key}. Default: empty (no constraint is expected).
     *
     * @since 0.2
     */
    public static final String METRICS_EXPECTED_CONSTRAINTS = PREFIX + "metrics.expected_constraints";

    /**
     * What happens at boot when the sequence behind a mapped generated id (identity, serial/{@code nextval} default
     * or the entity's {@code @SequenceGenerator}) is behind the table's largest id, as after a data-only restore:
     * the next inserts would fail with 23505 on the primary key.
     * <ul>
     *   <li>{@code warn}: one WARN line per drifted sequence (logger {@code dev.upsert}), naming the entity, the
     *       sequence and the repair ({@code select setval(...)}); the SessionFactory is built.</li>
     *   <li>{@code fail}: the SessionFactory is not built; the exception lists every drifted sequence and its repair.</li>
     *   <li>{@code off}: no check (no query at boot).</li>
     * </ul>
     * Values: {@code warn}, {@code fail}, {@code off}. Default: {@code warn}.
     *
     * @since 0.2
     */
    public static final String CHECK_SEQUENCES = PREFIX + "check_sequences";

    private UpsertSettings() {
    }
}
