package dev.upsert.internal.persister;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import org.hibernate.HibernateException;
import org.hibernate.JDBCException;
import org.hibernate.engine.jdbc.spi.JdbcCoordinator;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import dev.upsert.internal.statement.ColumnArray;
import dev.upsert.internal.statement.OnConflictClause;

/**
 * One statement per chunk for every action: the proposed rows go in as one array per column (one parameter per
 * column, whatever the row count), each of its catalog column type. Where every proposed row comes back (an
 * unconditional {@code DO UPDATE}, {@link #inOrder}) that is the bare statement, returned row {@code i} being proposed
 * row {@code i}:
 * <pre>
 * insert into t (...) select u.email, u.balance, ... from unnest(?::text[], ?::int8[], ...) as u(email, balance, ...)
 *   on conflict (email) do update set ... returning id, ..., (xmax = 0)
 * </pre>
 * Otherwise the rows are numbered by an explicit ordinal; the statement inserts them in key order and returns, per
 * ordinal, the stored state of every proposed row, whether it was inserted, updated or left alone (names shortened
 * here: each name the statement introduces carries {@link UpsertPlan#internal}, {@code upsert_proposed},
 * {@code upsert_p}, ...):
 * <pre>
 * with proposed as (select v.*, &lt;key expressions&gt; from (select u.upsert_ord, u.email, u.balance, ... from
 *        unnest(?::int4[], ?::text[]::citext[], ?::int8[], ...) as u(upsert_ord, email, balance, ...)) as v),
 *      ins as (insert into t (...) select ..., current_timestamp from proposed on conflict ... returning ...)
 * select p.upsert_ord, &lt;returned columns&gt;, &lt;stored columns&gt; from proposed p
 *   left join ins i on i.id = p.id                                  -- inserted (the proposed id came back)
 *   left join ins u on i.id is null and u.key = p.key               -- updated (the stored id came back)
 *                                      (every key comparison as the arbiter index compares: collation, operator, NULLs)
 *   left join lateral (select ... from t where i.id is null and u.id is null and key = p.key) s on true  -- left alone
 * </pre>
 * A row a conflict left alone returns nothing from {@code ins}, and the {@code stored} join reads it with the
 * statement's snapshot. A conflicting row committed by another transaction after that snapshot was taken is
 * invisible to the join (under READ COMMITTED; REPEATABLE READ raises 40001 instead, unchanged): such rows are read
 * by one more statement per chunk, a fresh snapshot that sees every committed row. Only a row deleted in between
 * is still missing then; it goes to the per-row read-back, which says so. On a Citus distributed table, which refuses
 * the lateral outer join (0A000), the statement leaves it out and that one more statement, an inner join Citus runs on
 * the shards, reads every row the conflict left alone.
 * <p>
 * Each column's values are bound as an array of the column's own type where pgjdbc sends one in binary (bigint,
 * text...; a timestamptz as int8 microseconds), else as text cast on the server, always the value the column's
 * Hibernate binder would send, through its {@code @ColumnTransformer} write expression if it has one, so
 * converters and JDBC types apply exactly as in Hibernate's own insert ({@link ColumnArray}). A chunk whose values or
 * column types this cannot carry (streams, unknown JDBC value classes) is left to {@link UpsertBatch}'s per-row path:
 * {@link #bind} returns false. Which entities use this statement at all is {@link UpsertPlan#oneStatementPerChunk}. The statement
 * is logged through Hibernate's {@code SqlStatementLogger} like every upsert.
 */
public final class UnnestUpsertStatement {

    /** Rows per statement: one parameter per column, so pgjdbc's 65,535-parameter limit does not bound it. */
    public static final int MAX_ROWS = 1_000;

