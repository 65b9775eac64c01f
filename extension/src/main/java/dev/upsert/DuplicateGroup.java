package dev.upsert;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows that share one value of a would-be unique key, found by {@link DuplicateScan#find}.
 *
 * @param key  attribute name (as passed to {@code find}) to the value these rows share, in the order given; the
 *             attributes' Java types ({@code Long}, {@code String}, an enum, ...)
 * @param rows how many rows share it (at least 2)
 * @param ids  the ids of those rows, ascending
 * @since 0.2
 */
public record DuplicateGroup(Map<String, Object> key, long rows, List<Object> ids) {

    /** Copies {@code key} (keeping its order; nulls allowed) and {@code ids}. */
    public DuplicateGroup {
        key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
        ids = Collections.unmodifiableList(new ArrayList<>(ids));
    }
}
