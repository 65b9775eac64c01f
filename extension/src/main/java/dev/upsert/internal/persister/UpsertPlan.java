package dev.upsert.internal.persister;

import dev.upsert.internal.catalog.TableCatalog;
import dev.upsert.internal.catalog.UniqueKeyCatalog;
import dev.upsert.internal.compat.HibernateAccess;
import dev.upsert.internal.catalog.DuplicateRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.hibernate.dialect.Dialect;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.generator.EventType;
import org.hibernate.generator.OnExecutionGenerator;
import org.hibernate.metamodel.mapping.AttributeMapping;
import org.hibernate.metamodel.mapping.BasicValuedModelPart;
import org.hibernate.metamodel.mapping.JdbcMapping;
import org.hibernate.metamodel.mapping.ModelPart;
import org.hibernate.metamodel.mapping.PluralAttributeMapping;
import org.hibernate.metamodel.mapping.SelectableMapping;
import org.hibernate.sql.Template;

import dev.upsert.Upsert;
import dev.upsert.internal.statement.ColumnArray;
import dev.upsert.internal.statement.OnConflictClause;
import dev.upsert.internal.statement.Timestamptz;

/**
 * Everything about one {@code @Upsert} entity's statement that does not change between rows, derived once from
 * Hibernate's runtime mapping: the column list, the SQL, where each returned column goes back into the entity, and
 * the fallback query for rows that a conflict left untouched.
 */
public final class UpsertPlan {

    /**
     * One column of the insert: the attribute it belongs to ({@code -1} for the id), how to bind it, the SQL Hibernate's
     * own insert writes for it ({@code ?}, a {@code @ColumnTransformer} write expression such as {@code lower(?)}, or a
     * value generated on execution such as {@code current_timestamp}) and that SQL cast to the column's catalog type.
     *
     * @param value      the SQL in {@code VALUES}: exactly what Hibernate's insert writes
     * @param typedValue {@code value} cast to the column's type ({@code cast(? as timestamp with time zone)}), for any
     *                   statement where the value stands outside an insert (a {@code SELECT}, a comparison) and
     *                   PostgreSQL would otherwise type the parameter as text
     * @param type       the column's type as the catalog spells it ({@code format_type}), null if unknown
     * @param timestamptz a plain parameter of a {@code timestamptz} column, bound as {@link Timestamptz#bind} binds it
     */
    record Column(String name, int attributeIndex, JdbcMapping jdbcMapping, String value, String typedValue, String type,
                  boolean timestamptz) {

        /** Whether the value has a parameter to bind; a value generated on execution has none. */
        boolean bound() {
            return value.indexOf('?') >= 0;
        }
    }

    /**
     * A returned column written back into attribute {@code attributeIndex} ({@code -1}: the id); {@code timestamptz}:
     * read as {@link Timestamptz#read} reads it.
     */
    public record ReadBack(int attributeIndex, int position, JdbcMapping jdbcMapping, boolean timestamptz) {

        ReadBack(int attributeIndex, int position, JdbcMapping jdbcMapping) {
            this(attributeIndex, position, jdbcMapping, false);
        }
    }

    public final UpsertEntityPersister persister;
    final boolean identity;
    final List<Column> columns;
    /** Parameters per row: the bound {@link #columns}. */
    final int parameters;
    /** Per attribute, which of its selectables are {@link #columns} (null: none), for {@link #jdbcValues}. */
    private final boolean[][] included;
    /** The table is partitioned: the inserted flag comes from {@link #insertedFlagSql}, not {@code RETURNING}. */
    final boolean partitioned;
    public final String sql;
    /**
     * Whether every proposed row comes back from the statement (an unconditional {@code DO UPDATE}), so that the
     * returned rows map to the proposed ones by position and nothing is read back.
     */
    public final boolean returnsEveryRow;
    private final String insertHead;
    private final String insertedFlagHead;
    private final String rowPlaceholders;
    private final String conflictClause;
    /** What the statement returns, then the {@code (xmax = 0)} flag. */
    final List<ReadBack> returned;
    /** What the stored-row SELECT returns: every basic column. */
    final List<ReadBack> stored;
    /** SELECT of the stored row for a proposed one, for conflicts that returned no row (NOTHING, skipped). */
    final String storedRowSql;
    /** Positions in {@link #columns} of the key's plain columns: rows are sorted by them before a batch runs. */
    public final int[] keyPositions;
    /** Top-level attribute indexes of the key, for finding an already-managed instance with the same key. */
    public final int[] keyAttributes;
    public final String keyDescription;
    /** Whether the arbiter index treats NULLs as equal (PostgreSQL 15+); by default a key holding a NULL never conflicts. */
    public final boolean nullsNotDistinct;
    /** The table, the conflict clause, the arbiter index and its predicate: {@link UnnestUpsertStatement} renders its own statement from them. */
    final String table;
    final OnConflictClause clause;
    final UniqueKeyCatalog.UniqueKey arbiter;
    final String predicate;
    /** The columns of {@link #stored}, in its order. */
    final List<String> storedColumns;
    /** The id column is {@code GENERATED ALWAYS AS IDENTITY} and ids from its sequence are sent: {@code OVERRIDING SYSTEM VALUE}. */
    final boolean overridingSystemValue;
    /**
     * The SQL that draws a row's id in the statement where the proposed id is a placeholder
     * ({@code nextval('seq'::regclass)}, see {@link IdentityBlockGenerator}); the id column's value is then
     * {@code coalesce(id, <this>)}. Null when ids are always proposed.
     */
    final String idDefault;
    /**
     * Prefix of every name the statements introduce (CTEs, aliases, returned columns): the first of {@code upsert_},
     * {@code upsert1_}, ... that neither the table's name nor any of its columns starts with, so no name of the
     * application's can capture one of ours or be captured by it.
     */
    final String internal;
    /** {@code insert into t} or, for a table named {@code excluded}, {@code insert into excluded as <internal>stored}. */
    final String insertInto;
    /**
     * The {@code @TenantId} column when the conflict target is unique across tenants, else null: then a conflict
     * updates only a row of the session's tenant and a read-back finds only such a row; another tenant's key is taken.
     */
    public final String tenantGuard;
    /**
     * In a SINGLE_TABLE hierarchy, the discriminator column and this entity's value ({@code kind = 'C'}), else null:
     * then a conflict updates only a row of this entity's type and a read-back finds only such a row; a key held by
     * a row of another type is taken, never turned into this type nor handed to this entity.
     */
    public final Discriminator discriminatorGuard;
    /**
     * A plain insert of one proposed row (no conflict clause), for a key the read-back found held by another tenant
     * or another entity type: PostgreSQL raises the 23505 that says the key is taken.
     */
    final String plainInsertSql;

