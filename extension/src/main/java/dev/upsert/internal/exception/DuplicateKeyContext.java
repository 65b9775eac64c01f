package dev.upsert.internal.exception;

import dev.upsert.internal.boot.DuplicateKeyServices;
import dev.upsert.internal.settings.UpsertSettingValues;
import dev.upsert.internal.catalog.UniqueKeyCatalog;
import java.math.BigInteger;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.metamodel.mapping.AttributeMapping;
import org.hibernate.metamodel.mapping.EmbeddableValuedModelPart;
import org.hibernate.metamodel.mapping.JdbcMapping;
import org.hibernate.metamodel.mapping.ModelPart;
import org.hibernate.metamodel.mapping.BasicEntityIdentifierMapping;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.service.Service;
import org.hibernate.service.spi.Stoppable;
import org.hibernate.type.descriptor.java.JavaType;

import dev.upsert.DuplicateKeyException;
import dev.upsert.SequenceDrift;
import dev.upsert.UpsertSettings;
import dev.upsert.internal.exception.DuplicateKeyWrites.InFlight;
import dev.upsert.internal.exception.DuplicateKeyWrites.Written;
import dev.upsert.internal.catalog.UniqueKeyCatalog.UniqueKey;

/**
 * What one SessionFactory knows to turn a 23505 into a {@link DuplicateKeyException}: the catalog (columns of the
 * constraint, read at boot), the metamodel (entity and attributes of the table) and the setting that lets values
 * into messages. A service of the SessionFactory's own registry ({@link DuplicateKeyServices}), so that whoever holds
 * a session finds it; nothing static. Conversion runs only when a statement has already failed, and never waits for
 * a connection.
 */
public final class DuplicateKeyContext implements Service, Stoppable {

    private static final Pattern IDENTIFIER = Pattern.compile("\"((?:[^\"]|\"\")*)\"|([\\p{L}_][\\p{L}\\p{N}_$]*)");

    private final SessionFactoryImplementor factory;
    private final UniqueKeyCatalog catalog;
    private final boolean includeValues;
    private volatile SequenceDriftCheck sequences;
    private final ConcurrentMap<String, List<EntityPersister>> persistersByTable = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, EntityColumns> columnsByEntityAndTable = new ConcurrentHashMap<>();

    /** An entity's columns in one table: normalized column name to the attribute path and top-level part. */
    private record EntityColumns(Map<String, Column> columns) {
    }

    private record Column(String attributePath, ModelPart topLevel, boolean identifier, String selection,
                          JdbcMapping jdbcMapping) {
    }

    /** A DETAIL value that does not convert exactly to the attribute's type. */
    private static final Object NOT_EXACT = new Object();

    public DuplicateKeyContext(SessionFactoryImplementor factory) {
        this.factory = factory;
        this.catalog = new UniqueKeyCatalog(factory.getJdbcServices().getBootstrapJdbcConnectionAccess(),
                factory.getName() != null ? factory.getName() : factory.getUuid());
        this.includeValues = UpsertSettingValues.flag(factory.getServiceRegistry().requireService(ConfigurationService.class),
                UpsertSettings.EXCEPTION_INCLUDE_VALUES, false);
    }

    public SessionFactoryImplementor factory() {
        return factory;
    }

    /** The generated ids and their sequences; built on first use, when the persisters exist. */
    public SequenceDriftCheck sequences() {
        SequenceDriftCheck check = sequences;
        if (check == null) {
            sequences = check = new SequenceDriftCheck(factory);
        }
        return check;
    }

    /** The entity of a row being written to the error's table, or null: the statement wrote none (native SQL, HQL). */
    Class<?> writtenEntity(DuplicateKeyServerError error, List<Written> written) {
        List<EntityPersister> persisters = persisters(error.schema(), error.table());
        for (Written row : written) {
            if (persisters.contains(row.persister())) {
                return row.persister().getMappedClass();
            }
        }
        return null;
    }

    public UniqueKeyCatalog catalog() {
        return catalog;
    }

    @Override
    public void stop() {
        catalog.stop();
    }

    boolean mapsTable(String schema, String table) {
        return !persisters(schema, table).isEmpty();
    }

