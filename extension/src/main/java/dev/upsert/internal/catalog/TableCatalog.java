package dev.upsert.internal.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What PostgreSQL's catalog says about one table, read once per plan: each column's type exactly as the server
 * spells it ({@code format_type(atttypid, atttypmod)}: {@code timestamp(3) with time zone}, {@code public.citext},
 * {@code app.mood}), and whether the table is partitioned ({@code relkind = 'p'}).
 *
 * @param types       column name (as {@code pg_attribute} holds it) to its type
 * @param partitioned a partitioned table, which refuses system columns such as {@code xmax} in {@code RETURNING}
 */
public record TableCatalog(Map<String, String> types, boolean partitioned) {

    // format_type qualifies a type whose schema is not on the search_path, so the cast names the type the column has.
    private static final String SELECT = """
            select a.attname, format_type(a.atttypid, a.atttypmod), c.relkind = 'p'
              from pg_class c
              left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
             where c.oid = to_regclass(?)
            """;

    /** The catalog of {@code table} as Hibernate renders it (qualified, or resolved by the search_path). */
    public static TableCatalog read(Connection connection, String table) throws SQLException {
        Map<String, String> types = new HashMap<>();
        boolean partitioned = false;
        try (PreparedStatement ps = connection.prepareStatement(SELECT)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1) != null) {
                        types.put(rs.getString(1), rs.getString(2));
                    }
                    partitioned = rs.getBoolean(3);
                }
            }
        }
        return new TableCatalog(Map.copyOf(types), partitioned);
    }

    /** The type of a column named as Hibernate renders it ({@code email} or {@code "Tenant Id"}); null if unknown. */
    public String typeOf(String column) {
        if (column.length() > 1 && column.startsWith("\"") && column.endsWith("\"")) {
            return types.get(column.substring(1, column.length() - 1).replace("\"\"", "\""));
        }
        String type = types.get(column);
        return type != null ? type : types.get(column.toLowerCase(Locale.ROOT));
    }
}