    final UpsertPlan plan;
    /**
     * The names this statement introduces, each starting with {@link UpsertPlan#internal}, which no column of the
     * table nor the table starts with: a table named {@code proposed} is not read as the CTE, a column named
     * {@code upsert_ord} does not make the ordinal ambiguous.
     */
    private final String ord;
    private final String lookupPrefix;
    private final String returnedPrefix;
    private final String proposed;
    private final String ins;
    private final String p;
    private final String i;
    private final String u;
    private final String s;
    /** The {@link UpsertPlan#columns} that carry a parameter, each one array; a value generated on execution is SQL. */
    private final int[] bound;
    /** How each {@link #bound} column travels. */
    private final ColumnArray[] arrays;
    final String sql;
    /** The stored rows by key alone, for rows the statement's snapshot could not see. */
    final String lookupSql;
    private final int returnedWidth;
    /**
     * Whether the statement itself reads the rows a conflict left alone (a lateral join to the table); not on a Citus
     * distributed table, which refuses that join (0A000): there {@link #lookupSql} reads them, one more statement.
     */
    private final boolean readsUntouched;
    /**
     * Whether the statement is the bare {@code insert ... select ... from unnest(...) ... returning}, returned row
     * {@code i} being proposed row {@code i}: where every proposed row comes back (an unconditional {@code DO UPDATE}),
     * as the {@code INSERT} returns its rows in the order it reads them from {@code unnest} (facts A3, as for a
     * {@code VALUES} list). Not on a Citus distributed table, whose shards return rows in their own order. (A
     * partitioned table refuses {@code xmax} in {@code RETURNING}, 0A000: there the statement returns where each row
     * is, and {@link UpsertInsertCoordinator#withInsertedFlags} asks afterwards.)
     */
    private final boolean inOrder;

    private UnnestUpsertStatement(UpsertPlan plan) {
        this.plan = plan;
        String internal = plan.internal;
        this.ord = internal + "ord";
        this.lookupPrefix = internal + "k";
        this.returnedPrefix = internal + "r";
        this.proposed = internal + "proposed";
        this.ins = internal + "ins";
        this.p = internal + "p";
        this.i = internal + "i";
        this.u = internal + "u";
        this.s = internal + "s";
        this.bound = java.util.stream.IntStream.range(0, plan.columns.size()).filter(c -> plan.columns.get(c).bound()).toArray();
        this.arrays = new ColumnArray[bound.length];
        for (int b = 0; b < bound.length; b++) {
            UpsertPlan.Column column = plan.columns.get(bound[b]);
            String parameterType = plan.parameterTypes == null ? null : plan.parameterTypes[bound[b]];
            arrays[b] = parameterType == null ? ColumnArray.of(column.jdbcMapping(), column.type())
                    : ColumnArray.ofParameter(column.jdbcMapping(), parameterType);
        }
        this.returnedWidth = plan.returned.size();
        this.readsUntouched = !plan.returnsEveryRow && !plan.distributed;
        this.inOrder = plan.returnsEveryRow && !plan.distributed;
        this.sql = render(false);
        this.lookupSql = render(true);
    }

    /** The statement for {@code plan}, or null when the plan does not fit it ({@link UpsertPlan#oneStatementPerChunk}). */
    public static UnnestUpsertStatement build(UpsertPlan plan) {
        return plan.oneStatementPerChunk() ? new UnnestUpsertStatement(plan) : null;
    }

    /** {@code unnest(<ordinals,> <one array per bound column>) as u(<ord,> <their names>)}. */
    private String unnest(boolean ordinals) {
        StringBuilder sql = new StringBuilder("unnest(").append(ordinals ? "?::int4[]" : "");
        for (int b = 0; b < arrays.length; b++) {
            sql.append(ordinals || b > 0 ? ", " : "").append(arrays[b].parameter);
        }
        sql.append(") as ").append(u).append('(').append(ordinals ? ord : "");
        for (int b = 0; b < bound.length; b++) {
            sql.append(ordinals || b > 0 ? ", " : "").append(plan.columns.get(bound[b]).name());
        }
        return sql.append(')').toString();
    }

    /** The value column {@code c} inserts, given the SQL of its unnested element (a bound column's). */
    private String insertedValue(int c, String element) {
        UpsertPlan.Column column = plan.columns.get(c);
        if (!column.bound()) {
            return column.value();  // generated on execution: its SQL, once per row
        }
        // an id whose placeholder is sent as NULL is drawn here, as the column default would: UpsertPlan#idDefault
        return column.attributeIndex() == -1 && plan.idDefault != null ? "coalesce(" + element + ", " + plan.idDefault + ")" : element;
    }

    /**
     * What bound column {@code b} writes, given its unnested element: the element as the value it stands for
     * ({@link ColumnArray#value}), through the column's write expression if it has one ({@code upper(?)}).
     */
    private String written(int b, String element) {
        String value = arrays[b].value(element);
        String expression = plan.columns.get(bound[b]).value();
        return "?".equals(expression) ? value : expression.replace("?", "(" + value + ")");
    }

