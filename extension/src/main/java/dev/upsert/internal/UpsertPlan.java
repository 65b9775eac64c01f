package dev.upsert.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.metamodel.mapping.BasicValuedModelPart;
import org.hibernate.metamodel.mapping.JdbcMapping;
import org.hibernate.metamodel.mapping.ModelPart;
import org.hibernate.metamodel.mapping.SelectableMapping;

import dev.upsert.Upsert;

/**
 * Everything about one {@code @Upsert} entity's statement that does not change between rows, derived once from
 * Hibernate's runtime mapping: the column list, the SQL, where each returned column goes back into the entity, and
 * the fallback query for rows that a conflict left untouched.
 */
final class UpsertPlan {

    /** One bound column: the attribute it belongs to ({@code -1} for the id) and how to bind it. */
    record Column(String name, int attributeIndex, JdbcMapping jdbcMapping) {
    }

    /** A returned column written back into attribute {@code attributeIndex} ({@code -1}: the id). */
    record ReadBack(int attributeIndex, int position, JdbcMapping jdbcMapping) {
    }

    final UpsertEntityPersister persister;
    final boolean identity;
    final List<Column> columns;
    final String sql;
    /**
     * Whether a flush may send many rows in one {@code INSERT ... VALUES (...), (...)} (see {@link #multiRowSql}):
     * only when every proposed row comes back, so the returned rows map to the proposed ones by position.
     */
    final boolean multiRow;
    /** Rows per multi-row statement at most: pgjdbc binds at most 65,535 parameters per statement. */
    final int maxRowsPerStatement;
    private final String insertHead;
    private final String rowPlaceholders;
    private final String conflictClause;
    /** What the statement returns, then the {@code (xmax = 0)} flag. */
    final List<ReadBack> returned;
    /** What the stored-row SELECT returns: every basic column. */
    final List<ReadBack> stored;
    /** SELECT of the stored row for a proposed one, for conflicts that returned no row (NOTHING, skipped). */
    final String storedRowSql;
    /** Positions in {@link #columns} of the key's plain columns: rows are sorted by them before a batch runs. */
    final int[] keyPositions;
    /** Top-level attribute indexes of the key, for finding an already-managed instance with the same key. */
    final int[] keyAttributes;
    final String keyDescription;
    /** The table, the conflict clause, the index's key expressions and predicate: {@link UnnestUpsertStatement} renders its own statement from them. */
    final String table;
    final OnConflictClause clause;
    final List<String> keyExpressions;
    final String predicate;
    /** The columns of {@link #stored}, in its order. */
    final List<String> storedColumns;

    private UpsertPlan(UpsertEntityPersister persister, boolean identity, List<Column> columns, String insertHead,
                       String rowPlaceholders, OnConflictClause clause, List<ReadBack> returned, List<ReadBack> stored,
                       String storedRowSql, int[] keyPositions, int[] keyAttributes, String keyDescription,
                       String table, List<String> keyExpressions, String predicate, List<String> storedColumns) {
        this.persister = persister;
        this.identity = identity;
        this.columns = columns;
        this.insertHead = insertHead;
        this.rowPlaceholders = rowPlaceholders;
        this.conflictClause = clause.render();
        this.sql = insertHead + rowPlaceholders + conflictClause;
        this.multiRow = clause.returnsEveryRow();
        this.maxRowsPerStatement = Math.max(1, 65_535 / Math.max(1, columns.size()));
        this.returned = returned;
        this.stored = stored;
        this.storedRowSql = storedRowSql;
        this.keyPositions = keyPositions;
        this.keyAttributes = keyAttributes;
        this.keyDescription = keyDescription;
        this.table = table;
        this.clause = clause;
        this.keyExpressions = keyExpressions;
        this.predicate = predicate;
        this.storedColumns = storedColumns;
    }

    static UpsertPlan build(UpsertEntityPersister persister, UpsertMapping mapping, Connection connection, List<String> problems) {
        Upsert upsert = mapping.annotation;
        String entity = persister.getMappedClass().getSimpleName();
        String table = persister.getTableName();
        String tableName = table.substring(table.lastIndexOf('.') + 1);
        boolean identity = persister.isIdentifierAssignedByInsert();
        var attributes = persister.getAttributeMappings();
        boolean[] insertable = persister.getPropertyInsertability();

        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < attributes.size(); i++) {
            if (insertable[i]) {
                int index = i;
                attributes.get(i).forEachSelectable((n, selectable) -> {
                    if (bound(selectable)) {
                        columns.add(new Column(selectable.getSelectionExpression(), index, selectable.getJdbcMapping()));
                    }
                });
            }
        }
        String idColumn = ((BasicValuedModelPart) persister.getIdentifierMapping()).getSelectionExpression();
        if (!identity) {
            columns.add(new Column(idColumn, -1, ((BasicValuedModelPart) persister.getIdentifierMapping()).getJdbcMapping()));
        }

