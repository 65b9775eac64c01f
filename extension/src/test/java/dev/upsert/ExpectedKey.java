package dev.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.List;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The unique key a {@link DuplicateKeyException} should name: everything but the key values, which depend on the path
 * the duplicate took (entity, batch, DETAIL) and are asserted by each test.
 */
public record ExpectedKey(String constraint, String table, List<String> columns, Class<?> entity, List<String> attributes) {

    /** A key whose columns are the attributes' own. */
    public static ExpectedKey of(String constraint, String table, Class<?> entity, String... columns) {
        return new ExpectedKey(constraint, table, List.of(columns), entity, List.of(columns));
    }

    /** Constraint, schema, table, columns, entity and attributes of {@code e}. */
    public void assertNamedBy(DuplicateKeyException e, String schema) {
        assertThat(e.getConstraintName()).isEqualTo(constraint);
        assertThat(e.getSchemaName()).isEqualTo(schema);
        assertThat(e.getTableName()).isEqualTo(table);
        assertThat(e.getColumnNames()).containsExactlyElementsOf(columns);
        assertThat(e.getEntityClass()).contains(entity);
        assertThat(e.getAttributeNames()).containsExactlyElementsOf(attributes);
    }

    /** The fields the server sent for {@code e} (23505 checked), from the driver's exception under Hibernate's. */
    public static ServerErrorMessage serverError(DuplicateKeyException e) {
        SQLException root = e.getSQLException();
        PSQLException driver = (PSQLException) (root instanceof BatchUpdateException ? root.getNextException() : root);
        ServerErrorMessage server = driver.getServerErrorMessage();
        assertThat(server.getSQLState()).isEqualTo("23505");
        return server;
    }
}
