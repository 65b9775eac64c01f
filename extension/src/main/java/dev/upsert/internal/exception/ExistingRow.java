package dev.upsert.internal.exception;

import dev.upsert.internal.catalog.UniqueKeyCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.persistence.EntityManager;

import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.metamodel.mapping.BasicValuedModelPart;
import org.hibernate.persister.entity.EntityPersister;

import dev.upsert.DuplicateKeyException;

/**
 * Implements {@link DuplicateKeyException#findExisting}: finds the row that holds the key with the unique index's own
 * expressions and predicate (read again from the catalog), then loads it through the EntityManager.
 */
public final class ExistingRow {

    private ExistingRow() {
    }

    public static <T> Optional<T> find(DuplicateKeyException duplicate, EntityManager em, Class<T> type) {
        SessionImplementor session;
        try {
            session = em.unwrap(SessionImplementor.class);
        } catch (IllegalStateException e) {
            // Spring's shared EntityManager outside a transaction has no session to unwrap
            throw new IllegalStateException("findExisting: this EntityManager has no usable session (" + e.getMessage()
                    + "); call it inside a transaction (@Transactional, TransactionTemplate) or pass "
                    + "emf.createEntityManager()", e);
        }
        EntityPersister persister;
        try {
            persister = session.getFactory().getMappingMetamodel().getEntityDescriptor(type);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("findExisting: " + type.getName() + " is not an entity of this EntityManager's"
                    + " persistence unit; pass the entity mapped to table " + duplicate.getTableName(), e);
        }
        if (!DuplicateKeyContext.sameTable(persister.getMappedTableDetails().getTableName(), duplicate.getSchemaName(),
                duplicate.getTableName())) {
            throw new IllegalArgumentException("findExisting: entity " + type.getSimpleName() + " maps table "
                    + persister.getMappedTableDetails().getTableName() + ", not " + duplicate.getSchemaName() + "."
                    + duplicate.getTableName() + " where the duplicate key is; pass the entity of that table");
        }
        Map<String, Object> values = duplicate.getKeyValues();
        if (values.isEmpty()) {
            return Optional.empty();
        }
        BasicValuedModelPart basicId = persister.getIdentifierMapping().asBasicValuedModelPart();
        String table = quote(duplicate.getSchemaName()) + "." + quote(duplicate.getTableName());
        Object found = session.doReturningWork(connection -> {
            try {
                return keyHolder(connection, session, table, duplicate, values, basicId);
            } catch (SQLException e) {
                if ("25P02".equals(e.getSQLState())) {
                    throw new IllegalStateException("findExisting needs a usable EntityManager: this one's transaction"
                            + " was aborted by the duplicate key (SQLSTATE 25P02); roll it back or use a new EntityManager", e);
                }
                throw e;
            }
        });
        if (found == null) {
            return Optional.empty();
        }
        if (basicId != null) {
            return Optional.ofNullable(em.find(type, found));
        }
        // a composite id: load the row by its physical address, read a moment ago
        List<?> rows = em.createNativeQuery("select * from " + table + " where ctid = cast(:ctid as tid)", type)
                .setParameter("ctid", found).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of(type.cast(rows.get(0)));
    }

    /** The id (or, for a composite id, the ctid) of the row holding the key, or null. */
    private static Object keyHolder(Connection connection, SessionImplementor session, String table,
                                    DuplicateKeyException duplicate, Map<String, Object> values,
                                    BasicValuedModelPart basicId) throws SQLException {
        String predicate = predicate(connection, table, duplicate.getConstraintName());
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("select ")
                .append(basicId != null ? basicId.getSelectionExpression() : "ctid::text")
                .append(" from ").append(table).append(" where ");
        String and = "";
        for (Map.Entry<String, Object> value : values.entrySet()) {
            sql.append(and).append('(').append(value.getKey()).append(')');
            if (value.getValue() == null) {
                sql.append(" is null");
            } else {
                sql.append(" = ?");
                parameters.add(value.getValue());
            }
            and = " and ";
        }
        if (predicate != null) {
            sql.append(" and (").append(predicate).append(')');
        }
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                Object value = parameters.get(i);
                if (value instanceof String text) {
                    // untyped: PostgreSQL infers the column's type and parses the text as DETAIL printed it
                    statement.setObject(i + 1, text, Types.OTHER);
                } else {
                    statement.setObject(i + 1, value);
                }
            }
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return basicId == null ? rs.getString(1) : basicId.getJdbcMapping().convertToDomainValue(
                        basicId.getJdbcMapping().getJdbcValueExtractor().extract(rs, 1, session));
            }
        }
    }

    /** The unique index's predicate, so a partial index's live row is found, not an archived one with the same key. */
    private static String predicate(Connection connection, String table, String indexName) throws SQLException {
        for (UniqueKeyCatalog.UniqueKey key : UniqueKeyCatalog.uniqueKeysOf(connection, table)) {
            if (key.name().equals(indexName)) {
                return key.predicate();
            }
        }
        return null;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