        // The conflict target, checked against the unique indexes that exist.
        List<UniqueKeyCatalog.UniqueKey> existing;
        try {
            existing = UniqueKeyCatalog.uniqueKeysOf(connection, table);
        } catch (SQLException e) {
            problems.add("@Upsert on " + entity + ": cannot read the unique indexes of " + table + ": " + e.getMessage());
            return null;
        }
        String target;
        List<String> keyExpressions;
        String predicate;
        Set<Integer> keyAttributeSet = new HashSet<>();
        if (!upsert.constraint().isBlank()) {
            UniqueKeyCatalog.UniqueKey key = existing.stream().filter(k -> k.name().equals(upsert.constraint())).findFirst().orElse(null);
            if (key == null) {
                problems.add("@Upsert on " + entity + ": constraint '" + upsert.constraint() + "' is not a unique constraint or index of "
                        + table + " (unique indexes: " + describe(existing) + "); name one of those");
                return null;
            }
            keyExpressions = key.columns();
            predicate = key.predicate();
            // ON CONSTRAINT accepts constraints only; a unique index is targeted by its columns and predicate (42704 otherwise).
            target = key.constraint() ? "on constraint " + key.name()
                    : "(" + String.join(", ", key.columns()) + ")" + (key.partial() ? " where " + key.predicate() : "");
            for (int i = 0; i < attributes.size(); i++) {
                int index = i;
                attributes.get(i).forEachSelectable((n, s) -> {
                    if (key.columns().contains(s.getSelectionExpression())) {
                        keyAttributeSet.add(index);
                    }
                });
            }
            if (key.deferrable()) {
                problems.add("@Upsert on " + entity + ": constraint '" + key.name() + "' is DEFERRABLE, which PostgreSQL cannot use as an "
                        + "ON CONFLICT arbiter (55000); make it NOT DEFERRABLE or target another unique key");
                return null;
            }
        } else {
            keyExpressions = new ArrayList<>();
            for (String path : mapping.keyPaths) {
                ModelPart part = persister.findByPath(path);
                part.forEachSelectable((n, s) -> keyExpressions.add(s.getSelectionExpression()));
                keyAttributeSet.add(persister.findAttributeMapping(path.split("\\.")[0]).getStateArrayPosition());
            }
            predicate = upsert.where().isBlank() ? null : upsert.where();
            target = "(" + String.join(", ", keyExpressions) + ")" + (predicate == null ? "" : " where " + predicate);
            if (!matchesAnIndex(keyExpressions, predicate, existing)) {
                boolean onlyDeferrable = existing.stream().anyMatch(k -> k.deferrable() && sameColumns(k, keyExpressions));
                problems.add("@Upsert on " + entity + ": no non-deferrable unique index of " + table + " matches the conflict target "
                        + target + " of attribute(s) " + String.join(", ", mapping.keyPaths)
                        + " (unique indexes: " + describe(existing) + "); "
                        + (onlyDeferrable ? "make that constraint NOT DEFERRABLE (PostgreSQL cannot use a deferrable one as an "
                                + "ON CONFLICT arbiter), " : "create that index, ")
                        + (existing.stream().anyMatch(UniqueKeyCatalog.UniqueKey::partial) ? "add the index predicate as @Upsert(where = ...), " : "")
                        + "or target an existing one with @Upsert(on = ...) or @Upsert(constraint = ...)");
                return null;
            }
        }

        List<String> set = new ArrayList<>();
        List<String> compared = new ArrayList<>();
        for (String name : mapping.overwritten) {
            attributes.get(persister.findAttributeMapping(name).getStateArrayPosition()).forEachSelectable((n, s) -> {
                if (s.isUpdateable() && !s.isFormula()) {
                    set.add(s.getSelectionExpression());
                    if (!mapping.updateTimestamps.contains(name)) {
                        compared.add(s.getSelectionExpression());
                    }
                }
            });
        }
        String versionColumn = null;
        if (persister.isVersioned() && upsert.action() == Upsert.Action.UPDATE) {
            versionColumn = persister.getVersionMapping().getVersionAttribute().getSelectionExpression();
        }

