package dev.upsert;

import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.persistence.EntityManager;

import org.hibernate.exception.ConstraintViolationException;

/**
 * A row was rejected because its key is already taken: PostgreSQL SQLSTATE {@code 23505}
 * ({@code unique_violation}), for a unique constraint, a primary key or a unique index.
 * <p>
 * Every 23505 that Hibernate sees becomes this exception, for every entity and every kind of statement (insert,
 * dirty-checking update, HQL/criteria mutation, native SQL). Nothing needs configuring: the jar on the classpath
 * installs it. It extends Hibernate's {@link ConstraintViolationException} with {@link ConstraintKind#UNIQUE}, so
 * code that already catches that keeps working.
 *
 * <pre>{@code
 * try {
 *     em.persist(account);          // IDENTITY ids: the insert runs here; else at flush() or commit()
 *     em.flush();
 * } catch (DuplicateKeyException e) {
 *     if (e.getAttributeNames().contains("email")) {
 *         return Response.status(409).entity("email already taken").build();
 *     }
 *     throw e;
 * }
 * }</pre>
 *
 * <h2>Where it surfaces</h2>
 * {@code persist}, {@code flush}, {@code merge} and query execution throw it directly. {@code commit()} wraps it in
 * {@link jakarta.persistence.RollbackException}, and a {@code DEFERRABLE INITIALLY DEFERRED} constraint fails only
 * at commit, where Hibernate throws a {@code TransactionException} (under JPA's {@code RollbackException}) whose cause
 * is this exception: use {@link #find(Throwable)} for both.
 *
 * <h2>The transaction is lost</h2>
 * After any error PostgreSQL aborts the transaction: every further statement fails with SQLSTATE {@code 25P02}
 * until rollback. "Catch and carry on" therefore needs a new transaction, or an {@link Upsert} entity with
 * {@code action = NOTHING}, which never raises a 23505 for its conflict target.
 *
 * <h2>Key values are personal data</h2>
 * {@link #getMessage()} and {@link #toString()} name the constraint, table, columns, entity and attributes, never
 * the values, unless {@link UpsertSettings#EXCEPTION_INCLUDE_VALUES} is {@code true}; nor do they include the SQL
 * text (which can carry literals), available from {@link #getSQL()}. {@link #getKeyValues()} always returns the
 * values to code that asks. A logged stack trace prints every cause's message, and the driver's carries PostgreSQL's
 * DETAIL ({@code Key (email)=(ann@x.org) already exists.}) and, for a batch, the statement with its parameters: so the
 * {@link #getCause() cause} (and {@link #getSQLException()}) is a copy of the driver's exception whose message is the
 * server's without them, of the same type ({@code PSQLException}, {@code BatchUpdateException}) and with the same
 * SQLState, stack trace and server fields ({@code getServerErrorMessage().getDetail()} still answers); with
 * {@link UpsertSettings#EXCEPTION_INCLUDE_VALUES} {@code true} it is the driver's own.
 *
 * @since 0.1
 */
public class DuplicateKeyException extends ConstraintViolationException {

    private static final long serialVersionUID = 1L;

    private final String schemaName;
    private final String tableName;
    private final List<String> columnNames;
    private final Class<?> entityClass;
    private final List<String> attributeNames;
    private final Map<String, Object> keyValues;
    private final SequenceDrift sequenceDrift;
    private final String message;

    /**
     * Made by the extension when it converts a 23505; public so that tests of code handling it can make one.
     *
     * @param root           the driver's exception (for a batch, the {@code BatchUpdateException})
     * @param sql            the statement that failed, or null
     * @param constraintName the server's CONSTRAINT field: the constraint's or the unique index's name
     * @param schemaName     the server's SCHEMA field
     * @param tableName      the server's TABLE field
     * @param columnNames    the key's columns or expressions, as PostgreSQL prints them; may be empty
     * @param entityClass    the entity mapped to the table, or null
     * @param attributeNames the entity's attributes behind those columns; may be empty
     * @param keyValues      column to value, in key order; empty when unknown. Copied, nulls allowed
     * @param includeValues  whether the message shows the values (and the SQL)
     */
    public DuplicateKeyException(SQLException root, String sql, String constraintName, String schemaName,
                                 String tableName, List<String> columnNames, Class<?> entityClass,
                                 List<String> attributeNames, Map<String, Object> keyValues, boolean includeValues) {
        this(root, sql, constraintName, schemaName, tableName, columnNames, entityClass, attributeNames, keyValues,
                null, includeValues);
    }