    private String renderInOrder() {
        List<String> values = new ArrayList<>();
        for (int c = 0, b = 0; c < plan.columns.size(); c++) {
            boolean isBound = b < bound.length && bound[b] == c;
            values.add(insertedValue(c, isBound ? written(b, u + "." + plan.columns.get(c).name()) : null));
            b += isBound ? 1 : 0;
        }
        return plan.insertInto + " (" + String.join(", ", plan.columns.stream().map(UpsertPlan.Column::name).toList()) + ")"
                + (plan.overridingSystemValue ? " overriding system value" : "") + " select " + String.join(", ", values)
                + " from " + unnest(false) + plan.clause.render();
    }

    private String render(boolean lookup) {
        if (inOrder && !lookup) {
            return renderInOrder();
        }
        List<UpsertPlan.Column> columns = plan.columns;
        List<String> keys = plan.arbiter.columns();
        String v = plan.internal + "v";
        StringBuilder sql = new StringBuilder("with ").append(proposed).append(" as (select ").append(v).append(".*");
        for (int k = 0; k < keys.size(); k++) {
            // evaluated over the proposed columns, which carry the table's column names: the index's own expression
            sql.append(", ").append(keys.get(k)).append(" as ").append(lookupPrefix).append(k);
        }
        // each column as the value it stands for (an int8 of microseconds as its timestamptz: ColumnArray#value)
        sql.append(" from (select ").append(u).append('.').append(ord);
        for (int b = 0; b < bound.length; b++) {
            String name = columns.get(bound[b]).name();
            sql.append(", ").append(written(b, u + "." + name)).append(" as ").append(name);
        }
        sql.append(" from ").append(unnest(true)).append(") as ").append(v).append(')');
        if (lookup) {
            sql.append(" select ").append(p).append('.').append(ord).append(", ").append(s).append(".* from ").append(proposed)
                    .append(' ').append(p).append(" join lateral (select ").append(storedColumns()).append(" from ")
                    .append(plan.table).append(" where ").append(keyMatch()).append(") ").append(s).append(" on true");
            return sql.toString();
        }
        String names = String.join(", ", columns.stream().map(UpsertPlan.Column::name).toList());
        // a value generated on execution is written as Hibernate's insert writes it: its SQL, once per row
        // (an id whose placeholder is sent as NULL is drawn here, as the column default would: UpsertPlan#idDefault)
        String values = String.join(", ", java.util.stream.IntStream.range(0, columns.size())
                .mapToObj(c -> insertedValue(c, columns.get(c).name())).toList());
        OnConflictClause clause = plan.clause;
        List<String> returning = new ArrayList<>();
        for (int r = 0; r < clause.returning().size(); r++) {
            returning.add(clause.returning().get(r) + " as " + returnedPrefix + r);
        }
        for (int k = 0; k < keys.size(); k++) {
            returning.add(keys.get(k) + " as " + lookupPrefix + k);
        }
        OnConflictClause withKeys = clause.withReturning(returning);
        String r0 = returnedPrefix + "0";
        sql.append(", ").append(ins).append(" as (").append(plan.insertInto).append(" (").append(names).append(')')
                .append(plan.overridingSystemValue ? " overriding system value" : "").append(" select ").append(values)
                // No ORDER BY: the rows come sorted by key (UpsertBatch), and the insert takes them in array order
                // (a scan of the materialized CTE over unnest; a data-modifying statement never runs a parallel plan).
                .append(" from ").append(proposed).append(withKeys.render()).append(')');
        sql.append(" select ").append(p).append('.').append(ord);
        for (int r = 0; r < clause.returning().size(); r++) {
            sql.append(", coalesce(").append(i).append('.').append(returnedPrefix).append(r).append(", ")
                    .append(u).append('.').append(returnedPrefix).append(r).append(')');
        }
        // a partitioned table refuses xmax in RETURNING (0A000): there a row was inserted when its proposed id came back
        sql.append(clause.partitioned() ? ", (" + i + "." + r0 + " is not null)"
                : ", coalesce(" + i + "." + clause.inserted() + ", " + u + "." + clause.inserted() + ")");
        sql.append(readsUntouched ? ", " + s + ".*" : "");
        String id = columns.get(columns.size() - 1).name();
        sql.append(" from ").append(proposed).append(' ').append(p).append(" left join ").append(ins).append(' ').append(i)
                .append(" on ").append(i).append('.').append(r0).append(" = ").append(p).append('.').append(id);
        sql.append(" left join ").append(ins).append(' ').append(u).append(" on ").append(i).append('.').append(r0).append(" is null");
        for (int k = 0; k < keys.size(); k++) {
            sql.append(" and ").append(UpsertPlan.keyEquals(plan.arbiter, k, u + "." + lookupPrefix + k, p + "." + lookupPrefix + k));
        }
        if (readsUntouched) {
            // an unconditional DO UPDATE returns every row from ins: no index probe per row for rows it cannot leave alone
            sql.append(" left join lateral (select ").append(storedColumns()).append(" from ").append(plan.table)
                    .append(" where ").append(i).append('.').append(r0).append(" is null and ").append(u).append('.').append(r0)
                    .append(" is null and ").append(keyMatch()).append(") ").append(s).append(" on true");
        }
        return sql.toString();
    }