    /** How many {@link #FIXED} columns stand before the id in {@link #columns}. */
    private final int fixedColumns;

    /** {@link Column#attributeIndex} of a column no attribute maps, whose SQL is its value (the soft-delete indicator). */
    static final int FIXED = -2;
    /**
     * A Citus hash-distributed table: it refuses a lateral outer join to itself from the statement's CTEs (0A000), so
     * rows a conflict left alone are read by the separate key lookup, which Citus runs on the shards.
     */
    final boolean distributed;
    /**
     * Per column of {@link #columns} with a {@code @ColumnTransformer(write = ...)} expression, the type PostgreSQL gives
     * its parameter in Hibernate's own insert ({@code upper(?)}: {@code text}), else null; null as a whole when there
     * is no such column or PostgreSQL could not say.
     */
    final String[] parameterTypes;

    private UpsertPlan(UpsertEntityPersister persister, boolean identity, List<Column> columns, boolean[][] included,
                       String insertHead, String rowPlaceholders, OnConflictClause clause, List<ReadBack> returned,
                       List<ReadBack> stored, String storedRowSql, int[] keyPositions, int[] keyAttributes,
                       String keyDescription, boolean nullsNotDistinct,
                       String table, UniqueKeyCatalog.UniqueKey arbiter, String predicate, List<String> storedColumns,
                       boolean overridingSystemValue, String idDefault, String internal, String insertInto,
                       String tenantGuard, Discriminator discriminatorGuard, int fixedColumns, boolean distributed, String[] parameterTypes) {
        this.persister = persister;
        this.identity = identity;
        this.columns = columns;
        this.parameters = (int) columns.stream().filter(Column::bound).count();
        this.included = included;
        this.partitioned = clause.partitioned();
        String idColumn = ((BasicValuedModelPart) persister.getIdentifierMapping()).getSelectionExpression();
        // by the returned row version's place, not its id: an id may repeat across partitions (primary key (region, id))
        this.insertedFlagHead = "select " + OnConflictClause.LOCATOR + ", (xmax = 0) from " + persister.getTableName() + " where ctid in (";
        this.insertHead = insertHead;
        this.rowPlaceholders = rowPlaceholders;
        this.conflictClause = clause.render();
        this.sql = insertHead + rowPlaceholders + conflictClause;
        this.returnsEveryRow = clause.returnsEveryRow();
        this.returned = returned;
        this.stored = stored;
        this.storedRowSql = storedRowSql;
        this.keyPositions = keyPositions;
        this.keyAttributes = keyAttributes;
        this.keyDescription = keyDescription;
        this.nullsNotDistinct = nullsNotDistinct;
        this.table = table;
        this.clause = clause;
        this.arbiter = arbiter;
        this.predicate = predicate;
        this.storedColumns = storedColumns;
        this.overridingSystemValue = overridingSystemValue;
        this.idDefault = idDefault;
        this.internal = internal;
        this.insertInto = insertInto;
        this.tenantGuard = tenantGuard;
        this.discriminatorGuard = discriminatorGuard;
        this.plainInsertSql = insertHead + rowPlaceholders + " returning " + String.join(", ", clause.returning());
        this.fixedColumns = fixedColumns;
        this.distributed = distributed;
        this.parameterTypes = parameterTypes;
    }