    /**
     * As {@link #DuplicateKeyException(SQLException, String, String, String, String, List, Class, List, Map, boolean)},
     * with the diagnosis of a sequence behind its table.
     *
     * @param sequenceDrift the drifted sequence of the violated generated id, or null
     * @since 0.2
     */
    public DuplicateKeyException(SQLException root, String sql, String constraintName, String schemaName,
                                 String tableName, List<String> columnNames, Class<?> entityClass,
                                 List<String> attributeNames, Map<String, Object> keyValues,
                                 SequenceDrift sequenceDrift, boolean includeValues) {
        super("duplicate key", root, sql, ConstraintKind.UNIQUE, constraintName);
        this.schemaName = schemaName;
        this.tableName = tableName;
        this.columnNames = List.copyOf(columnNames);
        this.entityClass = entityClass;
        this.attributeNames = List.copyOf(attributeNames);
        this.keyValues = Collections.unmodifiableMap(new LinkedHashMap<>(keyValues));
        this.sequenceDrift = sequenceDrift;
        this.message = message(includeValues, sql);
    }

    /**
     * The exception in {@code t} or anywhere in its cause chain, for example under the
     * {@link jakarta.persistence.RollbackException} that {@code commit()} throws, or under the
     * {@code TransactionException} of a deferred constraint failing at commit. Suppressed exceptions are searched too,
     * with their causes: a JTA transaction manager (Narayana) reports a deferred constraint refused by the database's
     * COMMIT as a {@code jakarta.transaction.RollbackException} without a cause, the driver's error under a suppressed
     * {@code XAException}. A PostgreSQL 23505 that never passed
     * through a SessionFactory (plain JDBC) is converted from the server's fields and DETAIL alone: no entity, no
     * attributes, values as printed.
     *
     * <pre>{@code
     * try {
     *     tx.commit();
     * } catch (RollbackException e) {
     *     DuplicateKeyException duplicate = DuplicateKeyException.find(e).orElseThrow(() -> e);
     *     log.info("duplicate on {}", duplicate.getConstraintName());
     * }
     * }</pre>
     *
     * @param t any throwable, may be null
     * @return the duplicate-key exception, or empty if the chain holds none and no SQLSTATE 23505
     */
    public static Optional<DuplicateKeyException> find(Throwable t) {
        return UpsertImplementation.get().find(t);
    }

    /**
     * The name of the violated constraint, or of the unique index when no constraint owns it (for example
     * {@code create unique index ... (lower(email))}), exactly as the server reports it: never null for an error
     * from PostgreSQL.
     */
    @Override
    public String getConstraintName() {
        return super.getConstraintName();
    }

    /** The schema of the table, as the server reports it (unquoted). */
    public String getSchemaName() {
        return schemaName;
    }

    /** The table whose key is taken, as the server reports it (unquoted, without schema). */
    public String getTableName() {
        return tableName;
    }

    /**
     * The key's columns, in index order, as PostgreSQL prints them: {@code email}, {@code "Tenant Id"},
     * {@code lower(email)}. From the catalog ({@code pg_index}), read for every mapped table when the SessionFactory
     * is built, also when DETAIL is hidden or translated. For a key not known then (created later, or on a table no
     * entity maps), taken from an English DETAIL that lists bare column names, else empty; the catalog is then read
     * in the background, so that a later duplicate has them.
     */
    public List<String> getColumnNames() {
        return columnNames;
    }

    /**
     * The entity mapped to the table: the one being written when the extension knows it (for single-table
     * inheritance, the subclass), else the entity whose table it is. Empty for tables no entity maps.
     */
    public Optional<Class<?>> getEntityClass() {
        return Optional.ofNullable(entityClass);
    }

    /**
     * The entity's attributes behind the key's columns, in key order, without repeats: {@code email}; for an
     * embedded id {@code id.tenantId}; for an expression such as {@code lower(email)} the attributes of the columns
     * it uses. Empty when no entity maps the table.
     */
    public List<String> getAttributeNames() {
        return attributeNames;
    }

    /**
     * Column (as in {@link #getColumnNames()}) to value, in key order: the failing row's values, or empty, which
     * means <em>unknown</em>; never another row's, never partial.
     * <ul>
     *   <li>From the entity being written, when the extension can tell which row failed: the row whose values print
     *       as PostgreSQL's English DETAIL shows them, if exactly one does, else the only row of the table in flight.
     *       The values are the attributes' JDBC values ({@code Long} for a {@code bigint}, a Java {@code null} for
     *       NULL).</li>
     *   <li>Otherwise from DETAIL, {@code Key (a, b)=(1, x) already exists.}, when it splits unambiguously (one
     *       column, or no value containing {@code ", "}), each value converted to the type the entity's attribute
     *       would give ({@code "42"} becomes {@code 42L}) and kept only if it reads back exactly. A key expression
     *       such as {@code lower(email)}, and a table no entity maps, keep the printed {@code String}.</li>
     *   <li>Otherwise empty: DETAIL is absent when the role may not SELECT the key columns or row-level security is
     *       enabled on the table, and translated when {@code lc_messages} is not English; {@code null} in a text
     *       column may be NULL or the text {@code 'null'}; a timestamp prints in the session's DateStyle. Also empty
     *       when rows of the table were too many to remember (a large flush of {@code @Upsert} rows) or two rows
     *       print alike, and DETAIL does not settle it.</li>
     * </ul>
     */
    public Map<String, Object> getKeyValues() {
        return keyValues;
    }

