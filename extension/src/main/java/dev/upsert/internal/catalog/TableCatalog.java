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
 * {@code app.mood}), whether the table is partitioned ({@code relkind = 'p'}) and, on Citus, its distribution column.
 *
 * @param types              column name (as {@code pg_attribute} holds it) to its type
 * @param partitioned        a partitioned table, which refuses system columns such as {@code xmax} in {@code RETURNING}
 * @param distributionColumn the distribution column of a Citus hash-distributed table ({@code pg_dist_partition}), as
 *                           {@code pg_attribute} holds it; null for any other table (plain, reference, Citus local)
 */
public record TableCatalog(Map<String, String> types, boolean partitioned, String distributionColumn) {

    /** Whether Citus is installed; asked first, as the query below does not parse without it. */
    private static final String CITUS = "select to_regclass('pg_catalog.pg_dist_partition') is not null";
    /** The distribution column of a Citus hash-distributed table (reference and Citus local tables have none). */
    private static final String DISTRIBUTION = """
            select column_to_column_name(p.logicalrelid, p.partkey)
              from pg_catalog.pg_dist_partition p
             where p.logicalrelid = to_regclass(?) and p.partmethod = 'h'
            """;

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
        return new TableCatalog(Map.copyOf(types), partitioned, distributionColumn(connection, table));
    }

    /** Whether the table is hash-distributed by Citus, whose shards refuse some statement shapes. */
    public boolean distributed() {
        return distributionColumn != null;
    }

    private static String distributionColumn(Connection connection, String table) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(CITUS); ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return null;
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(DISTRIBUTION)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
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