    public static UpsertPlan build(UpsertEntityPersister persister, UpsertMapping mapping, Connection connection, List<String> problems) {
        Upsert upsert = mapping.annotation;
        String entity = persister.getMappedClass().getSimpleName();
        String table = persister.getTableName();
        String tableName = table.substring(table.lastIndexOf('.') + 1);
        boolean identity = persister.isIdentifierAssignedByInsert();
        var attributes = persister.getAttributeMappings();
        boolean[] insertable = persister.getPropertyInsertability();
        Dialect dialect = persister.getFactory().getJdbcServices().getDialect();

        TableCatalog catalog;
        try {
            catalog = TableCatalog.read(connection, table);
        } catch (SQLException e) {
            problems.add("@Upsert on " + entity + ": cannot read the columns of " + table + ": " + e.getMessage());
            return null;
        }
        String internal = internalPrefix(catalog, tableName);
        // PostgreSQL takes a target named excluded for the proposed row (42P09): an alias hides the table's name
        boolean namedExcluded = unquote(tableName).equalsIgnoreCase("excluded");
        String qualifier = namedExcluded ? internal + "stored" : tableName;
        String tenantColumn = mapping.tenantAttribute == null ? null
                : ((BasicValuedModelPart) persister.findAttributeMapping(mapping.tenantAttribute)).getSelectionExpression();
        String tenantGuard = null;
        // The columns exactly as Hibernate's insert writes them (InsertCoordinatorStandard.applyTableInsertDetails):
        // insertable columns with their write expression, and values generated on execution as their SQL.
        List<Column> columns = new ArrayList<>();
        boolean[][] included = new boolean[attributes.size()][];
        Set<Integer> generatedByDatabase = new HashSet<>();
        for (int i = 0; i < attributes.size(); i++) {
            int index = i;
            AttributeMapping attribute = attributes.get(i);
            boolean[] inclusion = new boolean[attribute.getJdbcTypeCount()];
            boolean onExecution = attribute.getGenerator() instanceof OnExecutionGenerator g && g.generatedOnExecution();
            if (onExecution) {
                generatedByDatabase.add(i);
            }
            if (onExecution && attribute.getGenerator().generatesOnInsert()) {
                OnExecutionGenerator generator = (OnExecutionGenerator) attribute.getGenerator();
                if (generator.referenceColumnsInSql(dialect)) {
                    String[] sqlValues = generator.getReferencedColumnValues(dialect);
                    attribute.forEachSelectable((n, selectable) -> {
                        String value = sqlValues == null ? selectable.getWriteExpression() : sqlValues[n];
                        inclusion[n] = true;
                        columns.add(column(selectable, index, value, catalog));
                    });
                }
            } else if (insertable[i] && !(attribute instanceof PluralAttributeMapping)) {
                // (a collection has no column in this table: its rows are written by Hibernate)
                attribute.forEachSelectable((n, selectable) -> {
                    if (bound(selectable)) {
                        inclusion[n] = true;
                        columns.add(column(selectable, index, selectable.getWriteExpression(), catalog));
                    }
                });
            }
            for (boolean in : inclusion) {
                if (in) {
                    included[i] = inclusion;
                }
            }
        }
        // Columns no attribute maps, written as Hibernate's insert writes them (AbstractEntityPersister's
        // addAuxiliaryToInsertGroup / addSoftDeleteToInsertGroup): the @SoftDelete indicator's not-deleted value.
        SoftDelete softDelete = SoftDelete.of(persister);
        if (softDelete != null) {
            columns.add(column(softDelete.column(), FIXED, softDelete.notDeleted(), catalog));
        }
        // ...and the discriminator of a SINGLE_TABLE entity (SingleTableEntityPersister's addDiscriminatorToInsertGroup)
        Discriminator discriminator = mapping.discriminated ? Discriminator.of(persister) : null;
        if (discriminator != null) {
            columns.add(column(discriminator.column(), FIXED, discriminator.value(), catalog));
        }
        int fixedColumns = (softDelete == null ? 0 : 1) + (discriminator == null ? 0 : 1);
        BasicValuedModelPart idPart = (BasicValuedModelPart) persister.getIdentifierMapping();
        String idColumn = idPart.getSelectionExpression();
        if (!identity) {
            columns.add(column(idPart, -1, idPart.getWriteExpression(), catalog));
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
        UniqueKeyCatalog.UniqueKey arbiter;
        List<String> keyExpressions;
        String predicate;
        boolean nullsNotDistinct;
        Set<Integer> keyAttributeSet = new HashSet<>();
        if (!upsert.constraint().isBlank()) {
            UniqueKeyCatalog.UniqueKey key = existing.stream().filter(k -> k.name().equals(upsert.constraint())).findFirst().orElse(null);
            if (key == null) {
                problems.add("@Upsert on " + entity + ": constraint '" + upsert.constraint() + "' is not a unique constraint or index of "
                        + table + " (unique indexes: " + describe(existing) + "); name one of those");
                return null;
            }
            arbiter = key;
            keyExpressions = key.columns();
            if (tenantColumn != null && !contains(key.columns(), tenantColumn)) {
                tenantGuard = tenantColumn;  // a key unique across tenants
            }
            predicate = key.predicate();
            nullsNotDistinct = key.nullsNotDistinct();
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
            if (tenantColumn != null && !contains(keyExpressions, tenantColumn)) {
                List<String> scoped = new ArrayList<>(keyExpressions);
                scoped.add(0, tenantColumn);
                if (matchingIndex(scoped, predicate, existing) != null || matchingIndex(keyExpressions, predicate, existing) == null) {
                    // the key of the session's tenant: the target, or, without an index, what the advice creates
                    keyExpressions.add(0, tenantColumn);
                    keyAttributeSet.add(persister.findAttributeMapping(mapping.tenantAttribute).getStateArrayPosition());
                } else {
                    tenantGuard = tenantColumn;  // only a key unique across tenants exists: confine update and read-back
                }
            }
            target = "(" + String.join(", ", keyExpressions) + ")" + (predicate == null ? "" : " where " + predicate);
            arbiter = matchingIndex(keyExpressions, predicate, existing);
            if (arbiter == null && catalog.distributed() && !containsColumn(keyExpressions, catalog.distributionColumn())) {
                problems.add(withoutDistributionColumn(persister, entity, table, catalog.distributionColumn(), mapping.keyPaths,
                        keyExpressions, predicate, existing));
                return null;
            }
            if (arbiter == null) {
                boolean onlyDeferrable = existing.stream().anyMatch(k -> k.deferrable() && sameColumns(k, keyExpressions));
                problems.add("@Upsert on " + entity + ": no non-deferrable unique index of " + table + " matches the conflict target "
                        + target + " of attribute(s) " + String.join(", ", mapping.keyPaths)
                        + (tenantColumn == null ? "" : " and the @TenantId attribute '" + mapping.tenantAttribute + "' (a key of each "
                           + "tenant; a unique index without " + tenantColumn + " makes the key unique across tenants)")
                        + " (unique indexes: " + describe(existing) + "); "
                        + (onlyDeferrable ? "make that constraint NOT DEFERRABLE (PostgreSQL cannot use a deferrable one as an "
                                + "ON CONFLICT arbiter), " : DuplicateRows.createIndexAdvice(connection, table, keyExpressions, predicate))
                        + (existing.stream().anyMatch(UniqueKeyCatalog.UniqueKey::partial) ? "add the index predicate as @Upsert(where = ...), " : "")
                        + "or target an existing one with @Upsert(on = ...) or @Upsert(constraint = ...)");
                return null;
            }
            nullsNotDistinct = matchingIndexes(keyExpressions, predicate, existing).stream()
                    .anyMatch(UniqueKeyCatalog.UniqueKey::nullsNotDistinct);
        }

        List<String> set = new ArrayList<>();
        List<String> compared = new ArrayList<>();
        List<String> generatedSet = new ArrayList<>();
        for (String name : mapping.overwritten) {
            AttributeMapping attribute = attributes.get(persister.findAttributeMapping(name).getStateArrayPosition());
            if (generatedByDatabase.contains(attribute.getStateArrayPosition())) {
                // A value generated on update runs in the DO UPDATE branch, as in Hibernate's update; one generated
                // on insert only is kept, as Hibernate never updates it.
                OnExecutionGenerator generator = (OnExecutionGenerator) attribute.getGenerator();
                if (generator.generatesOnUpdate() && HibernateAccess.get().referenceColumnsInSql(generator, dialect, EventType.UPDATE)) {
                    String[] sqlValues = HibernateAccess.get().referencedColumnValues(generator, dialect, EventType.UPDATE);
                    attribute.forEachSelectable((n, s) -> {
                        String value = sqlValues == null ? "?" : sqlValues[n];
                        generatedSet.add(s.getSelectionExpression() + " = "
                                + (value.indexOf('?') >= 0 ? "excluded." + s.getSelectionExpression() : value));
                    });
                }
                continue;
            }
            attribute.forEachSelectable((n, s) -> {
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
        // ...unless the database computes the stored value: a write expression or a value generated on execution.
        keyOrOverwritten.removeAll(generatedByDatabase);
        columns.stream().filter(c -> c.attributeIndex() >= 0 && !"?".equals(c.value()))
                .forEach(c -> keyOrOverwritten.remove(c.attributeIndex()));
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
                // a plain column of type timestamptz: read without the Calendar of Hibernate's extractor
                boolean timestamptz = readExpression(basic).equals(basic.getSelectionExpression())
                        && Timestamptz.applies(basic.getJdbcMapping(), catalog.typeOf(basic.getSelectionExpression()));
                stored.add(readExpression(basic));
                storedReadBacks.add(new ReadBack(i, stored.size(), basic.getJdbcMapping(), timestamptz));
                if (!keyOrOverwritten.contains(i)) {
                    returning.add(readExpression(basic));
                    returnedReadBacks.add(new ReadBack(i, returning.size(), basic.getJdbcMapping(), timestamptz));
                }
            }
        }

        // Only a row of the session's tenant and of the persisted type may be updated (or revived): a guard, not part
        // of updateWhere, which a soft-deleted row overrides
        List<String> guards = new ArrayList<>();
        if (tenantGuard != null) {
            guards.add(qualifier + "." + tenantGuard + " = excluded." + tenantGuard);
        }
        if (discriminator != null) {
            guards.add(discriminator.sameType(qualifier));
        }
        OnConflictClause clause = new OnConflictClause(target, upsert.action() == Upsert.Action.NOTHING, qualifier, set,
                upsert.skipUnchanged() ? compared : List.of(), versionColumn, upsert.updateWhere(), returning,
                generatedSet, catalog.partitioned(), internal,
                softDelete == null ? null : softDelete.revive(), String.join(" and ", guards));
        if (!clause.returnsEveryRow()) {
            Set<String> written = columns.stream().map(Column::name).collect(Collectors.toSet());
            Set<String> tableColumns = new HashSet<>();
            attributes.forEach(a -> a.forEachSelectable((n, s) -> tableColumns.add(s.getSelectionExpression())));
            List<String> unwritten = keyExpressions.stream().filter(k -> tableColumns.contains(k) && !written.contains(k)).toList();
            if (!unwritten.isEmpty()) {
                // The read-back finds an untouched row by the proposed key values; the database computes these.
                problems.add("@Upsert on " + entity + ": key column(s) " + String.join(", ", unwritten) + " are not written by the "
                        + "insert (the database generates them), so a row that a conflict leaves untouched (action = NOTHING, "
                        + "updateWhere, skipUnchanged) cannot be read back by its key; target a key of columns the application "
                        + "sets, or use action = UPDATE without updateWhere and skipUnchanged");
                return null;
            }
        }
        // IDENTITY ids drawn by IdentityBlockGenerator are sent; GENERATED ALWAYS accepts them only when told to
        String overriding = !identity && persister.getGenerator() instanceof IdentityBlockGenerator
                && generatedAlways(connection, table, idColumn) ? " overriding system value" : "";
        String insertInto = "insert into " + table + (namedExcluded ? " as " + qualifier : "");
        String insertHead = insertInto + " (" + columns.stream().map(Column::name).collect(Collectors.joining(","))
                + ")" + overriding + " values ";
        // a placeholder id (IDENTITY, sequences of allocationSize 1) goes in as NULL: the row draws its id as its default would
        String idDefault = !identity && persister.getGenerator() instanceof IdentityBlockGenerator block
                ? block.deferredIdSql(connection, catalog.partitioned()) : null;
        String rowPlaceholders = "(" + columns.stream().map(c -> valueOrDefault(c, idDefault)).collect(Collectors.joining(",")) + ")";
        String storedRowSql = storedRowSql(table, internal, stored, columns, arbiter, predicate, tenantGuard, discriminator);

        int[] keyPositions = new int[keyExpressions.size()];
        for (int k = 0; k < keyExpressions.size(); k++) {
            keyPositions[k] = -1;
            for (int c = 0; c < columns.size(); c++) {
                if (columns.get(c).name().equals(keyExpressions.get(k))) {
                    keyPositions[k] = c;
                }
            }
        }
        // A key value the database generates is not known before the statement: it cannot order or compare rows.
        keyPositions = Arrays.stream(keyPositions).filter(p -> p >= 0 && columns.get(p).bound()).toArray();
        int[] keyAttributes = keyAttributeSet.stream().mapToInt(Integer::intValue).sorted().toArray();
        String keyDescription = mapping.keyPaths.isEmpty() ? upsert.constraint() : String.join(", ", mapping.keyPaths);
        String[] parameterTypes = writeParameterTypes(connection, columns, insertHead + rowPlaceholders);
        return new UpsertPlan(persister, identity, List.copyOf(columns), included, insertHead, rowPlaceholders, clause,
                List.copyOf(returnedReadBacks),
                List.copyOf(storedReadBacks), storedRowSql, keyPositions, keyAttributes, keyDescription, nullsNotDistinct,
                table, arbiter, predicate, List.copyOf(stored), !overriding.isEmpty(), idDefault, internal, insertInto,
                tenantGuard, discriminator, fixedColumns, catalog.distributed(), parameterTypes);
    }

    /**
     * For the columns written through an expression ({@code @ColumnTransformer(write = "upper(?)")}), the type PostgreSQL
     * gives the expression's parameter in {@code insert}, asked by Describe (nothing runs); null if there is no such
     * column, or if a column's expression holds more than one {@code ?}, or if PostgreSQL refuses the statement (the
     * boot check reports that).
     */
    private static String[] writeParameterTypes(Connection connection, List<Column> columns, String insert) {
        if (columns.stream().noneMatch(c -> c.bound() && !"?".equals(c.value()))) {
            return null;
        }
        String[] types = new String[columns.size()];
        Savepoint savepoint = null;
        try {
            savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
            try (PreparedStatement statement = connection.prepareStatement(insert)) {
                var metaData = statement.getParameterMetaData();
                int parameter = 0;
                for (int c = 0; c < columns.size(); c++) {
                    Column column = columns.get(c);
                    if (!column.bound()) {
                        continue;
                    }
                    parameter++;
                    if (!"?".equals(column.value())) {
                        if (column.value().indexOf('?') != column.value().lastIndexOf('?')) {
                            return null;
                        }
                        types[c] = metaData.getParameterTypeName(parameter);
                    }
                }
            }
            if (savepoint != null) {
                connection.releaseSavepoint(savepoint);
            }
            return types;
        } catch (SQLException e) {
            try {
                if (savepoint != null) {
                    connection.rollback(savepoint);
                }
            } catch (SQLException ignored) {
                // the boot check's own statement reports the problem
            }
            return null;
        }
    }

    /** A column's value in the insert: the id's falls back to {@code idDefault} where its placeholder is sent as NULL. */
    static String valueOrDefault(Column column, String idDefault) {
        return column.attributeIndex() == -1 && idDefault != null ? "coalesce(" + column.value() + ", " + idDefault + ")" : column.value();
    }

    /** Whether a key's column list names {@code column} (as {@code pg_attribute} holds it). */
    private static boolean containsColumn(List<String> keyExpressions, String column) {
        return keyExpressions.stream().anyMatch(k -> catalogName(k).equals(column));
    }

    /** A column as {@code pg_attribute} holds it: unquoted, or folded to lower case as PostgreSQL folds it. */
    private static String catalogName(String column) {
        return column.length() > 1 && column.startsWith("\"") && column.endsWith("\"")
                ? column.substring(1, column.length() - 1).replace("\"\"", "\"") : column.toLowerCase(Locale.ROOT);
    }

    /**
     * The boot message for a conflict target without the distribution column of a Citus distributed table: Citus
     * refuses a unique index that does not include it, so the target must name it, and so must the index to create.
     */
    private static String withoutDistributionColumn(UpsertEntityPersister persister, String entity, String table,
                                                    String distributionColumn, List<String> keyPaths,
                                                    List<String> keyExpressions, String predicate,
                                                    List<UniqueKeyCatalog.UniqueKey> existing) {
        String attribute = null;
        var attributes = persister.getAttributeMappings();
        for (int i = 0; i < attributes.size(); i++) {
            AttributeMapping candidate = attributes.get(i);
            boolean[] maps = {false};
            candidate.forEachSelectable((n, s) -> maps[0] |= catalogName(s.getSelectionExpression()).equals(distributionColumn));
            if (maps[0]) {
                attribute = candidate.getAttributeName();
                break;
            }
        }
        if (attribute == null) {
            boolean[] maps = {false};
            persister.getIdentifierMapping().forEachSelectable((n, s) -> maps[0] |= catalogName(s.getSelectionExpression()).equals(distributionColumn));
            attribute = maps[0] ? persister.getIdentifierPropertyName() : null;
        }
        List<String> columns = new ArrayList<>();
        columns.add(distributionColumn);
        columns.addAll(keyExpressions);
        List<String> paths = new ArrayList<>();
        paths.add(attribute == null ? "<attribute of " + distributionColumn + ">" : attribute);
        paths.addAll(keyPaths);
        String target = "(" + String.join(", ", keyExpressions) + ")" + (predicate == null ? "" : " where " + predicate);
        return "@Upsert on " + entity + ": " + table + " is a Citus distributed table (distribution column "
                + distributionColumn + "), and Citus allows a unique key there only if it includes the distribution column,"
                + " so the conflict target " + target + " of attribute(s) " + String.join(", ", keyPaths)
                + " can never have a matching unique index (unique indexes: " + describe(existing) + "); add "
                + (attribute == null ? "an attribute mapped to " + distributionColumn
                        : "the attribute " + attribute + " (column " + distributionColumn + ")")
                + " to the key, @Upsert(on = {" + paths.stream().map(p -> "\"" + p + "\"").collect(Collectors.joining(", "))
                + "}), with a unique index on it (create unique index on " + table + " (" + String.join(", ", columns) + ")"
                + (predicate == null ? "" : " where " + predicate) + "), or target an existing one with @Upsert(constraint = ...)";
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

    /**
     * Whether a flush sends this entity's rows as {@link UnnestUpsertStatement} (one statement per chunk for every
     * action, one typed array per column); otherwise as the {@code VALUES} statements of {@link UpsertBatch}. Per feature:
     * <ul>
     * <li>catalog types, JSON, converters, enums: carried (each array is cast to the column's {@code format_type});</li>
     * <li>values generated on execution ({@code current_timestamp}) and generated columns: carried (written as SQL,
     *     returned like any column);</li>
     * <li>partitioned tables with generated ids: carried (inserted = the proposed, freshly generated id came back, no
     *     {@code xmax} needed); with ids the application assigns, under an unconditional {@code DO UPDATE}: carried
     *     (rows come back in order and {@code xmax} is asked afterwards, {@link #insertedFlagSql}); otherwise not
     *     carried, a retried row sends its stored id again, so the id coming back says nothing;</li>
     * <li>IDENTITY ids assigned by the insert (an entity with collections): not carried, no proposed id to match the
     *     inserted rows by;</li>
     * <li>a {@code @ColumnTransformer(write = ...)} expression: carried, applied to the unnested element, whose array
     *     has the type PostgreSQL gives the expression's parameter in Hibernate's own insert ({@link #parameterTypes});</li>
     * <li>an array-typed column: not carried, {@code unnest} would flatten it;</li>
     * <li>a key column the database generates: carried where every row comes back in order; elsewhere (a Citus
     *     distributed table) not, the proposed row's key is unknown before the statement.</li>
     * </ul>
     */
    boolean oneStatementPerChunk() {
        boolean inOrder = returnsEveryRow && !distributed;  // rows come back as proposed: none is matched by key
        if (identity) {
            return false;  // PostgreSQL assigns the id inside the insert, and Hibernate needs it at persist
        }
        if (arbiter == null || partitioned && !freshIds() && !inOrder) {
            return false;  // no xmax in RETURNING on a partitioned table (0A000); an assigned id coming back says nothing
        }
        for (int c = 0; c < columns.size(); c++) {
            Column column = columns.get(c);
            if (column.type() == null || column.type().endsWith("]")) {
                return false;  // unnest flattens every dimension of an array of arrays (and an unknown type names no array)
            }
            if (column.bound() && !"?".equals(column.value()) && (parameterTypes == null || parameterTypes[c] == null)) {
                return false;  // Describe of Hibernate's insert gives the write expression's parameter no single type
            }
        }
        Set<String> bound = columns.stream().filter(Column::bound).map(Column::name).collect(Collectors.toSet());
        // a plain key column the database generates is unknown before the statement: rows cannot be matched by key
        // (an expression key, lower(email), is computed over the proposed columns)
        return inOrder || arbiter.columns().stream().allMatch(k -> k.contains("(") || bound.contains(k));
    }

    /**
     * Every proposed id is new: generated before the statement (sequence, UUID, identity block), never one the
     * application may assign ({@code Assigned}, composite ids, generators that accept assigned values).
     */
    private boolean freshIds() {
        var generator = persister.getGenerator();
        return generator != null && !generator.allowAssignedIdentifiers()
                && !(generator instanceof org.hibernate.id.CompositeNestedGeneratedValueGenerator);
    }

    /** The JDBC values of one row, in {@link #columns} order. */
    Object[] jdbcValues(Object id, Object[] values, SharedSessionContractImplementor session) {
        Filling row = new Filling(new Object[columns.size()]);
        var attributes = persister.getAttributeMappings();
        for (int i = 0; i < attributes.size(); i++) {
            boolean[] inclusion = included[i];
            if (inclusion != null) {
                // the inclusion travels as the consumer's argument: one lambda for every row, none built per value
                attributes.get(i).decompose(values[i], 0, row, inclusion, (n, filling, included, value, selectable) -> {
                    if (included[n]) {
                        filling.values[filling.next++] = value;
                    }
                }, session);
            }
        }
        row.next += fixedColumns;  // a FIXED column: its SQL is its value, nothing is bound (its value stays null)
        if (!identity) {
            persister.getIdentifierMapping().decompose(id, 0, row, null,
                    (n, filling, unused, value, s) -> filling.values[filling.next++] = value, session);
        }
        return row.values;
    }

    /** A row's JDBC values and the next one to fill: the array is the row, sized once, never copied. */
    private static final class Filling {
        final Object[] values;
        int next;

        Filling(Object[] values) {
            this.values = values;
        }
    }

    /**
     * One proposed row as typed SQL, {@code (cast(? as text), cast(? as timestamp with time zone), ...)} in
     * {@link #columns} order and bound as {@link #bind} binds: for statements that use proposed values outside an
     * insert (a {@code VALUES} list joined to the table, a comparison), where untyped parameters would be text.
     */
    String typedRow() {
        return "(" + columns.stream().map(Column::typedValue).collect(Collectors.joining(", ")) + ")";
    }

    public void bind(PreparedStatement statement, Object[] jdbcValues, SharedSessionContractImplementor session) throws SQLException {
        bind(statement, jdbcValues, 0, session);
    }

    /**
     * Binds one row's values from parameter {@code offset + 1} on (row {@code r} of a multi-row statement), through
     * each column's Hibernate binder; returns the offset after them. Values generated on execution bind nothing.
     */
    public int bind(PreparedStatement statement, Object[] jdbcValues, int offset, SharedSessionContractImplementor session)
            throws SQLException {
        int position = offset;
        for (int c = 0; c < jdbcValues.length; c++) {
            Column column = columns.get(c);
            if (column.bound()) {
                if (column.timestamptz()) {
                    Timestamptz.bind(statement, ++position, jdbcValues[c], column.jdbcMapping(), session);
                    continue;
                }
                @SuppressWarnings("unchecked")
                var binder = (org.hibernate.type.descriptor.ValueBinder<Object>) column.jdbcMapping().getJdbcValueBinder();
                binder.bind(statement, jdbcValues[c], ++position, session);
            }
        }
        return position;
    }

    /** Reads the row the statement returned. */
    public StoredRow readReturned(ResultSet rs, SharedSessionContractImplementor session) throws SQLException {
        return read(rs, returned, session, false, partitioned);
    }

    /** Reads the row the stored-row SELECT found: a conflict left it untouched. */
    StoredRow readStored(ResultSet rs, SharedSessionContractImplementor session) throws SQLException {
        return read(rs, stored, session, true, false);
    }

    /** The id first, then each listed attribute as a domain value; the {@code (xmax = 0)} flag follows them. */
    private static StoredRow read(ResultSet rs, List<ReadBack> readBacks, SharedSessionContractImplementor session,
                                  boolean skipped, boolean partitioned) throws SQLException {
        Object id = null;
        Object[] values = new Object[readBacks.size()];
        for (int r = 0; r < readBacks.size(); r++) {
            ReadBack readBack = readBacks.get(r);
            Object value = readBack.jdbcMapping().convertToDomainValue(readBack.timestamptz()
                    ? Timestamptz.read(rs, readBack.position(), readBack.jdbcMapping(), session)
                    : readBack.jdbcMapping().getJdbcValueExtractor().extract(rs, readBack.position(), session));
            if (readBack.attributeIndex() < 0) {
                id = value;
            }
            values[r] = value;
        }
        // A partitioned table returns where the row is instead of the flag; the caller asks insertedFlagSql afterwards.
        boolean extra = !skipped && rs.getMetaData().getColumnCount() > readBacks.size();
        boolean inserted = extra && !partitioned && rs.getBoolean(readBacks.size() + 1);
        String locator = extra && partitioned ? rs.getString(readBacks.size() + 1) : null;
        return new StoredRow(id, readBacks, values, inserted, skipped, locator);
    }

    /**
     * A row as the database holds it after the statement; {@code skipped}: a conflict left it untouched.
     * {@code locator}: in a partitioned table, where the returned row version is ({@link OnConflictClause#LOCATOR}).
     */
    public record StoredRow(Object id, List<ReadBack> readBacks, Object[] values, boolean inserted, boolean skipped,
                            String locator) {

        public StoredRow(Object id, List<ReadBack> readBacks, Object[] values, boolean inserted, boolean skipped) {
            this(id, readBacks, values, inserted, skipped, null);
        }
    }

    private static boolean bound(SelectableMapping selectable) {
        return selectable.isInsertable() && !selectable.isFormula();
    }

    /** The unique index PostgreSQL infers as the arbiter of this conflict target, or null. */
    private static UniqueKeyCatalog.UniqueKey matchingIndex(List<String> keyExpressions, String predicate,
                                                           List<UniqueKeyCatalog.UniqueKey> existing) {
        List<UniqueKeyCatalog.UniqueKey> matching = matchingIndexes(keyExpressions, predicate, existing);
        return matching.isEmpty() ? null : matching.get(0);
    }

    /** The unique indexes PostgreSQL may choose as arbiters for this target (it uses every one that matches). */
    private static List<UniqueKeyCatalog.UniqueKey> matchingIndexes(List<String> keyExpressions, String predicate,
                                                                   List<UniqueKeyCatalog.UniqueKey> existing) {
        Set<String> wanted = keyExpressions.stream().map(UpsertPlan::normalize).collect(Collectors.toSet());
        List<UniqueKeyCatalog.UniqueKey> matching = new ArrayList<>();
        for (UniqueKeyCatalog.UniqueKey key : existing) {
            Set<String> columns = key.columns().stream().map(UpsertPlan::normalize).collect(Collectors.toSet());
            boolean samePredicate = predicate == null ? !key.partial() : key.partial() && normalize(predicate).equals(normalize(key.predicate()));
            if (columns.equals(wanted) && samePredicate && !key.deferrable()) {
                matching.add(key);
            }
        }
        return matching;
    }

    /**
     * A column as Hibernate reads it: its {@code @ColumnTransformer(read = ...)} expression, whose column references
     * Hibernate keeps qualified by a placeholder ({@link Template#TEMPLATE}), here left unqualified; they name the
     * table's row in {@code RETURNING} and in the stored-row SELECT alike.
     */
    private static String readExpression(SelectableMapping selectable) {
        String custom = selectable.getCustomReadExpression();
        return custom == null || custom.isBlank() ? selectable.getSelectionExpression() : custom.replace(Template.TEMPLATE + ".", "");
    }

    private static Column column(SelectableMapping selectable, int attributeIndex, String value, TableCatalog catalog) {
        String type = catalog.typeOf(selectable.getSelectionExpression());
        String typed = type == null ? value : "cast(" + value + " as " + type + ")";
        // a plain parameter of a timestamptz column: bound without the Calendar of Hibernate's binder (Timestamptz#bind)
        boolean timestamptz = "?".equals(value) && Timestamptz.applies(selectable.getJdbcMapping(), type);
        return new Column(selectable.getSelectionExpression(), attributeIndex, selectable.getJdbcMapping(), value, typed, type,
                timestamptz);
    }

    /**
     * The stored row for a proposed one, found exactly as the arbiter index finds it: its key expressions over the
     * proposed values (typed, so a timestamp or an enum compares as itself, not as text), under the index's
     * collation, with {@code is not distinct from} where the index treats NULLs as equal, within its predicate.
     */
    private static String storedRowSql(String table, String internal, List<String> stored, List<Column> columns,
                                       UniqueKeyCatalog.UniqueKey arbiter, String predicate, String tenantGuard,
                                       Discriminator discriminator) {
        List<String> keys = new ArrayList<>(arbiter.columns());
        List<String> names = new ArrayList<>();
        List<String> conditions = new ArrayList<>();
        String proposedRow = internal + "proposed";
        for (int k = 0; k < keys.size(); k++) {
            String name = internal + "k" + (k + 1);
            names.add(name);
            conditions.add(keyEquals(arbiter, k, keys.get(k), proposedRow + "." + name));
        }
        if (tenantGuard != null) {
            // only the session's tenant's row: another tenant's row with this key is not the entity's to receive
            keys.add(tenantGuard);
            names.add(internal + "tenant");
            conditions.add(tenantGuard + " = " + proposedRow + "." + internal + "tenant");
        }
        if (discriminator != null) {
            conditions.add(discriminator.isOwnType());  // a row of another entity type is not this entity's to receive
        }
        // the derived table exposes only prefixed names: every unqualified name in the rest is the table's
        String proposed = columns.stream().map(c -> c.typedValue() + " as " + c.name()).collect(Collectors.joining(", "));
        return "select " + String.join(", ", stored) + " from " + table
                + " join (select " + String.join(", ", keys) + " from (select " + proposed + ") as " + internal + "excluded)"
                + " as " + proposedRow + " (" + String.join(", ", names) + ") on " + String.join(" and ", conditions)
                + (predicate == null ? "" : " and (" + predicate + ")");
    }

    /** The first of {@code upsert_}, {@code upsert1_}, ... that neither the table's name nor one of its columns starts with. */
    static String internalPrefix(TableCatalog catalog, String tableName) {
        List<String> names = new ArrayList<>();
        catalog.types().keySet().forEach(c -> names.add(c.toLowerCase(Locale.ROOT)));
        names.add(unquote(tableName).toLowerCase(Locale.ROOT));
        for (int n = 0; ; n++) {
            String prefix = "upsert" + (n == 0 ? "" : String.valueOf(n)) + "_";
            if (names.stream().noneMatch(name -> name.startsWith(prefix))) {
                return prefix;
            }
        }
    }

    private static String unquote(String name) {
        return name.length() > 1 && name.startsWith("\"") && name.endsWith("\"")
                ? name.substring(1, name.length() - 1).replace("\"\"", "\"") : name;
    }

    private static boolean contains(List<String> expressions, String column) {
        return expressions.stream().map(UpsertPlan::normalize).anyMatch(normalize(column)::equals);
    }

    /**
     * Key column {@code k} of a stored row ({@code existing}) equals a proposed one as the arbiter index compares them:
     * under its collation, with its operator class's equality, NULLs equal only where the index says so.
     */
    static String keyEquals(UniqueKeyCatalog.UniqueKey arbiter, int k, String existing, String proposed) {
        String collation = arbiter.collations().get(k);
        String left = "(" + existing + ")" + (collation.isEmpty() ? "" : " collate " + collation);
        String equal = left + " " + arbiter.equalities().get(k) + " " + proposed;
        return arbiter.nullsNotDistinct() ? "(" + equal + " or (" + left + " is null and " + proposed + " is null))" : equal;
    }

    /**
     * For a partitioned table: whether each returned row was inserted, asked right after the statement in its
     * transaction ({@code xmax = 0} marks a row version this transaction inserted; facts A2). Selecting {@code xmax}
     * from a partitioned table works where returning it does not.
     */
    String insertedFlagSql(int rows) {
        return insertedFlagHead + String.join(", ", java.util.Collections.nCopies(rows, "cast(? as tid)")) + ")";
    }

    /**
     * Every statement this plan can send, by shape, for the boot check: PostgreSQL parses each (nothing runs), so a
     * name of the application's that a statement cannot take fails the boot, not a flush.
     */
    public Map<String, String> statementShapes() {
        Map<String, String> shapes = new LinkedHashMap<>();
        shapes.put("upsert statement", sql);
        // an unconditional DO UPDATE returns every row: nothing is read back (and a generated key could not be)
        boolean readBack = !clause.returnsEveryRow();
        if (readBack) {
            shapes.put("stored-row read-back", storedRowSql);
        }
        if (partitioned) {
            shapes.put("inserted-flag query", insertedFlagSql(2));
        }
        if (tenantGuard != null) {
            shapes.put("insert of a key held by another tenant", plainInsertSql);
        }
        if (discriminatorGuard != null) {
            shapes.put("insert of a key held by another entity type", plainInsertSql);
        }
        UnnestUpsertStatement unnest = UnnestUpsertStatement.build(this);
        if (unnest != null) {
            shapes.put("one-statement-per-chunk upsert", unnest.sql);
            if (readBack) {
                shapes.put("one-statement-per-chunk read-back", unnest.lookupSql);
            }
        }
        return shapes;
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

    /**
     * The {@code @SoftDelete} indicator of an entity: its column, the SQL of its not-deleted value ({@code false},
     * {@code 'Y'}; {@code null} for the TIMESTAMP strategy of Hibernate 7), written by the insert and by every
     * {@code DO UPDATE}, so that an upsert of a soft-deleted key brings the stored row back.
     */
    record SoftDelete(SelectableMapping column, String notDeleted) {

        static SoftDelete of(UpsertEntityPersister persister) {
            // SoftDeleteMapping is a SelectableMapping on 6.6 and 7.x; its write expression is the not-deleted literal
            SelectableMapping mapping = persister.getSoftDeleteMapping();
            if (mapping == null) {
                return null;
            }
            String literal = mapping.getWriteExpression();
            return new SoftDelete(mapping, literal == null || literal.isBlank() ? "null" : literal);
        }

        OnConflictClause.Revive revive() {
            return new OnConflictClause.Revive(column.getSelectionExpression(), notDeleted);
        }
    }

    /**
     * The discriminator of an entity of a SINGLE_TABLE hierarchy: its column and the SQL of the entity's value
     * ({@code 'C'}, {@code 2}), written by the insert as Hibernate's own insert writes it, and the guard that
     * confines a conflict and a read-back to rows of that value.
     */
    public record Discriminator(SelectableMapping column, String value) {

        static Discriminator of(UpsertEntityPersister persister) {
            // null/not-null discriminator values and formulas are refused at boot (UpsertMapping)
            return new Discriminator(persister.getDiscriminatorMapping(), persister.getDiscriminatorSQLValue());
        }

        /** The stored row (the table's, named {@code qualifier} in {@code DO UPDATE}) is of the proposed row's type. */
        String sameType(String qualifier) {
            String name = column.getSelectionExpression();
            return qualifier + "." + name + " = excluded." + name;
        }

        /** A row of the table (unqualified names) is of this entity's type. */
        String isOwnType() {
            return column.getSelectionExpression() + " = " + value;
        }
    }
}