    /**
     * The index's key expressions over the table's row equal the proposed ones, as the index compares (and its
     * predicate holds); with a key unique across tenants, only a row of the proposed row's tenant; in a SINGLE_TABLE
     * hierarchy, only a row of the persisted entity's type.
     */
    private String keyMatch() {
        List<String> keys = plan.arbiter.columns();
        List<String> conditions = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            conditions.add(UpsertPlan.keyEquals(plan.arbiter, k, keys.get(k), p + "." + lookupPrefix + k));
        }
        if (plan.tenantGuard != null) {
            conditions.add(plan.tenantGuard + " = " + p + "." + plan.tenantGuard);
        }
        if (plan.discriminatorGuard != null) {
            conditions.add(plan.discriminatorGuard.isOwnType());  // only a row of the persisted entity's type
        }
        String match = String.join(" and ", conditions);
        return plan.predicate != null && !plan.predicate.isBlank() ? match + " and (" + plan.predicate + ")" : match;
    }

    private String storedColumns() {
        return String.join(", ", plan.storedColumns);
    }

    /**
     * Binds {@code rows} (parameter 1 the ordinals, then one array per bound column, column by column); false if a
     * value cannot be carried, and then nothing should be executed.
     */
    boolean bind(PreparedStatement statement, List<Object[]> rows, SharedSessionContractImplementor session) throws SQLException {
        return bind(statement, rows, true, session);
    }

    /** As {@link #bind(PreparedStatement, List, SharedSessionContractImplementor)}; without ordinals for {@link #inOrder}. */
    private boolean bind(PreparedStatement statement, List<Object[]> rows, boolean ordinals, SharedSessionContractImplementor session)
            throws SQLException {
        Connection connection = statement.getConnection();
        int n = rows.size();
        java.sql.Array[] bound = new java.sql.Array[arrays.length];
        Capture capture = null;
        for (int b = 0; b < arrays.length; b++) {
            ColumnArray array = arrays[b];
            int c = this.bound[b];
            Object[] elements = array.newArray(n);
            if (array.kind == ColumnArray.Kind.CAPTURED) {
                if (capture == null) {
                    capture = new Capture();
                }
                @SuppressWarnings("unchecked")
                var binder = (org.hibernate.type.descriptor.ValueBinder<Object>) plan.columns.get(c).jdbcMapping().getJdbcValueBinder();
                PreparedStatement capturing = capture.statement();
                for (int r = 0; r < n; r++) {
                    capture.reset();
                    binder.bind(capturing, rows.get(r)[c], 1, session);
                    if (!capture.bound) {
                        return false;
                    }
                    elements[r] = capture.text;
                }
            } else {
                for (int r = 0; r < n; r++) {
                    Object value = rows.get(r)[c];
                    if (value != null && (elements[r] = array.element(value, session)) == null) {
                        return false;
                    }
                }
            }
            bound[b] = array.create(connection, elements);
        }
        int first = 1;
        if (ordinals) {
            Integer[] ordinal = new Integer[n];
            for (int r = 0; r < n; r++) {
                ordinal[r] = r;
            }
            statement.setArray(first++, connection.createArrayOf("int4", ordinal));
        }
        for (int b = 0; b < bound.length; b++) {
            statement.setArray(b + first, bound[b]);
        }
        return true;
    }

    /**
     * Runs the statement for {@code rows} (sorted by key) and returns the stored row of each, in the same order; null
     * if the values cannot be carried (nothing was sent).
     */
    public List<UpsertPlan.StoredRow> execute(List<Object[]> rows, SharedSessionContractImplementor session) {
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        UpsertPlan.StoredRow[] stored = new UpsertPlan.StoredRow[rows.size()];
        IdentityBlockGenerator.Refill refill = UpsertInsertCoordinator.refill(plan, session);
        String sql = refill == null ? this.sql : refill.appendTo(this.sql);
        PreparedStatement statement = jdbc.getMutationStatementPreparer().prepareStatement(sql, false);
        List<Integer> unresolved = new ArrayList<>();
        try {
            if (!bind(statement, rows, !inOrder, session)) {
                return null;
            }
            UpsertInsertCoordinator.logStatement(sql, session);
            ResultSet rs = jdbc.getResultSetReturn().execute(statement, sql);
            for (int r = 0; inOrder && rs.next(); r++) {
                if (r == stored.length) {
                    throw new HibernateException("@Upsert on " + plan.persister.getMappedClass().getSimpleName()
                            + ": the statement returned more rows than were proposed");
                }
                stored[r] = plan.readReturned(rs, session);
            }
            while (!inOrder && rs.next()) {
                int ord = rs.getInt(1);
                if (stored[ord] != null) {
                    throw new HibernateException("@Upsert on " + plan.persister.getMappedClass().getSimpleName()
                            + ": the statement returned two rows for one proposed row");
                }
                UpsertPlan.StoredRow row = read(rs, plan.returned, 1, false, session);
                if (row == null && readsUntouched) {
                    row = read(rs, plan.stored, 1 + returnedWidth + 1, true, session);
                }
                if (row == null) {
                    unresolved.add(ord);
                } else {
                    stored[ord] = row;
                }
            }
            if (refill != null) {
                refill.read(statement);
            }
        } catch (SQLException e) {
            throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "could not execute upsert", sql);
        } catch (JDBCException e) {
            if ("21000".equals(e.getSQLState())) {
                throw UpsertBatch.sameKeyTwice(plan, e);
            }
            throw e;
        } finally {
            if (refill != null) {
                refill.close();
            }
            jdbc.getLogicalConnection().getResourceRegistry().release(statement);
            jdbc.afterStatementExecution();
        }
        if (inOrder && stored[stored.length - 1] == null) {
            // Only a BEFORE INSERT trigger that returns NULL (skipping the row) can do this.
            throw new HibernateException("@Upsert on " + plan.persister.getMappedClass().getSimpleName() + ": the statement returned "
                    + "fewer rows than were proposed, so the stored rows cannot be matched to the entities; a trigger that skips "
                    + "inserted rows is not supported with @Upsert");
        }
        for (int r = 0; r < stored.length; r++) {
            if (stored[r] == null && !unresolved.contains(r)) {
                unresolved.add(r);  // only a BEFORE INSERT trigger that skips the row returns nothing at all
            }
        }
        if (!unresolved.isEmpty()) {
            lookup(rows, unresolved, stored, session);
        }
        if (inOrder) {
            return UpsertInsertCoordinator.withInsertedFlags(plan, java.util.Arrays.asList(stored), session);
        }
        List<UpsertPlan.StoredRow> result = new ArrayList<>(stored.length);
        for (int r = 0; r < stored.length; r++) {
            result.add(stored[r] != null ? stored[r] : UpsertInsertCoordinator.storedRow(plan, rows.get(r), session));
        }
        return result;
    }

    /** One statement with a fresh snapshot for the rows whose conflicting row the first one could not see. */
    private void lookup(List<Object[]> rows, List<Integer> unresolved, UpsertPlan.StoredRow[] stored,
                        SharedSessionContractImplementor session) {
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        List<Object[]> subset = unresolved.stream().map(rows::get).toList();
        PreparedStatement statement = jdbc.getStatementPreparer().prepareStatement(lookupSql);
        try {
            if (!bind(statement, subset, session)) {
                return;
            }
            ResultSet rs = jdbc.getResultSetReturn().extract(statement, lookupSql);
            while (rs.next()) {
                stored[unresolved.get(rs.getInt(1))] = read(rs, plan.stored, 1, true, session);
            }
        } catch (SQLException e) {
            throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "could not read the stored rows", lookupSql);
        } finally {
            jdbc.getLogicalConnection().getResourceRegistry().release(statement);
            jdbc.afterStatementExecution();
        }
    }

    /**
     * The returned ({@code skipped = false}: inserted or updated) or stored part of a result row, whose columns start
     * after {@code offset}; null if that part is empty (its id is null).
     */
    private static UpsertPlan.StoredRow read(ResultSet rs, List<UpsertPlan.ReadBack> readBacks, int offset, boolean skipped,
                                             SharedSessionContractImplementor session) throws SQLException {
        if (rs.getObject(offset + 1) == null) {
            return null;
        }
        Object id = null;
        Object[] values = new Object[readBacks.size()];
        for (int r = 0; r < readBacks.size(); r++) {
            UpsertPlan.ReadBack readBack = readBacks.get(r);
            Object value = readBack.jdbcMapping().convertToDomainValue(
                    readBack.jdbcMapping().getJdbcValueExtractor().extract(rs, offset + readBack.position(), session));
            if (readBack.attributeIndex() < 0) {
                id = value;
            }
            values[r] = value;
        }
        boolean inserted = !skipped && rs.getBoolean(offset + readBacks.size() + 1);
        return new UpsertPlan.StoredRow(id, readBacks, values, inserted, skipped);
    }

    /** Catches what a Hibernate value binder sets on parameter 1 and turns it into PostgreSQL input text. */
    static final class Capture {

        boolean bound;
        String text;

        void reset() {
            bound = false;
            text = null;
        }

        PreparedStatement statement() {
            return (PreparedStatement) Proxy.newProxyInstance(UnnestUpsertStatement.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                        String name = method.getName();
                        if (name.equals("setNull")) {
                            bound = true;
                            text = null;
                        } else if (name.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer) {
                            Calendar calendar = args.length == 3 && args[2] instanceof Calendar cal ? cal : null;
                            text = text(args[1], calendar);
                            bound = text != null || args[1] == null;
                        } else if (name.equals("unwrap") || name.equals("getConnection")) {
                            throw new SQLException("not available while capturing a value");
                        } else if (name.equals("isWrapperFor")) {
                            return false;
                        } else if (name.equals("hashCode")) {
                            return System.identityHashCode(proxy);
                        } else if (name.equals("equals")) {
                            return proxy == args[0];
                        } else if (name.equals("toString")) {
                            return "value capture";
                        }
                        return null;
                    });
        }

        /** ISO text of a date or time, or null (not carried) in a year where it may not be what pgjdbc sends. */
        private static String iso(TemporalAccessor temporal) {
            return !temporal.isSupported(ChronoField.YEAR) || ColumnArray.isoYear(temporal.get(ChronoField.YEAR))
                    ? temporal.toString() : null;
        }

        /** PostgreSQL's input text for a JDBC value; null for a value this cannot carry (then bound stays false). */
        static String text(Object value, Calendar calendar) {
            if (value == null) {
                return null;
            }
            if (value instanceof String || value instanceof Character || value instanceof UUID || value instanceof Boolean
                    || value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                    || value instanceof Double || value instanceof Float || value instanceof Enum<?>) {
                return value.toString();
            }
            if (value instanceof BigDecimal decimal) {
                return decimal.toPlainString();
            }
            if (value instanceof Number) {
                return value.toString();
            }
            if (value instanceof java.sql.Timestamp timestamp) {
                // what pgjdbc sends: the instant in the calendar's (or the JVM's) zone, with its offset
                ZoneId zone = calendar == null ? ZoneId.systemDefault() : calendar.getTimeZone().toZoneId();
                return iso(timestamp.toInstant().atZone(zone).toOffsetDateTime());
            }
            if (value instanceof java.sql.Date date) {
                return iso(date.toLocalDate());
            }
            if (value instanceof java.sql.Time time) {
                return time.toLocalTime().toString();
            }
            if (value instanceof ZonedDateTime zoned) {
                return iso(zoned.toOffsetDateTime());
            }
            if (value instanceof Instant instant) {
                return iso(OffsetDateTime.ofInstant(instant, ZoneId.of("UTC")));
            }
            if (value instanceof TemporalAccessor temporal) {
                return iso(temporal);  // LocalDate/Time, OffsetDateTime/Time: ISO 8601, which PostgreSQL reads
            }
            if (value instanceof byte[] bytes) {
                return "\\x" + HexFormat.of().formatHex(bytes);
            }
            if (value.getClass().getName().startsWith("org.postgresql.util.PG")) {
                return value.toString();  // PGobject and its kind print their input text; pgjdbc need not be present to check
            }
            return null;
        }
    }
}
