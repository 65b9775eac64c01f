package dev.upsert.internal.statement;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders the part of the statement after {@code VALUES (...)}: the conflict target, the action and the
 * {@code RETURNING} list. Pure string work, so every option combination is unit tested without a database.
 *
 * @param target          the conflict target: {@code (email)}, {@code (lower(email)) where deleted_at is null} or
 *                        {@code on constraint account_email_key}
 * @param doNothing       {@code DO NOTHING} instead of {@code DO UPDATE}
 * @param tableName       the table's unqualified name, which PostgreSQL binds to the existing row
 * @param set             columns overwritten with {@code excluded.<column>}
 * @param compared        columns whose change makes an update worth doing ({@code skipUnchanged}); empty = no check
 * @param versionColumn   a {@code @Version} column incremented on update, or null
 * @param updateWhere     the user's {@code DO UPDATE ... WHERE} condition, or blank
 * @param returning       columns returned for the write-back
 * @param generated       assignments of values generated on update, {@code last_login = current_timestamp}: on
 *                        conflict they run in the {@code DO UPDATE} branch as in Hibernate's own update
 * @param partitioned     the table is partitioned: PostgreSQL refuses {@code xmax} in its {@code RETURNING} (0A000),
 *                        so the statement returns where the row version is ({@code tableoid}, {@code ctid}) and
 *                        whether it was inserted is read afterwards ({@link UpsertPlan#insertedFlagSql})
 * @param internal        prefix of the names the statement introduces, one no column or table of the entity's starts
 *                        with ({@link UpsertPlan#internalPrefix}), so none can capture or be captured by them
 * @param revive          the {@code @SoftDelete} indicator, or null: a conflict with a soft-deleted row brings it back
 *                        (its indicator set to not-deleted), whatever {@code doNothing}, {@code updateWhere} or
 *                        {@code compared} say, since a row the application cannot find must not be handed to it
 * @param guard           a condition every {@code DO UPDATE} must meet, the revival of a soft-deleted row included
 *                        ({@code account.tenant = excluded.tenant}: a row of another tenant or type is never touched),
 *                        or blank. Kept apart from {@code updateWhere}, which a soft-deleted row overrides
 */
public record OnConflictClause(String target, boolean doNothing, String tableName, List<String> set, List<String> compared,
                        String versionColumn, String updateWhere, List<String> returning, List<String> generated,
                        boolean partitioned, String internal, Revive revive, String guard) {

    public OnConflictClause(String target, boolean doNothing, String tableName, List<String> set, List<String> compared,
                     String versionColumn, String updateWhere, List<String> returning, List<String> generated,
                     boolean partitioned, String internal, Revive revive) {
        this(target, doNothing, tableName, set, compared, versionColumn, updateWhere, returning, generated, partitioned, internal, revive, "");
    }

    public OnConflictClause(String target, boolean doNothing, String tableName, List<String> set, List<String> compared,
                     String versionColumn, String updateWhere, List<String> returning) {
        this(target, doNothing, tableName, set, compared, versionColumn, updateWhere, returning, List.of(), false, "upsert_", null);
    }

    public OnConflictClause(String target, boolean doNothing, String tableName, List<String> set, List<String> compared,
                     String versionColumn, String updateWhere, List<String> returning, List<String> generated,
                     boolean partitioned) {
        this(target, doNothing, tableName, set, compared, versionColumn, updateWhere, returning, generated, partitioned, "upsert_", null);
    }

    public OnConflictClause(String target, boolean doNothing, String tableName, List<String> set, List<String> compared,
                     String versionColumn, String updateWhere, List<String> returning, List<String> generated,
                     boolean partitioned, Revive revive) {
        this(target, doNothing, tableName, set, compared, versionColumn, updateWhere, returning, generated, partitioned, "upsert_", revive);
    }

    /** The same clause returning {@code returning} instead. */
    public OnConflictClause withReturning(List<String> returning) {
        return new OnConflictClause(target, doNothing, tableName, set, compared, versionColumn, updateWhere, returning,
                generated, partitioned, internal, revive, guard);
    }

    /**
     * A soft-delete indicator column and the SQL of its not-deleted value.
     *
     * @param column     the indicator column
     * @param notDeleted its not-deleted value as SQL ({@code false}, {@code 'Y'}, {@code null})
     */
    public record Revive(String column, String notDeleted) {
    }

    /** Name of the extra column that says whether the row was inserted (not updated), or where it is (partitioned). */
    public String inserted() {
        return internal + "inserted";
    }

    /** A row version's place in a partitioned table: its partition and its tuple id, as one text. */
    public static final String LOCATOR = "tableoid::text || ':' || ctid::text";

    public String render() {
        StringBuilder sql = new StringBuilder(" on conflict ").append(target);
        List<String> assignments = assignments();
        if (assignments.isEmpty()) {
            sql.append(" do nothing");
        } else {
            sql.append(" do update set ").append(String.join(", ", assignments));
            String condition = condition();
            if (!condition.isEmpty()) {
                sql.append(" where ").append(condition);
            }
        }
        // xmax = 0 marks a row version this statement inserted; an updated row carries our transaction id (facts A2).
        sql.append(" returning ").append(String.join(", ", returning));
        sql.append(partitioned ? ", " + LOCATOR + " as " : ", (xmax = 0) as ").append(inserted());
        return sql.toString();
    }

    /**
     * Whether every proposed row comes back from {@code RETURNING}: an unconditional {@code DO UPDATE}. Only then do
     * the returned rows of a multi-row statement match the proposed ones one to one, in order.
     */
    public boolean returnsEveryRow() {
        return !doNothing && !assignments().isEmpty() && condition().isEmpty();
    }

    private List<String> assignments() {
        if (doNothing) {
            // DO NOTHING, except for a soft-deleted row: that one comes back as it was stored
            return revive == null ? List.of() : List.of(revive.column + " = " + revive.notDeleted);
        }
        List<String> assignments = set.stream().map(c -> c + " = excluded." + c).collect(Collectors.toList());
        assignments.addAll(generated);
        if (versionColumn != null) {
            assignments.add(versionColumn + " = " + tableName + "." + versionColumn + " + 1");
        }
        if (revive != null) {
            assignments.add(revive.column + " = " + revive.notDeleted);
        }
        return assignments;
    }

    private String condition() {
        String condition = doNothing ? "" : userCondition();
        if (revive != null && !(condition.isEmpty() && !doNothing)) {
            String deleted = tableName + "." + revive.column + " is distinct from " + revive.notDeleted;
            condition = condition.isEmpty() ? deleted : "(" + condition + ") or " + deleted;
        }
        // the guard confines every update, a revival too: outside the OR above, never inside it
        if (guard == null || guard.isBlank()) {
            return condition;
        }
        return condition.isEmpty() ? guard : guard + " and (" + condition + ")";
    }

    private String userCondition() {
        String unchanged = "";
        if (!compared.isEmpty()) {
            unchanged = "(" + compared.stream().map(c -> tableName + "." + c).collect(Collectors.joining(", "))
                    + ") is distinct from ("
                    + compared.stream().map(c -> "excluded." + c).collect(Collectors.joining(", ")) + ")";
            if (compared.size() == 1) {
                unchanged = tableName + "." + compared.get(0) + " is distinct from excluded." + compared.get(0);
            }
        }
        if (updateWhere.isBlank()) {
            return unchanged;
        }
        return unchanged.isEmpty() ? "(" + updateWhere + ")" : "(" + updateWhere + ") and " + unchanged;
    }
}