        // The stored row (fallback SELECT) is read whole. The statement returns only what can differ from the proposed
        // row: the id, the version and the columns a conflict leaves alone. Overwritten and inserted values are the
        // proposed ones, and a short RETURNING of fixed-width columns lets pgjdbc pipeline a batch in one round trip
        // (a variable-width column makes it sync after every statement).
        Set<Integer> keyOrOverwritten = new HashSet<>();
        mapping.overwritten.forEach(name -> keyOrOverwritten.add(persister.findAttributeMapping(name).getStateArrayPosition()));
        if (!mapping.keyPaths.isEmpty()) {
            keyOrOverwritten.addAll(keyAttributeSet);  // plain key columns equal the proposed ones by definition
        }
        List<String> stored = new ArrayList<>();
        List<ReadBack> storedReadBacks = new ArrayList<>();
        List<String> returning = new ArrayList<>();
        List<ReadBack> returnedReadBacks = new ArrayList<>();
        JdbcMapping idMapping = ((BasicValuedModelPart) persister.getIdentifierMapping()).getJdbcMapping();
        stored.add(idColumn);
        storedReadBacks.add(new ReadBack(-1, 1, idMapping));
        returning.add(idColumn);
        returnedReadBacks.add(new ReadBack(-1, 1, idMapping));
        for (int i = 0; i < attributes.size(); i++) {
            BasicValuedModelPart basic = attributes.get(i).asBasicValuedModelPart();
            if (basic != null && !basic.isFormula()) {
                stored.add(basic.getSelectionExpression());
                storedReadBacks.add(new ReadBack(i, stored.size(), basic.getJdbcMapping()));
                if (!keyOrOverwritten.contains(i)) {
                    returning.add(basic.getSelectionExpression());
                    returnedReadBacks.add(new ReadBack(i, returning.size(), basic.getJdbcMapping()));
                }
            }
        }

        OnConflictClause clause = new OnConflictClause(target, upsert.action() == Upsert.Action.NOTHING, tableName, set,
                upsert.skipUnchanged() ? compared : List.of(), versionColumn, upsert.updateWhere(), returning);
        // IDENTITY ids drawn by IdentityBlockGenerator are sent; GENERATED ALWAYS accepts them only when told to
        String overriding = !identity && persister.getGenerator() instanceof IdentityBlockGenerator
                && generatedAlways(connection, table, idColumn) ? " overriding system value" : "";
        String insertHead = "insert into " + table + " (" + columns.stream().map(Column::name).collect(Collectors.joining(","))
                + ")" + overriding + " values ";
        String rowPlaceholders = "(" + columns.stream().map(c -> "?").collect(Collectors.joining(",")) + ")";

        // The stored row, found the way the index finds it: key expressions over the proposed values (bound again).
        String proposed = columns.stream().map(c -> "? as " + c.name()).collect(Collectors.joining(", "));
        String storedRowSql = "select " + String.join(", ", stored) + " from " + table + " where ("
                + String.join(", ", keyExpressions) + ") = (select " + String.join(", ", keyExpressions)
                + " from (select " + proposed + ") as excluded)" + (predicate == null ? "" : " and (" + predicate + ")");

