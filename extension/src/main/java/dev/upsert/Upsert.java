package dev.upsert;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes {@code persist} of this entity one atomic {@code INSERT ... ON CONFLICT} statement on PostgreSQL.
 * <p>
 * The row is inserted, or the existing row with the same key is updated (or left alone), in a single statement:
 * no SELECT-then-INSERT race, no SQLSTATE 23505 for the conflict target. Afterwards the entity holds what the
 * database holds: the id of the existing row, the values of columns that were not overwritten (such as
 * {@code created_at}) and the version. {@link Upserts#outcome} tells whether the row was inserted, updated or
 * skipped.
 *
 * <pre>{@code
 * @Entity
 * @Upsert(on = "email")
 * class Account {
 *     @Id @GeneratedValue Long id;
 *     String email;
 *     String name;
 *     @Column(updatable = false) Instant createdAt;
 * }
 *
 * em.persist(account);
 * // insert into account (created_at,email,name,id) values (?,?,?,?)
 * //   on conflict (email) do update set name = excluded.name
 * //   returning ...
 * }</pre>
 *
 * <h2>Conflict target</h2>
 * One of: {@link #on()} (attribute names), {@link #constraint()} (a unique constraint or unique index name), or
 * nothing, in which case the entity's {@code @NaturalId} attributes are used, else its only single unique key.
 * A partial unique index also needs {@link #where()}. Every target is checked against the live catalog when the
 * {@code SessionFactory} is built (see {@link UpsertSettings#VALIDATE_SCHEMA}).
 *
 * <h2>What is overwritten</h2>
 * By default every updatable attribute except the id and the key. Attributes mapped with
 * {@code @Column(updatable = false)} or {@code @CreationTimestamp} are never overwritten. {@link #update()} and
 * {@link #exclude()} narrow the list. A {@code @Version} attribute is incremented in SQL
 * ({@code version = t.version + 1}) when the row is updated.
 *
 * <h2>Inheritance</h2>
 * On the root of a {@code SINGLE_TABLE} hierarchy (JPA's default strategy) the annotation applies to every entity
 * of it, and the conflict target is a unique key of the root's attributes. Each upsert writes the persisted
 * entity's discriminator and columns, and a conflict updates (or reads back) only a row of the same entity type: a
 * key held by a row of another type ({@code Customer} persisted with a {@code Supplier}'s email) is a
 * {@link DuplicateKeyException}, never that row.
 * <pre>{@code
 * @Entity @Upsert(on = "email")
 * abstract class Party { @Id @GeneratedValue Long id; @Column(unique = true) String email; String name; }
 * @Entity class Customer extends Party { BigDecimal creditLimit; }
 * @Entity class Supplier extends Party { String vatNumber; }
 * }</pre>
 *
 * <h2>Limits</h2>
 * One table per entity (no JOINED or TABLE_PER_CLASS inheritance, no secondary tables, no
 * {@code @DiscriminatorFormula}); PostgreSQL only. Misconfiguration is reported, all problems at once, when the
 * {@code SessionFactory} is built.
 *
 * @since 0.1
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface Upsert {

    /**
     * Attribute names that form the conflict target, e.g. {@code {"tenantId", "slug"}}; embedded paths such as
     * {@code "key.tenantId"} are allowed. Order does not matter. Empty: use {@link #constraint()}, else the
     * entity's {@code @NaturalId} attributes, else its only unique key.
     */
    String[] on() default {};

    /**
     * Instead of {@link #on()}: the name of a unique constraint or unique index. A constraint is targeted with
     * {@code ON CONFLICT ON CONSTRAINT}; a unique index (which PostgreSQL does not accept there) is resolved from
     * the catalog to its columns or expressions and predicate.
     */
    String constraint() default "";

    /**
     * The predicate of a partial unique index, in SQL over column names, e.g. {@code "deleted_at is null"}.
     * Required for a partial index target: without it PostgreSQL cannot infer the index (SQLSTATE 42P10).
     */
    String where() default "";

    /** What happens to the existing row on conflict. Default {@link Action#UPDATE}. */
    Action action() default Action.UPDATE;

    /** Only these attributes are overwritten on conflict. Empty: every updatable attribute (see class doc). */
    String[] update() default {};

    /** These attributes are never overwritten on conflict, in addition to the id, the key and insert-only ones. */
    String[] exclude() default {};

    /**
     * A SQL condition for {@code DO UPDATE ... WHERE}: the update happens only where it holds, otherwise the row
     * is left untouched and the outcome is {@link UpsertOutcome#SKIPPED}. {@code excluded.<column>} is the
     * proposed row; the table's own name refers to the existing row. Example, newer wins:
     * {@code "excluded.updated_at > account.updated_at"}.
     */
    String updateWhere() default "";

    /**
     * When true and no overwritten column would change ({@code IS DISTINCT FROM}), the row is left untouched: no
     * write, no version increment, no {@code @UpdateTimestamp} change. The outcome is {@link UpsertOutcome#SKIPPED}.
     */
    boolean skipUnchanged() default false;

    /** What to do with the existing row when the key is taken. */
    enum Action {
        /** Overwrite the existing row's updatable columns with the proposed values ({@code DO UPDATE}). */
        UPDATE,
        /** Leave the existing row as it is ({@code DO NOTHING}): get-or-create. The entity receives the stored row. */
        NOTHING
    }
}
