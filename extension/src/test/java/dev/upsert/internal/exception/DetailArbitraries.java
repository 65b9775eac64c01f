package dev.upsert.internal.exception;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Unique keys with hostile column names and values, and the DETAIL PostgreSQL prints for them: shared by
 * {@link DuplicateKeyDetailPropertyTest} (many keys, no server) and {@link DuplicateKeyDetailRenderingIT} (a few of
 * the same keys against a real server, which proves the rendering right).
 */
final class DetailArbitraries {

    /** Pieces that break naive parsing: the separators, parentheses, quotes, the message's own words, non-ASCII. */
    static final List<String> VALUE_PIECES = List.of(", ", ")=(", "(", ")", ",", "=", " ", "'", "\"", "\"\"", "null",
            "NULL", "Key (", ") already exists.", " already exists.", "ü", "東京", "🎉", "\\", "\n", "\t", "a", "b", "1",
            "{1,2}", "{\"a, b\",c}", "x)=(y", "»", "«");

    private static final List<String> UNSAFE_NAME_PIECES = List.of(" ", "\"", ", ", ")=(", "(", ")", ",", "=", "'", "$",
            "A", "Ü", "東", "🎉", "-", ".");

    private static final List<String> SAFE_NAME_PIECES = List.of("a", "x", "_", "1");

    private DetailArbitraries() {
    }

    /** How a key part is written in the index. */
    enum Kind {
        /** A column, printed through {@code quote_identifier}. */
        COLUMN,
        /** {@code (col || '')}: an expression in parentheses whose value is the column's. */
        CONCAT,
        /** {@code coalesce(col, 'literal')}: a function call whose printed text holds {@code ", "} and the literal. */
        COALESCE
    }

    /** One key part over the table column {@code column} (raw name); {@code literal} only for COALESCE. */
    record Part(String column, Kind kind, String literal) {

        /** As the catalog and DETAIL print it. */
        String printed() {
            String q = ServerDetail.quoteIdentifier(column);
            return switch (kind) {
                case COLUMN -> q;
                case CONCAT -> "(" + q + " || ''::text)";
                case COALESCE -> "COALESCE(" + q + ", " + ServerDetail.literal(literal) + ")";
            };
        }

        /** As written in CREATE INDEX. */
        String indexElement() {
            String q = "\"" + column.replace("\"", "\"\"") + "\"";
            return switch (kind) {
                case COLUMN -> q;
                case CONCAT -> "(" + q + " || '')";
                case COALESCE -> "coalesce(" + q + ", '" + literal.replace("'", "''") + "')";
            };
        }

        /** The part's value for a column value (null for SQL NULL). */
        String value(String columnValue) {
            return kind == Kind.COALESCE && columnValue == null ? literal : columnValue;
        }
    }

    /** A unique key and one row's column values (null for SQL NULL), one per part. */
    record Key(List<Part> parts, List<String> columnValues) {

        /** The catalog's column texts, {@code pg_get_indexdef(index, n, true)}. */
        List<String> columns() {
            return parts.stream().map(Part::printed).toList();
        }

        /** The key's values, null for SQL NULL. */
        List<String> values() {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                values.add(parts.get(i).value(columnValues.get(i)));
            }
            return values;
        }

        /** The values as DETAIL prints them. */
        List<String> printedValues() {
            return values().stream().map(ServerDetail::text).toList();
        }

        String detail() {
            return ServerDetail.detail(columns(), values());
        }

        @Override
        public String toString() {
            return detail();
        }
    }

    /** 1 to 5 parts over distinct columns, each with a value; {@code nulls}: whether values may be SQL NULL. */
    static Arbitrary<Key> keys(boolean nulls) {
        Arbitrary<List<Part>> parts = part().list().ofMinSize(1).ofMaxSize(5).uniqueElements(Part::column);
        return parts.flatMap(ps -> value(nulls).list().ofSize(ps.size()).map(values -> new Key(ps, values)));
    }

    static Arbitrary<Part> part() {
        Arbitrary<String> name = Arbitraries.frequencyOf(
                Tuple.of(3, plainName()),
                Tuple.of(1, Arbitraries.of(ServerDetail.KEYWORDS)),
                Tuple.of(4, hostileName()));
        Arbitrary<Kind> kind = Arbitraries.frequency(
                Tuple.of(6, Kind.COLUMN), Tuple.of(1, Kind.CONCAT),
                Tuple.of(1, Kind.COALESCE));
        return Combinators.combine(name, kind, text()).as(Part::new);
    }

    /** Printed unquoted: lower case, digits, underscores; the {@code c_} prefix keeps clear of every keyword. */
    static Arbitrary<String> plainName() {
        return Arbitraries.strings().withChars("abcxyz019_").ofMinLength(0).ofMaxLength(6).map(s -> "c_" + s);
    }

    /** Always holds one piece that forces quoting; at most 5 short pieces, well under the 63-byte name limit. */
    static Arbitrary<String> hostileName() {
        Arbitrary<String> any = Arbitraries.oneOf(Arbitraries.of(UNSAFE_NAME_PIECES), Arbitraries.of(SAFE_NAME_PIECES));
        Arbitrary<String> around = any.list().ofMaxSize(2).map(l -> String.join("", l));
        return Combinators.combine(around, Arbitraries.of(UNSAFE_NAME_PIECES), around).as((a, u, b) -> a + u + b);
    }

    /** Text values: empty, or up to 6 pieces and printable characters. */
    static Arbitrary<String> text() {
        Arbitrary<String> piece = Arbitraries.oneOf(Arbitraries.of(VALUE_PIECES),
                Arbitraries.chars().range(' ', '~').map(String::valueOf));
        return piece.list().ofMaxSize(6).map(l -> String.join("", l));
    }

    static Arbitrary<String> value(boolean nulls) {
        return nulls ? text().injectNull(0.15) : text();
    }
}
