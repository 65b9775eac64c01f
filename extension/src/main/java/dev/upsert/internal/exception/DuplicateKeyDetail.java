package dev.upsert.internal.exception;

import java.util.Arrays;
import java.util.List;

/**
 * Reads PostgreSQL's English 23505 DETAIL, {@code Key (a, b)=(1, x) already exists.}, best effort only.
 * <p>
 * Values are the types' raw output text, neither quoted nor escaped, so {@code ", "} and {@code ")=("} may occur
 * inside them: the column list is matched literally against the catalog's, and a multi-column value list is accepted
 * only when splitting it yields exactly one part per column. Localized (lc_messages) or absent DETAIL yields nothing.
 */
public final class DuplicateKeyDetail {

    private static final String PREFIX = "Key (";
    private static final String SEPARATOR = ")=(";
    private static final String SUFFIX = ") already exists.";

    private DuplicateKeyDetail() {
    }

    /** The text between {@code )=(} and {@code ) already exists.} when the DETAIL names exactly these columns, else null. */
    static String valueText(String detail, List<String> columns) {
        if (detail == null || columns.isEmpty()) {
            return null;
        }
        String head = PREFIX + String.join(", ", columns) + SEPARATOR;
        if (detail.length() < head.length() + SUFFIX.length() || !detail.startsWith(head) || !detail.endsWith(SUFFIX)) {
            return null;
        }
        return detail.substring(head.length(), detail.length() - SUFFIX.length());
    }

    /** One value text per column, or an empty list when the DETAIL is absent, not English or ambiguous. */
    static List<String> values(String detail, List<String> columns) {
        String text = valueText(detail, columns);
        if (text == null) {
            return List.of();
        }
        if (columns.size() == 1) {
            return List.of(text);
        }
        String[] parts = text.split(", ", -1);
        return parts.length == columns.size() ? List.of(parts) : List.of();
    }

    /**
     * The column list of an English DETAIL when the catalog could not be read: only when it is plain identifiers
     * (no expression, no quoted name, whose text could itself contain {@code ", "}), else an empty list.
     */
    static List<String> columns(String detail) {
        if (detail == null || !detail.startsWith(PREFIX) || !detail.endsWith(SUFFIX)) {
            return List.of();
        }
        int end = detail.indexOf(SEPARATOR, PREFIX.length());
        if (end < 0) {
            return List.of();
        }
        String text = detail.substring(PREFIX.length(), end);
        if (text.isEmpty() || text.indexOf('(') >= 0 || text.indexOf(')') >= 0 || text.indexOf('"') >= 0) {
            return List.of();
        }
        List<String> columns = Arrays.asList(text.split(", ", -1));
        return columns.stream().allMatch(c -> c.matches("[\\p{L}_][\\p{L}\\p{N}_$]*")) ? List.copyOf(columns) : List.of();
    }
}
