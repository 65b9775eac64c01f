package dev.upsert.internal;

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
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.hibernate.HibernateException;
import org.hibernate.JDBCException;
import org.hibernate.engine.jdbc.spi.JdbcCoordinator;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * One statement per chunk for every action: the proposed rows go in as one array per column (one parameter per
 * column, whatever the row count), each cast to its catalog column type, numbered by an explicit ordinal; the
 * statement inserts them in key order and returns, per ordinal, the stored state of every proposed row, whether it
 * was inserted, updated or left alone:
 * <pre>
 * with proposed as (select p.*, &lt;key expressions&gt; from (select upsert_ord, email collate ..., ... from
 *        unnest(?::int4[], ?::text[]::citext[], ...) as u(upsert_ord, email, ...)) as p),
 *      ins as (insert into t (...) select ... from proposed order by upsert_ord on conflict ... returning ...)
 * select p.upsert_ord, &lt;returned columns&gt;, &lt;stored columns&gt; from proposed p
 *   left join ins i on i.id = p.id                                  -- inserted (the proposed id came back)
 *   left join ins u on i.id is null and u.key = p.key               -- updated (the stored id came back)
 *   left join lateral (select ... from t where i.id is null and u.id is null and key = p.key) s on true  -- left alone
 * </pre>
 * A row a conflict left alone returns nothing from {@code ins}, and the {@code stored} join reads it with the
 * statement's snapshot. A conflicting row committed by another transaction after that snapshot was taken is
 * invisible to the join (under READ COMMITTED; REPEATABLE READ raises 40001 instead, unchanged): such rows are read
 * by one more statement per chunk, a fresh snapshot that sees every committed row. Only a row deleted in between
 * is still missing then; it goes to the per-row read-back, which says so.
 * <p>
 * Values are bound as text arrays, produced by each column's own Hibernate binder (so converters and JDBC types
 * apply exactly as in Hibernate's own insert) and cast on the server. A chunk whose values or column types this
 * cannot carry (arrays, streams) is left to {@link UpsertBatch}'s per-row path: {@link #bind} returns false.
 */
final class UnnestUpsertStatement {

    /** Rows per statement: one parameter per column, so pgjdbc's 65,535-parameter limit does not bound it. */
    static final int MAX_ROWS = 1_000;

    private static final String ORD = "upsert_ord";
    private static final String LOOKUP_PREFIX = "upsert_k";

    final UpsertPlan plan;
    /** The server-side type of each {@link UpsertPlan#columns} entry ({@code format_type}), with a collation if not the type's. */
    private final String[] casts;
    private final String[] collations;
    final String sql;
    /** The stored rows by key alone, for rows the statement's snapshot could not see. */
    final String lookupSql;
    private final int idColumn;
    private final int returnedWidth;
    /** The id column is {@code GENERATED ALWAYS AS IDENTITY}: the ids from its sequence are sent with {@code OVERRIDING SYSTEM VALUE}. */
    private final boolean generatedAlways;

    private UnnestUpsertStatement(UpsertPlan plan, String[] casts, String[] collations, boolean generatedAlways) {
        this.plan = plan;
        this.generatedAlways = generatedAlways;
        this.casts = casts;
        this.collations = collations;
        this.idColumn = plan.columns.size() - 1;
        this.returnedWidth = plan.returned.size();
        this.sql = render(false);
        this.lookupSql = render(true);
    }