    /**
     * The sequence behind the violated key, when that key is a single generated id column (IDENTITY, a serial or
     * {@code nextval} default, or the entity's {@code @SequenceGenerator}) and its sequence's next value is not above
     * the column's largest value: every further insert would fail the same way until
     * {@link SequenceDrift#repairSql()} runs. The message then says so.
     * <p>
     * Looked up only for such a key, after the failure, on a connection of its own and only if one is free at once:
     * from Hibernate's built-in pool (which never waits), from a HikariCP pool with an idle connection, or from a
     * connection provider the extension cannot ask ({@code DataSource}s other than HikariCP) never. Empty when the
     * sequence is not behind, when the key is another one, or when no connection was free; the boot check
     * ({@link UpsertSettings#CHECK_SEQUENCES}) reports drift either way.
     *
     * @since 0.2
     */
    public Optional<SequenceDrift> getSequenceDrift() {
        return Optional.ofNullable(sequenceDrift);
    }

    /**
     * Loads the row that holds this key: the entity of {@code type} whose key columns equal {@link #getKeyValues()},
     * through {@code em}, which must be usable (a new EntityManager or transaction: the one that failed is aborted).
     * Spring's injected (shared) EntityManager has a session only inside a transaction: in a
     * {@code @RestControllerAdvice}, call this from a {@code TransactionTemplate} or pass {@code emf.createEntityManager()}.
     * Values read from PostgreSQL's DETAIL are converted to the columns' types by PostgreSQL itself (the parameters are
     * bound untyped), so expression keys such as {@code lower(email)} work too.
     *
     * <pre>{@code
     * } catch (DuplicateKeyException e) {
     *     Account existing = e.findExisting(otherEm, Account.class).orElseThrow();
     *     return Response.status(409).header("Location", "/accounts/" + existing.getId()).build();
     * }
     * }</pre>
     *
     * @param em   a usable EntityManager of a persistence unit that maps {@code type}
     * @param type the entity mapped to {@link #getTableName()}
     * @return the entity, or empty when the key values are unknown ({@link #getKeyValues()} is empty) or no row holds
     *         them any more
     * @throws IllegalArgumentException when {@code type} is not an entity of {@code em} or maps another table
     * @throws IllegalStateException    when {@code em}'s transaction is the aborted one (SQLSTATE 25P02)
     * @since 0.2
     */
    public <T> Optional<T> findExisting(EntityManager em, Class<T> type) {
        return UpsertImplementation.get().findExisting(this, em, type);
    }

    /** What happened, to which key, and what to do; values only with {@link UpsertSettings#EXCEPTION_INCLUDE_VALUES}. */
    @Override
    public String getMessage() {
        return message;
    }

    private String message(boolean includeValues, String sql) {
        StringBuilder m = new StringBuilder("Duplicate key: ");
        m.append(getConstraintName() == null ? "a unique key" : "unique key \"" + getConstraintName() + "\"");
        m.append(" on table ").append(schemaName == null ? "" : schemaName + ".").append(tableName);
        if (!columnNames.isEmpty()) {
            m.append(" (").append(String.join(", ", columnNames)).append(")");
        }
        if (includeValues && !keyValues.isEmpty()) {
            m.append(" = (");
            boolean first = true;
            for (Object value : keyValues.values()) {
                m.append(first ? "" : ", ").append(value);
                first = false;
            }
            m.append(")");
        }
        m.append(" is already taken");
        if (entityClass != null) {
            m.append(", entity ").append(entityClass.getSimpleName());
            if (!attributeNames.isEmpty()) {
                m.append(" (").append(String.join(", ", attributeNames)).append(")");
            }
        }
        m.append(". PostgreSQL has aborted the transaction (further statements fail with 25P02): retry in a new transaction");
        // the @Upsert hint fits a natural key of an ordinary entity, not a drifted id or an entity already upserting
        boolean upsertHelps = sequenceDrift == null && (entityClass == null || !entityClass.isAnnotationPresent(Upsert.class));
        m.append(upsertHelps ? ", or use @Upsert(action = NOTHING) to skip duplicates." : ".");
        if (sequenceDrift != null) {
            m.append(" The sequence ").append(sequenceDrift.sequenceName()).append(" is behind the table");
            if (includeValues) {
                m.append(" (last value ").append(sequenceDrift.lastValue()).append(", largest id ")
                        .append(sequenceDrift.maxKey()).append(")");
            }
            m.append(", so new ids collide with existing rows: repair it with ").append(sequenceDrift.repairSql()).append(".");
        }
        if (includeValues && sql != null) {
            m.append(" [").append(sql).append("]");
        }
        return m.toString();
    }
}
