package dev.upsert.internal.exception;

import java.util.List;

/**
 * PostgreSQL's 23505 DETAIL as the server builds it, for tests. {@code BuildIndexValueDescription} (genam.c) prints
 * {@code Key (%s)=(%s) already exists.}: the columns as {@code pg_get_indexdef_columns} prints them (a plain column
 * through {@code quote_identifier}, an expression deparsed), joined by {@code ", "}; the values as their type's output
 * function prints them, unquoted, {@code null} for SQL NULL, joined by {@code ", "}. {@link DuplicateKeyDetailRenderingIT}
 * checks this against a real server.
 */
final class ServerDetail {

    /** The reserved keywords the tests use as column names; {@code quote_identifier} quotes every non-unreserved one. */
    static final List<String> KEYWORDS = List.of("select", "user", "order", "table", "from");

    private ServerDetail() {
    }

    /** {@code quote_identifier}: unquoted only when lower-case letters, digits and underscores, and not a keyword. */
    static String quoteIdentifier(String name) {
        if (name.matches("[a-z_][a-z0-9_]*") && !KEYWORDS.contains(name)) {
            return name;
        }
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A string constant as ruleutils deparses it (standard_conforming_strings on): single quotes doubled. */
    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'::text";
    }

    /** The DETAIL for these catalog column texts and values; a null value prints as {@code null}. */
    static String detail(List<String> columns, List<String> values) {
        StringBuilder s = new StringBuilder("Key (").append(String.join(", ", columns)).append(")=(");
        for (int i = 0; i < values.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(text(values.get(i)));
        }
        return s.append(") already exists.").toString();
    }

    /** A value as DETAIL prints it. */
    static String text(String value) {
        return value == null ? "null" : value;
    }
}