    /**
     * The statement for {@code plan}, or null when it cannot be used: IDENTITY ids (no proposed id to match inserted
     * rows by), or a column whose type is an array.
     */
    static UnnestUpsertStatement build(UpsertPlan plan, Connection connection) throws SQLException {
        if (plan.identity || plan.keyExpressions.isEmpty()) {
            return null;
        }
        Map<String, String[]> catalog = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("""
                select a.attname, format_type(a.atttypid, a.atttypmod),
                       case when a.attcollation <> t.typcollation
                            then quote_ident(n.nspname) || '.' || quote_ident(c.collname) end,
                       a.attidentity = 'a'
                from pg_attribute a
                join pg_type t on t.oid = a.atttypid
                left join pg_collation c on c.oid = a.attcollation
                left join pg_namespace n on n.oid = c.collnamespace
                where a.attrelid = to_regclass(?) and a.attnum > 0 and not a.attisdropped""")) {
            ps.setString(1, plan.table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    catalog.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3), String.valueOf(rs.getBoolean(4))});
                }
            }
        }
        String[] casts = new String[plan.columns.size()];
        String[] collations = new String[casts.length];
        boolean generatedAlways = false;
        for (int c = 0; c < casts.length; c++) {
            String name = plan.columns.get(c).name();
            String[] column = catalog.get(name.startsWith("\"") ? name.substring(1, name.length() - 1).replace("\"\"", "\"")
                    : name.toLowerCase(Locale.ROOT));
            if (column == null || column[0].endsWith("]")) {
                return null;
            }
            casts[c] = column[0];
            collations[c] = column[1];
            generatedAlways |= Boolean.parseBoolean(column[2]);
        }
        return new UnnestUpsertStatement(plan, casts, collations, generatedAlways);
    }

    private String render(boolean lookup) {
        List<UpsertPlan.Column> columns = plan.columns;
        StringBuilder sql = new StringBuilder("with proposed as (select p.*");
        for (int k = 0; k < plan.keyExpressions.size(); k++) {
            // evaluated over the proposed columns, which carry the table's column names: the index's own expression
            sql.append(", ").append(plan.keyExpressions.get(k)).append(" as ").append(LOOKUP_PREFIX).append(k);
        }
        sql.append(" from (select ").append(ORD);
        for (int c = 0; c < columns.size(); c++) {
            sql.append(", ").append(columns.get(c).name());
            if (collations[c] != null) {
                sql.append(" collate ").append(collations[c]).append(" as ").append(columns.get(c).name());
            }
        }
        sql.append(" from unnest(?::int4[]");
        for (String cast : casts) {
            sql.append(", ?::text[]").append("text".equals(cast) ? "" : "::" + cast + "[]");
        }
        sql.append(") as u(").append(ORD);
        columns.forEach(c -> sql.append(", ").append(c.name()));
        sql.append(")) as p)");
        String keyMatch = keyMatch();
        if (lookup) {
            sql.append(" select p.").append(ORD).append(", s.* from proposed p join lateral (select ")
                    .append(storedColumns()).append(" from ").append(plan.table).append(" where ").append(keyMatch)
                    .append(") s on true");
            return sql.toString();
        }
        String names = String.join(", ", columns.stream().map(UpsertPlan.Column::name).toList());
        OnConflictClause clause = plan.clause;
        List<String> returning = new ArrayList<>();
        for (int r = 0; r < clause.returning().size(); r++) {
            returning.add(clause.returning().get(r) + " as upsert_r" + r);
        }
        for (int k = 0; k < plan.keyExpressions.size(); k++) {
            returning.add(plan.keyExpressions.get(k) + " as " + LOOKUP_PREFIX + k);
        }
        OnConflictClause withKeys = new OnConflictClause(clause.target(), clause.doNothing(), clause.tableName(), clause.set(),
                clause.compared(), clause.versionColumn(), clause.updateWhere(), returning);
        sql.append(", ins as (insert into ").append(plan.table).append(" (").append(names).append(')')
                .append(generatedAlways ? " overriding system value" : "").append(" select ").append(names)
                .append(" from proposed order by ").append(ORD).append(withKeys.render()).append(')');
        sql.append(" select p.").append(ORD);
        for (int r = 0; r < clause.returning().size(); r++) {
            sql.append(", coalesce(i.upsert_r").append(r).append(", u.upsert_r").append(r).append(')');
        }
        sql.append(", coalesce(i.").append(OnConflictClause.INSERTED).append(", u.").append(OnConflictClause.INSERTED).append(')');
        sql.append(plan.multiRow ? "" : ", s.*");
        sql.append(" from proposed p left join ins i on i.upsert_r0 = p.").append(columns.get(idColumn).name());
        sql.append(" left join ins u on i.upsert_r0 is null");
        for (int k = 0; k < plan.keyExpressions.size(); k++) {
            sql.append(" and u.").append(LOOKUP_PREFIX).append(k).append(" = p.").append(LOOKUP_PREFIX).append(k);
        }
        if (!plan.multiRow) {
            // an unconditional DO UPDATE returns every row from ins: no index probe per row for rows it cannot leave alone
            sql.append(" left join lateral (select ").append(storedColumns()).append(" from ").append(plan.table)
                    .append(" where i.upsert_r0 is null and u.upsert_r0 is null and ").append(keyMatch).append(") s on true");
        }
        return sql.toString();
    }

    /** The index's key expressions over the table's row equal the proposed ones (and the index predicate holds). */
    private String keyMatch() {
        StringBuilder match = new StringBuilder("(");
        for (int k = 0; k < plan.keyExpressions.size(); k++) {
            match.append(k == 0 ? "" : ", ").append(plan.keyExpressions.get(k));
        }
        match.append(") = (");
        for (int k = 0; k < plan.keyExpressions.size(); k++) {
            match.append(k == 0 ? "" : ", ").append("p.").append(LOOKUP_PREFIX).append(k);
        }
        match.append(')');
        if (plan.predicate != null && !plan.predicate.isBlank()) {
            match.append(" and (").append(plan.predicate).append(')');
        }
        return match.toString();
    }

    private String storedColumns() {
        return String.join(", ", plan.storedColumns);
    }

    /**
     * Binds {@code rows} (as text arrays, parameter 1 the ordinals); false if a value cannot be carried as text, and
     * then nothing should be executed.
     */
    boolean bind(PreparedStatement statement, List<Object[]> rows, SharedSessionContractImplementor session) throws SQLException {
        Connection connection = statement.getConnection();
        Integer[] ordinals = new Integer[rows.size()];
        String[][] texts = new String[casts.length][rows.size()];
        Capture capture = new Capture();
        PreparedStatement capturing = capture.statement();
        for (int r = 0; r < rows.size(); r++) {
            ordinals[r] = r;
            Object[] values = rows.get(r);
            for (int c = 0; c < casts.length; c++) {
                @SuppressWarnings("unchecked")
                var binder = (org.hibernate.type.descriptor.ValueBinder<Object>) plan.columns.get(c).jdbcMapping().getJdbcValueBinder();
                capture.reset();
                binder.bind(capturing, values[c], 1, session);
                if (!capture.bound) {
                    return false;
                }
                texts[c][r] = capture.text;
            }
        }
        statement.setArray(1, connection.createArrayOf("int4", ordinals));
        for (int c = 0; c < casts.length; c++) {
            statement.setArray(c + 2, connection.createArrayOf("text", texts[c]));
        }
        return true;
    }

    /**
     * Runs the statement for {@code rows} (sorted by key) and returns the stored row of each, in the same order; null
     * if the values cannot be carried (nothing was sent).
     */
    List<UpsertPlan.StoredRow> execute(List<Object[]> rows, SharedSessionContractImplementor session) {
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        UpsertPlan.StoredRow[] stored = new UpsertPlan.StoredRow[rows.size()];
        PreparedStatement statement = jdbc.getMutationStatementPreparer().prepareStatement(sql, false);
        List<Integer> unresolved = new ArrayList<>();
        try {
            if (!bind(statement, rows, session)) {
                return null;
            }
            ResultSet rs = jdbc.getResultSetReturn().execute(statement, sql);
            while (rs.next()) {
                int ord = rs.getInt(1);
                if (stored[ord] != null) {
                    throw new HibernateException("@Upsert on " + plan.persister.getMappedClass().getSimpleName()
                            + ": the statement returned two rows for one proposed row");
                }
                UpsertPlan.StoredRow row = read(rs, plan.returned, 1, false, session);
                if (row == null && !plan.multiRow) {
                    row = read(rs, plan.stored, 1 + returnedWidth + 1, true, session);
                }
                if (row == null) {
                    unresolved.add(ord);
                } else {
                    stored[ord] = row;
                }
            }
        } catch (SQLException e) {
            throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "could not execute upsert", sql);
        } catch (JDBCException e) {
            if ("21000".equals(e.getSQLState())) {
                throw UpsertBatch.sameKeyTwice(plan, e);
            }
            throw e;
        } finally {
            jdbc.getLogicalConnection().getResourceRegistry().release(statement);
            jdbc.afterStatementExecution();
        }
        for (int r = 0; r < stored.length; r++) {
            if (stored[r] == null && !unresolved.contains(r)) {
                unresolved.add(r);  // only a BEFORE INSERT trigger that skips the row returns nothing at all
            }
        }
        if (!unresolved.isEmpty()) {
            lookup(rows, unresolved, stored, session);
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
                return timestamp.toInstant().atZone(zone).toOffsetDateTime().toString();
            }
            if (value instanceof java.sql.Date date) {
                return date.toLocalDate().toString();
            }
            if (value instanceof java.sql.Time time) {
                return time.toLocalTime().toString();
            }
            if (value instanceof ZonedDateTime zoned) {
                return zoned.toOffsetDateTime().toString();
            }
            if (value instanceof Instant instant) {
                return OffsetDateTime.ofInstant(instant, ZoneId.of("UTC")).toString();
            }
            if (value instanceof TemporalAccessor) {
                return value.toString();  // LocalDate/Time, OffsetDateTime/Time: ISO 8601, which PostgreSQL reads
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