    /**
     * {@code error} with the logical schema, table and index when it names a Citus shard's index and carries no fields
     * (a worker's error re-raised by the coordinator), from what the catalog knows; else {@code error} itself.
     */
    DuplicateKeyServerError logical(DuplicateKeyServerError error) {
        String index = error.reportedIndex();
        if (index == null) {
            return error;
        }
        return catalog.findShardIndex(index).map(key -> error.resolved(key.schema(), key.table(), key.name())).orElse(error);
    }

    DuplicateKeyException convert(DuplicateKeyServerError reported, SQLException root, String sql, InFlight inFlight) {
        DuplicateKeyServerError error = logical(reported);
        Optional<UniqueKey> key = catalog.find(error.schema(), error.constraint());
        List<String> columns = key.map(UniqueKey::columns).orElseGet(() -> DuplicateKeyDetail.columns(error.detail()));
        boolean nullsEqual = key.map(UniqueKey::nullsNotDistinct).orElse(false);
        List<EntityPersister> persisters = persisters(error.schema(), error.table());
        List<Written> candidates = new ArrayList<>();
        for (Written row : inFlight.rows()) {
            if (persisters.contains(row.persister())) {
                candidates.add(row);
            }
        }
        // rows of the table dropped for room: the failing one may be among them, so no remaining row is proof
        boolean complete = persisters.stream().allMatch(inFlight::complete);
        EntityPersister entity = entity(persisters, candidates);
        Map<String, Object> values = null;
        if (entity != null && !columns.isEmpty() && complete) {
            values = rowValues(entity, error, columns, candidates);
            if (values != null && !nullsEqual && values.containsValue(null)) {
                // a NULL never conflicts in a unique index: the entity did not know that value yet (an IDENTITY id
                // or another value the database generates), so the row's values are not the failing ones
                values = null;
            }
        }
        if (values == null) {
            values = entity == null ? detailValues(error.detail(), columns)
                    : detailValues(error.detail(), columns, entityColumns(entity, error.table()).columns());
        }
        List<String> attributes = entity == null ? List.of() : attributes(entity, error.table(), columns);
        SequenceDrift drift = sequences().afterViolation(error.schema(), error.table(), columns).orElse(null);
        // the driver's exception, the cause, prints DETAIL in a stack trace unless the values were asked for
        return new DuplicateKeyException(includeValues ? root : RedactedErrors.withoutValues(root), sql, error.constraint(),
                error.schema(), error.table(), columns, entity == null ? null : entity.getMappedClass(), attributes, values,
                drift, includeValues);
    }

    /**
     * The failing row's values, or null when it cannot be told which row of the table failed. The row whose values
     * print as DETAIL's, if exactly one does and every candidate's values print as PostgreSQL prints them; else the
     * only row of the table being written, whatever DETAIL says (hidden, translated, or printed differently).
     */
    private Map<String, Object> rowValues(EntityPersister entity, DuplicateKeyServerError error, List<String> columns,
                                          List<Written> candidates) {
        List<Map<String, Object>> byRow = new ArrayList<>();
        for (Written row : candidates) {
            byRow.add(row.persister() == entity ? entityValues(entity, error.table(), row, columns) : null);
        }
        String valueText = DuplicateKeyDetail.valueText(error.detail(), columns);
        if (valueText != null) {
            Map<String, Object> matched = null;
            boolean ambiguous = false;
            boolean printable = true;
            for (Map<String, Object> values : byRow) {
                String text = values == null ? null : text(values);
                printable &= text != null;
                if (valueText.equals(text)) {
                    // two rows printing alike: (x, "y, z") and ("x, y", z), or NULL and 'null'
                    ambiguous |= matched != null && !matched.equals(values);
                    matched = values;
                }
            }
            if (matched != null && !ambiguous && printable) {
                return matched;
            }
        }
        return candidates.size() == 1 ? byRow.get(0) : null;
    }

    /** Without a SessionFactory: the server's fields and, from an English DETAIL, plain column names and values. */
    static DuplicateKeyException convertAlone(DuplicateKeyServerError error, SQLException root, String sql) {
        List<String> columns = DuplicateKeyDetail.columns(error.detail());
        return new DuplicateKeyException(RedactedErrors.withoutValues(root), sql, error.constraint(), error.schema(),
                error.table(), columns, null, List.of(), detailValues(error.detail(), columns), false);
    }

    /** DETAIL's value texts, as printed: no attribute says what type they are. */
    private static Map<String, Object> detailValues(String detail, List<String> columns) {
        return detailValues(detail, columns, Map.of());
    }

