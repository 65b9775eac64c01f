package dev.upsert.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.hibernate.engine.jdbc.connections.spi.JdbcConnectionAccess;

/**
 * What PostgreSQL's catalog says about unique keys: every unique index (whether or not it backs a constraint),
 * with its key columns or expressions exactly as the server prints them in a 23505 DETAIL
 * ({@code pg_get_indexdef(index, n, true)}), its predicate and its deferrability.
 * <p>
 * Lookups by name are cached per SessionFactory; a miss is not cached, so an index created later is still found.
 */
public final class UniqueKeyCatalog {

    /**
     * One unique index of a table. {@code constraint} is true when a UNIQUE or PRIMARY KEY constraint owns it;
     * {@code collations} holds, per key column, the index's collation as a quoted qualified name, or "" where the
     * column has none or the database default; {@code equalities} the equality operator of each key column's
     * operator class, schema-qualified ({@code operator(public.=)} for citext), so a comparison means what the index
     * means even when that operator's schema is not on the search_path.
     */
    public record UniqueKey(String name, String schema, String table, List<String> columns, String predicate,
                            boolean primaryKey, boolean constraint, boolean deferrable, boolean nullsNotDistinct,
                            List<String> collations, List<String> equalities) {

        /** A partial index: ON CONFLICT must repeat its predicate to infer it. */
        public boolean partial() {
            return predicate != null;
        }

        @Override
        public String toString() {
            return name + " (" + String.join(", ", columns) + ")" + (partial() ? " where " + predicate : "")
                    + (deferrable ? " deferrable" : "");
        }
    }

    // indnkeyatts leaves out INCLUDE columns (PostgreSQL 11+); indnullsnotdistinct exists from 15 on, hence jsonb.
    private static final String SELECT = """
            select ic.relname, n.nspname, t.relname,
                   array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k order by k),
                   pg_get_expr(i.indpred, i.indrelid, true),
                   i.indisprimary, c.oid is not null, coalesce(c.condeferrable, false),
                   coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false),
                   array(select coalesce((select quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                            from pg_collation co join pg_namespace cn on cn.oid = co.collnamespace
                                           where co.oid = i.indcollation[k - 1] and co.collname <> 'default'), '')
                           from generate_series(1, i.indnkeyatts) k order by k),
                   array(select coalesce((select 'operator(' || quote_ident(opn.nspname) || '.' || op.oprname || ')'
                                            from pg_opclass oc
                                            join pg_amop ao on ao.amopfamily = oc.opcfamily and ao.amopstrategy = 3
                                                 and ao.amoplefttype = oc.opcintype and ao.amoprighttype = oc.opcintype
                                            join pg_operator op on op.oid = ao.amopopr
                                            join pg_namespace opn on opn.oid = op.oprnamespace
                                           where oc.oid = i.indclass[k - 1]), '=')
                           from generate_series(1, i.indnkeyatts) k order by k)
              from pg_index i
              join pg_class ic on ic.oid = i.indexrelid
              join pg_class t on t.oid = i.indrelid
              join pg_namespace n on n.oid = t.relnamespace
              left join pg_constraint c on c.conindid = i.indexrelid and c.contype in ('u', 'p')
             where i.indisunique and i.indisvalid
            """;

    private final JdbcConnectionAccess connections;
    private final ConcurrentMap<String, UniqueKey> byName = new ConcurrentHashMap<>();

    public UniqueKeyCatalog(JdbcConnectionAccess connections) {
        this.connections = connections;
    }

    /** Every unique index of a table, {@code table} as Hibernate renders it (qualified or resolved by search_path). */
    public static List<UniqueKey> uniqueKeysOf(Connection connection, String table) throws SQLException {
        return query(connection, SELECT + " and i.indrelid = to_regclass(?) order by ic.relname", table);
    }

    /** Whether the table exists, {@code table} as Hibernate renders it. */
    public static boolean tableExists(Connection connection, String table) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("select to_regclass(?) is not null")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * The unique index named by a 23505 error's constraint field (which is the index name, also for constraints),
     * read on a connection of its own: the failing transaction is aborted and cannot be queried.
     */
    public Optional<UniqueKey> find(String schema, String indexName) {
        if (schema == null || indexName == null) {
            return Optional.empty();
        }
        String cacheKey = schema + '\u0000' + indexName;
        UniqueKey cached = byName.get(cacheKey);
        if (cached != null) {
            return Optional.of(cached);
        }
        try {
            Connection connection = connections.obtainConnection();
            try {
                List<UniqueKey> found = query(connection, SELECT + " and n.nspname = ? and ic.relname = ?", schema, indexName);
                if (found.isEmpty()) {
                    return Optional.empty();
                }
                byName.put(cacheKey, found.get(0));
                return Optional.of(found.get(0));
            } finally {
                connections.releaseConnection(connection);
            }
        } catch (SQLException | RuntimeException e) {
            // The exception being converted matters more than its decoration: answer "unknown", never fail.
            return Optional.empty();
        }
    }

    private static List<UniqueKey> query(Connection connection, String sql, String... parameters) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            List<UniqueKey> keys = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array columns = rs.getArray(4);
                    keys.add(new UniqueKey(rs.getString(1), rs.getString(2), rs.getString(3),
                            List.copyOf(Arrays.asList((String[]) columns.getArray())), rs.getString(5),
                            rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8), rs.getBoolean(9),
                            List.copyOf(Arrays.asList((String[]) rs.getArray(10).getArray())),
                            List.copyOf(Arrays.asList((String[]) rs.getArray(11).getArray()))));
                }
            }
            return keys;
        }
    }
}