        int[] keyPositions = new int[keyExpressions.size()];
        for (int k = 0; k < keyExpressions.size(); k++) {
            keyPositions[k] = -1;
            for (int c = 0; c < columns.size(); c++) {
                if (columns.get(c).name().equals(keyExpressions.get(k))) {
                    keyPositions[k] = c;
                }
            }
        }
        keyPositions = Arrays.stream(keyPositions).filter(p -> p >= 0).toArray();
        int[] keyAttributes = keyAttributeSet.stream().mapToInt(Integer::intValue).sorted().toArray();
        String keyDescription = mapping.keyPaths.isEmpty() ? upsert.constraint() : String.join(", ", mapping.keyPaths);
        return new UpsertPlan(persister, identity, List.copyOf(columns), insertHead, rowPlaceholders, clause,
                List.copyOf(returnedReadBacks),
                List.copyOf(storedReadBacks), storedRowSql, keyPositions, keyAttributes, keyDescription,
                table, List.copyOf(keyExpressions), predicate, List.copyOf(stored));
    }

    private static boolean generatedAlways(Connection connection, String table, String column) {
        try (PreparedStatement ps = connection.prepareStatement(
                "select attidentity = 'a' from pg_attribute where attrelid = to_regclass(?) and attname = ?")) {
            ps.setString(1, table);
            ps.setString(2, column.startsWith("\"") ? column.substring(1, column.length() - 1) : column.toLowerCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            return false;  // the statement check at boot then reports what PostgreSQL says
        }
    }

    /** The JDBC values of one row, in {@link #columns} order. */
    Object[] jdbcValues(Object id, Object[] values, SharedSessionContractImplementor session) {
        List<Object> out = new ArrayList<>(columns.size());
        var attributes = persister.getAttributeMappings();
        boolean[] insertable = persister.getPropertyInsertability();
        for (int i = 0; i < attributes.size(); i++) {
            // a collection has no column in this table (and cannot be decomposed): its rows are written by Hibernate
            if (insertable[i] && !(attributes.get(i) instanceof org.hibernate.metamodel.mapping.PluralAttributeMapping)) {
                attributes.get(i).decompose(values[i], 0, out, null, (n, list, unused, value, selectable) -> {
                    if (bound(selectable)) {
                        list.add(value);
                    }
                }, session);
            }
        }
        if (!identity) {
            persister.getIdentifierMapping().decompose(id, 0, out, null, (n, list, unused, value, s) -> list.add(value), session);
        }
        return out.toArray();
    }

    /** The statement for {@code rows} proposed rows: one {@code VALUES} list, one conflict clause. */
    String multiRowSql(int rows) {
        StringBuilder sql = new StringBuilder(insertHead.length() + rows * (rowPlaceholders.length() + 1) + conflictClause.length());
        sql.append(insertHead);
        for (int r = 0; r < rows; r++) {
            sql.append(r == 0 ? "" : ",").append(rowPlaceholders);
        }
        return sql.append(conflictClause).toString();
    }

    void bind(PreparedStatement statement, Object[] jdbcValues, SharedSessionContractImplementor session) throws SQLException {
        bind(statement, jdbcValues, 0, session);
    }

    /** Binds one row's values from parameter {@code offset + 1} on: row {@code r} of a multi-row statement. */
    void bind(PreparedStatement statement, Object[] jdbcValues, int offset, SharedSessionContractImplementor session)
            throws SQLException {
        for (int c = 0; c < jdbcValues.length; c++) {
            @SuppressWarnings("unchecked")
            var binder = (org.hibernate.type.descriptor.ValueBinder<Object>) columns.get(c).jdbcMapping().getJdbcValueBinder();
            binder.bind(statement, jdbcValues[c], offset + c + 1, session);
        }
    }

    /** Reads the row the statement returned. */
    StoredRow readReturned(ResultSet rs, SharedSessionContractImplementor session) throws SQLException {
        return read(rs, returned, session, false);
    }

    /** Reads the row the stored-row SELECT found: a conflict left it untouched. */
    StoredRow readStored(ResultSet rs, SharedSessionContractImplementor session) throws SQLException {
        return read(rs, stored, session, true);
    }

    /** The id first, then each listed attribute as a domain value; the {@code (xmax = 0)} flag follows them. */
    private static StoredRow read(ResultSet rs, List<ReadBack> readBacks, SharedSessionContractImplementor session,
                                  boolean skipped) throws SQLException {
        Object id = null;
        Object[] values = new Object[readBacks.size()];
        for (int r = 0; r < readBacks.size(); r++) {
            ReadBack readBack = readBacks.get(r);
            Object value = readBack.jdbcMapping().convertToDomainValue(
                    readBack.jdbcMapping().getJdbcValueExtractor().extract(rs, readBack.position(), session));
            if (readBack.attributeIndex() < 0) {
                id = value;
            }
            values[r] = value;
        }
        return new StoredRow(id, readBacks, values, !skipped && rs.getBoolean(readBacks.size() + 1), skipped);
    }

    /** A row as the database holds it after the statement; {@code skipped}: a conflict left it untouched. */
    record StoredRow(Object id, List<ReadBack> readBacks, Object[] values, boolean inserted, boolean skipped) {
    }

    private static boolean bound(SelectableMapping selectable) {
        return selectable.isInsertable() && !selectable.isFormula();
    }

    private static boolean matchesAnIndex(List<String> keyExpressions, String predicate, List<UniqueKeyCatalog.UniqueKey> existing) {
        Set<String> wanted = keyExpressions.stream().map(UpsertPlan::normalize).collect(Collectors.toSet());
        for (UniqueKeyCatalog.UniqueKey key : existing) {
            Set<String> columns = key.columns().stream().map(UpsertPlan::normalize).collect(Collectors.toSet());
            boolean samePredicate = predicate == null ? !key.partial() : key.partial() && normalize(predicate).equals(normalize(key.predicate()));
            if (columns.equals(wanted) && samePredicate && !key.deferrable()) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameColumns(UniqueKeyCatalog.UniqueKey key, List<String> keyExpressions) {
        return key.columns().stream().map(UpsertPlan::normalize).collect(Collectors.toSet())
                .equals(keyExpressions.stream().map(UpsertPlan::normalize).collect(Collectors.toSet()));
    }

    /** Compares SQL fragments the way the catalog prints them: case, blanks and parentheses aside. */
    private static String normalize(String sql) {
        return sql.replaceAll("[\\s()]", "").toLowerCase(Locale.ROOT);
    }

    private static String describe(List<UniqueKeyCatalog.UniqueKey> keys) {
        return keys.isEmpty() ? "none" : keys.stream().map(Object::toString).collect(Collectors.joining("; "));
    }
}
