package dev.upsert.internal.catalog;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hibernate.engine.jdbc.connections.spi.JdbcConnectionAccess;
import org.jboss.logging.Logger;

/**
 * What PostgreSQL's catalog says about unique keys: every unique index (whether or not it backs a constraint),
 * with its key columns or expressions exactly as the server prints them in a 23505 DETAIL
 * ({@code pg_get_indexdef(index, n, true)}), its predicate and its deferrability.
 * <p>
 * Per SessionFactory, the unique indexes of every mapped table are read once, at boot; a name not known then is
 * looked up in the background ({@link #find}).
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

    private static final Logger LOG = Logger.getLogger(UniqueKeyCatalog.class);

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

    /** How long a name the catalog did not hold is not looked up again. */
    private static final long MISS_RETRY_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Names waiting for a background lookup; more are dropped (the next duplicate asks again). */
    private static final int MAX_PENDING = 32;

    /** Whether Citus is installed; asked first, as the shard query does not parse without it. */
    private static final String CITUS = "select to_regclass('pg_catalog.pg_dist_shard') is not null";
    /** Citus shards of tables: shard id, schema, table. */
    private static final String SHARDS = """
            select s.shardid, n.nspname, c.relname
              from pg_catalog.pg_dist_shard s
              join pg_class c on c.oid = s.logicalrelid
              join pg_namespace n on n.oid = c.relnamespace
            """;
    /** Citus appends {@code _<shard id>} to the names of a shard's table, indexes and constraints. */
    private static final Pattern SHARD_SUFFIX = Pattern.compile("_(\\d+)$");
    /** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
    private static final int MAX_IDENTIFIER_BYTES = 63;

    private final JdbcConnectionAccess connections;
    private final ConcurrentMap<String, UniqueKey> byName = new ConcurrentHashMap<>();
    /** Citus shard id to its table's schema and name: a worker's 23505 names the shard's index. */
    private final ConcurrentMap<Long, List<String>> shardTables = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Long> missedAt = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor refresher;

    /** @param owner names the lookup thread: the SessionFactory's name or id */
    public UniqueKeyCatalog(JdbcConnectionAccess connections, String owner) {
        this.connections = connections;
        this.refresher = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_PENDING), r -> {
            Thread thread = new Thread(r, "upsert-hibernate unique key catalog of " + owner);
            thread.setDaemon(true);
            return thread;
        });
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
     * Reads the unique indexes of these tables (as Hibernate renders their names) in one query, at boot. A failure
     * (no connection, no such table) leaves the catalog to be filled by {@link #find} later: it never stops the boot.
     */
    public void load(Collection<String> tables) {
        if (tables.isEmpty()) {
            return;
        }
        try {
            Connection connection = connections.obtainConnection();
            try {
                List<UniqueKey> keys;
                try (PreparedStatement ps = connection.prepareStatement(SELECT
                        + " and i.indrelid in (select to_regclass(x) from unnest(?::text[]) x)")) {
                    ps.setArray(1, connection.createArrayOf("text", tables.toArray()));
                    keys = read(ps);
                }
                Map<Long, List<String>> shards = citus(connection)
                        ? shards(connection, " where s.logicalrelid in (select to_regclass(x) from unnest(?::text[]) x)",
                                connection.createArrayOf("text", tables.toArray()))
                        : Map.of();
                if (!connection.getAutoCommit()) {
                    connection.rollback();  // only read; leave no transaction open on a pooled connection
                }
                keys.forEach(key -> byName.put(key.schema() + '\u0000' + key.name(), key));
                shardTables.putAll(shards);
            } finally {
                connections.releaseConnection(connection);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("unique keys not read at boot (%s); they are read when a duplicate names them", e.toString());
        }
    }

    /**
     * The unique index named by a 23505 error's constraint field (which is the index name, also for constraints),
     * from what was read at boot. Never waits for a connection: the failing transaction still holds its own, and a
     * busy pool would stall every first duplicate for the whole pool timeout. An index not known from boot (created
     * later, or on a table no entity maps) is answered as unknown now and looked up in the background, on one daemon
     * thread, once per name however many duplicates ask, so that the next duplicate finds it. Background rather than
     * "a connection only if the pool has one free": a {@code DataSource} has no way to ask that without waiting, and
     * the lookup would still compete with the application for its pool at the worst moment.
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
        lookUpLater(cacheKey, "unique key", connection -> {
            List<UniqueKey> found = query(connection, SELECT + " and n.nspname = ? and ic.relname = ?", schema, indexName);
            return found.isEmpty() ? null : () -> byName.put(cacheKey, found.get(0));
        });
        return Optional.empty();
    }

    /**
     * The logical unique index behind a Citus shard's index, named as a worker's 23505 names it: the index name plus
     * {@code _<shard id>}, or, where that would pass 63 bytes, a prefix of it, {@code _}, eight hex digits of a hash of
     * the whole name and {@code _<shard id>}. The shard id gives the table ({@code pg_dist_shard}, read at boot for the
     * mapped tables), the table's unique indexes the name. Never waits for a connection: a shard not known from boot
     * (a table no entity maps, a shard split since) is looked up in the background, as {@link #find} does.
     */
    public Optional<UniqueKey> findShardIndex(String shardIndexName) {
        Matcher suffix = SHARD_SUFFIX.matcher(shardIndexName);
        if (!suffix.find()) {
            return Optional.empty();
        }
        long shardId;
        try {
            shardId = Long.parseLong(suffix.group(1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        List<String> table = shardTables.get(shardId);
        if (table == null) {
            lookUpLater("\u0000shard\u0000" + shardId, "Citus shard", connection -> {
                Map<Long, List<String>> shards = citus(connection) ? shards(connection, " where s.shardid = ?", shardId) : Map.of();
                if (shards.isEmpty()) {
                    return null;
                }
                List<UniqueKey> keys = query(connection, SELECT
                        + " and i.indrelid = (select logicalrelid from pg_catalog.pg_dist_shard where shardid = " + shardId + ")");
                return () -> {
                    keys.forEach(key -> byName.put(key.schema() + '\u0000' + key.name(), key));
                    shardTables.putAll(shards);
                };
            });
            return Optional.empty();
        }
        String logicalPart = shardIndexName.substring(0, suffix.start());
        List<UniqueKey> matching = new ArrayList<>();
        for (UniqueKey key : byName.values()) {
            if (key.schema().equals(table.get(0)) && key.table().equals(table.get(1)) && isShardName(key.name(), logicalPart, suffix.group())) {
                matching.add(key);
            }
        }
        return matching.size() == 1 ? Optional.of(matching.get(0)) : Optional.empty();
    }

    /**
     * Whether {@code logicalPart} (the shard index name without {@code _<shard id>}) is what Citus'
     * {@code AppendShardIdToName} makes of {@code name}: the name itself when it fits, else its prefix, {@code _} and a
     * hash (not recomputed here: the prefix, the table and the length identify the index).
     */
    static boolean isShardName(String name, String logicalPart, String shardSuffix) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MAX_IDENTIFIER_BYTES - shardSuffix.length() + 1) {
            return name.equals(logicalPart);
        }
        int hash = logicalPart.length() - 9;
        return hash > 0 && logicalPart.charAt(hash) == '_' && logicalPart.substring(hash + 1).matches("[0-9a-f]{8}")
                && name.startsWith(logicalPart.substring(0, hash));
    }

    /** One background catalog read: what to store when it found something, or null for a miss. */
    @FunctionalInterface
    private interface Lookup {
        Runnable read(Connection connection) throws SQLException;
    }

    /**
     * Queues {@code lookup} unless {@code cacheKey} missed within {@code MISS_RETRY_NANOS} or is queued already; never
     * waits (a full queue drops it: a later duplicate asks again).
     */
    private void lookUpLater(String cacheKey, String what, Lookup lookup) {
        Long missed = missedAt.get(cacheKey);
        if ((missed == null || System.nanoTime() - missed > MISS_RETRY_NANOS) && pending.add(cacheKey)) {
            try {
                refresher.execute(() -> lookUp(cacheKey, what, lookup));
            } catch (RejectedExecutionException e) {
                pending.remove(cacheKey);  // queue full or closing: a later duplicate asks again
            }
        }
    }

    private void lookUp(String cacheKey, String what, Lookup lookup) {
        try {
            Connection connection = connections.obtainConnection();
            try {
                Runnable store = lookup.read(connection);
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                }
                if (store == null) {
                    missedAt.put(cacheKey, System.nanoTime());
                } else {
                    store.run();
                    missedAt.remove(cacheKey);
                }
            } finally {
                connections.releaseConnection(connection);
            }
        } catch (SQLException | RuntimeException e) {
            missedAt.put(cacheKey, System.nanoTime());
            LOG.debugf("%s not read from the catalog (%s)", what, e.toString());
        } finally {
            pending.remove(cacheKey);
        }
    }

    private static boolean citus(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(CITUS); ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static Map<Long, List<String>> shards(Connection connection, String where, Object parameter) throws SQLException {
        Map<Long, List<String>> shards = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(SHARDS + where)) {
            ps.setObject(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    shards.put(rs.getLong(1), List.of(rs.getString(2), rs.getString(3)));
                }
            }
        }
        return shards;
    }

    /** Stops the background lookups (the SessionFactory is closing). */
    public void stop() {
        refresher.shutdownNow();
    }

    private static List<UniqueKey> query(Connection connection, String sql, String... parameters) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            return read(ps);
        }
    }

    private static List<UniqueKey> read(PreparedStatement ps) throws SQLException {
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