    /**
     * DETAIL's values, each converted to the JDBC Java type of the entity's column, as a row of the entity gives
     * them; a key expression such as {@code lower(email)}, whose value no attribute holds, stays as printed. All or
     * nothing: one value that does not convert exactly leaves every value unknown.
     */
    private static Map<String, Object> detailValues(String detail, List<String> columns, Map<String, Column> mapped) {
        List<String> parsed = DuplicateKeyDetail.values(detail, columns);
        if (parsed.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            Column column = mapped.get(plainName(columns.get(i)));
            Object value = column == null ? parsed.get(i) : fromDetail(column.jdbcMapping(), parsed.get(i));
            if (value == NOT_EXACT) {
                return Map.of();
            }
            values.put(columns.get(i), value);
        }
        return values;
    }

    /**
     * A value as PostgreSQL's output function printed it, as the column's JDBC Java type, or {@link #NOT_EXACT} when
     * Hibernate's {@code JavaType} does not read it back to the same text (a timestamp, printed in the session's
     * DateStyle and TimeZone, for example).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object fromDetail(JdbcMapping mapping, String text) {
        JavaType type = mapping.getJdbcJavaType();
        Class<?> javaClass = type.getJavaTypeClass();
        if (javaClass == String.class) {
            return "null".equals(text) ? NOT_EXACT : text;  // SQL NULL and the text 'null' print alike
        }
        if ("null".equals(text)) {
            return null;
        }
        if (javaClass == Boolean.class) {
            return "t".equals(text) ? Boolean.TRUE : "f".equals(text) ? Boolean.FALSE : NOT_EXACT;
        }
        try {
            Object value = type.fromString(text);
            return value != null && text.equals(type.toString(value)) ? value : NOT_EXACT;
        } catch (RuntimeException e) {
            return NOT_EXACT;
        }
    }

    /** The written entity when one row of the table's persisters was written, else the table's only root entity. */
    private static EntityPersister entity(List<EntityPersister> persisters, List<Written> candidates) {
        if (persisters.isEmpty()) {
            return null;
        }
        Set<EntityPersister> written = new LinkedHashSet<>();
        candidates.forEach(c -> written.add(c.persister()));
        if (written.size() == 1) {
            return written.iterator().next();
        }
        Set<EntityPersister> roots = new LinkedHashSet<>();
        persisters.forEach(p -> roots.add(p.getRootEntityDescriptor().getEntityPersister()));
        if (roots.size() != 1) {
            return null;
        }
        EntityPersister root = roots.iterator().next();
        return persisters.contains(root) ? root : persisters.get(0);
    }

    /** This row's JDBC values for every key column, or null when a column is not a plain column of the entity. */
    private Map<String, Object> entityValues(EntityPersister entity, String table, Written row, List<String> keyColumns) {
        Map<String, Column> mapped = entityColumns(entity, table).columns();
        Map<String, Object> jdbcValues = new LinkedHashMap<>();
        try {
            for (String keyColumn : keyColumns) {
                Column column = mapped.get(plainName(keyColumn));
                if (column == null) {
                    return null;
                }
                if (!jdbcValues.containsKey(column.selection())) {
                    Object domainValue = column.identifier() ? row.id()
                            : row.state()[((AttributeMapping) column.topLevel()).getStateArrayPosition()];
                    column.topLevel().breakDownJdbcValues(domainValue, 0, null, null,
                            (i, x, y, value, selectable) -> jdbcValues.put(normalize(selectable.getSelectionExpression()), value),
                            row.session());
                }
            }
        } catch (RuntimeException e) {
            // an unusual mapping (IdClass, custom types): fall back to DETAIL rather than fail the conversion
            return null;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (String keyColumn : keyColumns) {
            String name = plainName(keyColumn);
            if (!jdbcValues.containsKey(name)) {
                return null;
            }
            values.put(keyColumn, jdbcValues.get(name));
        }
        return values;
    }

    /**
     * The value list as PostgreSQL prints it in DETAIL, or null when a value's type prints differently there (a
     * timestamp in the session's DateStyle, a numeric with the column's scale): only then is a textual match proof.
     */
    private static String text(Map<String, Object> values) {
        StringBuilder s = new StringBuilder();
        boolean first = true;
        for (Object value : values.values()) {
            String printed;
            if (value == null) {
                printed = "null";
            } else if (value instanceof String || value instanceof Long || value instanceof Integer
                    || value instanceof Short || value instanceof BigInteger || value instanceof UUID) {
                printed = value.toString();
            } else if (value instanceof Boolean b) {
                printed = b ? "t" : "f";
            } else {
                return null;
            }
            s.append(first ? "" : ", ").append(printed);
            first = false;
        }
        return s.toString();
    }

    private List<String> attributes(EntityPersister entity, String table, List<String> keyColumns) {
        Map<String, Column> mapped = entityColumns(entity, table).columns();
        Set<String> attributes = new LinkedHashSet<>();
        for (String keyColumn : keyColumns) {
            Column column = mapped.get(plainName(keyColumn));
            if (column != null) {
                if (!column.attributePath().isEmpty()) {
                    attributes.add(column.attributePath());
                }
                continue;
            }
            // an expression such as lower(email) or (a || b): the attributes of the columns it uses
            Matcher m = IDENTIFIER.matcher(keyColumn);
            while (m.find()) {
                String name = m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2).toLowerCase(Locale.ROOT);
                Column used = mapped.get(name);
                if (used != null && !keyColumn.substring(m.end()).stripLeading().startsWith("(")) {
                    attributes.add(used.attributePath());
                }
            }
        }
        return List.copyOf(attributes);
    }

