package dev.upsert.sample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Records every SQL string Hibernate prepares: the same text Hibernate's {@code org.hibernate.SQL} log shows,
 * collected per scenario so the report can print it next to the outcome. A JDBC batch is prepared once, so a
 * batched statement appears once per batch, not once per row.
 */
final class SqlLog implements StatementInspector {

    private final List<String> statements = new ArrayList<>();

    @Override
    public synchronized String inspect(String sql) {
        statements.add(sql);
        return sql;
    }

    /** The statements since the last call, each distinct one with how many times it ran, in first-seen order. */
    synchronized Map<String, Integer> drain() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String sql : statements) {
            counts.merge(sql, 1, Integer::sum);
        }
        statements.clear();
        return counts;
    }
}
