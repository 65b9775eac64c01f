package dev.upsert.internal.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.persistence.EntityManager;

import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.metamodel.mapping.AttributeMapping;
import org.hibernate.metamodel.mapping.BasicValuedModelPart;
import org.hibernate.metamodel.mapping.JdbcMapping;
import org.hibernate.metamodel.mapping.ModelPart;
import org.hibernate.persister.entity.EntityPersister;

import dev.upsert.DuplicateGroup;
import dev.upsert.DuplicateScan;

/**
 * Rows that share a value of some columns: {@link DuplicateScan#find} for users, and the count of such groups for
 * the boot check that finds no unique index for an {@code @Upsert} target.
 */
public final class DuplicateRows {

    private DuplicateRows() {
    }

    public static List<DuplicateGroup> find(EntityManager em, Class<?> entityClass, String... attributes) {
        SessionImplementor session = em.unwrap(SessionImplementor.class);
        EntityPersister persister;
        try {
            persister = session.getFactory().getMappingMetamodel().getEntityDescriptor(entityClass);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("DuplicateScan: " + entityClass.getName()
                    + " is not an entity of this EntityManager's persistence unit", e);
        }
        String entity = entityClass.getSimpleName();
        if (attributes == null || attributes.length == 0) {
            throw new IllegalArgumentException("DuplicateScan on " + entity + ": name the attributes of the would-be unique"
                    + " key, e.g. DuplicateScan.find(em, " + entity + ".class, \"email\")");
        }
        BasicValuedModelPart id = persister.getIdentifierMapping().asBasicValuedModelPart();
        if (id == null) {
            throw new IllegalArgumentException("DuplicateScan on " + entity + ": the entity has a composite id;"
                    + " DuplicateScan lists ids of entities with a single-column id only");
        }
        List<BasicValuedModelPart> key = new ArrayList<>();
        for (String path : attributes) {
            ModelPart part = path == null ? null : persister.findByPath(path);
            if (part == null) {
                List<String> existing = new ArrayList<>();
                persister.forEachAttributeMapping(a -> existing.add(a.getAttributeName()));
                throw new IllegalArgumentException("DuplicateScan on " + entity + ": attribute '" + path
                        + "' does not exist (attributes: " + String.join(", ", existing) + ")");
            }
            BasicValuedModelPart basic = part.asBasicValuedModelPart();
            if (basic == null || basic.isFormula()) {
                throw new IllegalArgumentException("DuplicateScan on " + entity + ": attribute '" + path + "' is not a"
                        + " basic column; name basic attributes, embedded ones by path (e.g. \"key.tenantId\")");
            }
            key.add(basic);
        }
        List<String> columns = key.stream().map(BasicValuedModelPart::getSelectionExpression).toList();
        String table = persister.getMappedTableDetails().getTableName();
        String sql = "select " + String.join(", ", columns) + ", count(*), array_agg(" + id.getSelectionExpression()
                + " order by " + id.getSelectionExpression() + ") from " + table + " where " + notNull(columns)
                + " group by " + String.join(", ", columns) + " having count(*) > 1 order by count(*) desc, "
                + String.join(", ", columns);
        return session.doReturningWork(connection -> {
            List<DuplicateGroup> groups = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> values = new LinkedHashMap<>();
                    for (int i = 0; i < key.size(); i++) {
                        JdbcMapping mapping = key.get(i).getJdbcMapping();
                        values.put(attributes[i], mapping.convertToDomainValue(
                                mapping.getJdbcValueExtractor().extract(rs, i + 1, session)));
                    }
                    long rows = rs.getLong(key.size() + 1);
                    Array array = rs.getArray(key.size() + 2);
                    List<Object> ids = new ArrayList<>();
                    JdbcMapping idMapping = id.getJdbcMapping();
                    for (Object element : (Object[]) array.getArray()) {
                        ids.add(idMapping.convertToDomainValue(idMapping.getJdbcJavaType().wrap(element, session)));
                    }
                    array.free();
                    groups.add(new DuplicateGroup(values, rows, ids));
                }
            }
            return groups;
        });
    }

    /**
     * For the boot check: what to do about a missing unique index on {@code columns}, with the count of groups that
     * would stop it ("resolve them first") and the DDL; a fragment ending in ", " for the problem line.
     */
    public static String createIndexAdvice(Connection connection, String table, List<String> columns, String predicate) {
        String tableName = table.substring(table.lastIndexOf('.') + 1).replace("\"", "");
        String indexName = (tableName + "_" + columns.stream().map(c -> c.replace("\"", "")).collect(Collectors.joining("_")) + "_key")
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (indexName.length() > 63) {
            indexName = indexName.substring(0, 63);
        }
        String ddl = "create unique index concurrently " + indexName + " on " + table + " (" + String.join(", ", columns) + ")"
                + (predicate == null ? "" : " where " + predicate);
        Long groups = countGroups(connection, table, columns, predicate);
        if (groups == null) {
            return "create that index (" + ddl + "), ";
        }
        if (groups == 0) {
            return "create that index (no two rows share a value of " + String.join(", ", columns) + ", so it can be built"
                    + " now: " + ddl + "), ";
        }
        return "create that index once the duplicates are resolved (" + groups + (groups == 1 ? " group" : " groups")
                + " of rows share a value of " + String.join(", ", columns) + "; dev.upsert.DuplicateScan.find lists them;"
                + " then: " + ddl + "), ";
    }

    /** How many groups of rows share a value of {@code columns} (NULLs distinct); null when it cannot be read. */
    static Long countGroups(Connection connection, String table, List<String> columns, String predicate) {
        String sql = "select count(*) from (select 1 from " + table + " where " + notNull(columns)
                + (predicate == null ? "" : " and (" + predicate + ")") + " group by " + String.join(", ", columns)
                + " having count(*) > 1) as duplicates";
        Savepoint savepoint = null;
        try {
            savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
            try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            try {
                if (savepoint != null) {
                    connection.rollback(savepoint);  // an error aborts an open transaction; the other checks still run
                }
            } catch (SQLException ignored) {
                // the check's own line says what is wrong; this count is an extra
            }
            return null;
        }
    }

    private static String notNull(List<String> columns) {
        return columns.stream().map(c -> c + " is not null").collect(Collectors.joining(" and "));
    }
}