    private List<EntityPersister> persisters(String schema, String table) {
        if (table == null) {
            return List.of();
        }
        return persistersByTable.computeIfAbsent(schema + '\u0000' + table, k -> {
            List<EntityPersister> found = new ArrayList<>();
            factory.getMappingMetamodel().forEachEntityDescriptor(p -> {
                if (sameTable(p.getMappedTableDetails().getTableName(), schema, table)) {
                    found.add(p);
                }
            });
            return List.copyOf(found);
        });
    }

    private EntityColumns entityColumns(EntityPersister entity, String table) {
        return columnsByEntityAndTable.computeIfAbsent(entity.getEntityName() + '\u0000' + table, k -> {
            Map<String, Column> columns = new LinkedHashMap<>();
            ModelPart id = entity.getIdentifierMapping();
            // a basic id's part name may be the role "{id}"; the attribute's own name is what users know
            String idName = id instanceof BasicEntityIdentifierMapping ? entity.getIdentifierPropertyName()
                    : id.getPartName().startsWith("{") ? "" : id.getPartName();
            walk(idName, id, id, true, table, columns);
            entity.forEachAttributeMapping(a -> walk(a.getAttributeName(), a, a, false, table, columns));
            return new EntityColumns(Map.copyOf(columns));
        });
    }

    private static void walk(String path, ModelPart part, ModelPart topLevel, boolean identifier, String table,
                             Map<String, Column> columns) {
        if (part instanceof EmbeddableValuedModelPart embedded) {
            embedded.getEmbeddableTypeDescriptor().forEachAttributeMapping(a -> walk(
                    path.isEmpty() ? a.getAttributeName() : path + "." + a.getAttributeName(), a, topLevel, identifier,
                    table, columns));
            return;
        }
        part.forEachSelectable((i, selectable) -> {
            if (!selectable.isFormula() && sameTable(selectable.getContainingTableExpression(), null, table)) {
                String name = normalize(selectable.getSelectionExpression());
                columns.putIfAbsent(name, new Column(path, topLevel, identifier, name, selectable.getJdbcMapping()));
            }
        });
    }

    /** Whether Hibernate's rendered (maybe qualified, maybe quoted) table name is the server's schema and table. */
    public static boolean sameTable(String rendered, String schema, String table) {
        if (rendered == null) {
            return false;
        }
        List<String> parts = splitQualified(rendered);
        if (!normalize(parts.get(parts.size() - 1)).equals(table)) {
            return false;
        }
        return schema == null || parts.size() < 2 || normalize(parts.get(parts.size() - 2)).equals(schema);
    }

    /** A catalog column as a plain name (quoted names unquoted); an expression stays as it is. */
    static String plainName(String catalogColumn) {
        return normalize(catalogColumn);
    }

    /** An SQL identifier as PostgreSQL stores it: quoted ones verbatim, unquoted ones folded to lower case. */
    public static String normalize(String identifier) {
        String s = identifier.strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1).replace("\"\"", "\"");
        }
        if (s.length() >= 2 && s.startsWith("`") && s.endsWith("`")) {
            return s.substring(1, s.length() - 1);
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private static List<String> splitQualified(String name) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == '.' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
