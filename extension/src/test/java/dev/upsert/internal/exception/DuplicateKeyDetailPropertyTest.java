package dev.upsert.internal.exception;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

import dev.upsert.internal.exception.DetailArbitraries.Key;
import dev.upsert.internal.exception.DetailArbitraries.Kind;

/**
 * Properties of the DETAIL parser over keys of 1 to 5 parts with hostile column names (spaces, quotes, {@code ", "},
 * {@code )=(}, parentheses, keywords, non-ASCII), expression parts, and hostile, empty and NULL values, each DETAIL
 * rendered as PostgreSQL renders it ({@link ServerDetail}, checked against a server by
 * {@link DuplicateKeyDetailRenderingIT}). Fixed seeds: the same cases on every run.
 */
@StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
class DuplicateKeyDetailPropertyTest {

    /**
     * The parser returns the exact values or nothing, never another count; and it returns them whenever that is
     * unambiguous: one part, or no value containing the separator {@code ", "}.
     */
    @Property(tries = 3000, seed = "7270501", edgeCases = EdgeCasesMode.NONE)
    void valuesAreExactOrAbsentAndPresentWheneverUnambiguous(@ForAll("keys") Key key) {
        List<String> columns = key.columns();
        List<String> expected = key.printedValues();

        List<String> parsed = DuplicateKeyDetail.values(key.detail(), columns);

        boolean unambiguous = columns.size() == 1 || expected.stream().noneMatch(v -> v.contains(", "));
        assertThat(parsed).isEqualTo(unambiguous ? expected : List.of());
        assertThat(DuplicateKeyDetail.valueText(key.detail(), columns)).isEqualTo(String.join(", ", expected));

        Statistics.label("values").collect(columns.size() == 1 ? "one part" : parsed.isEmpty() ? "ambiguous" : "split");
        Statistics.label("quoted or expression").collect(key.parts().stream()
                .anyMatch(p -> !p.printed().equals(p.column())));
        Statistics.label("null").collect(key.values().contains(null));
        Statistics.label("values").coverage(c -> {
            c.check("one part").percentage(p -> p > 10.0);
            c.check("split").percentage(p -> p > 30.0);
            c.check("ambiguous").percentage(p -> p > 10.0);
        });
        Statistics.label("quoted or expression").coverage(c -> c.check(true).percentage(p -> p > 50.0));
        Statistics.label("null").coverage(c -> c.check(true).percentage(p -> p > 10.0));
    }

    /**
     * Without the catalog, columns are taken from DETAIL: the exact list or nothing, and the exact list whenever every
     * part prints as a bare identifier.
     */
    @Property(tries = 1000, seed = "7270502", edgeCases = EdgeCasesMode.NONE)
    void columnsFromDetailAreExactOrAbsent(@ForAll("keys") Key key) {
        boolean bare = key.parts().stream().allMatch(p -> p.kind() == Kind.COLUMN && p.printed().equals(p.column()));

        List<String> columns = DuplicateKeyDetail.columns(key.detail());

        assertThat(columns).isIn(key.columns(), List.of());
        if (bare) {
            assertThat(columns).isEqualTo(key.columns());
        }
        Statistics.collect(bare);
        Statistics.coverage(c -> c.check(true).count(n -> n >= 30));
    }

    /** A DETAIL never matches a column list that is only a prefix of its own (another index's, or a stale one). */
    @Property(tries = 500, seed = "7270503", edgeCases = EdgeCasesMode.NONE)
    void aPrefixOfTheColumnsMatchesNothing(@ForAll("keys") Key key) {
        List<String> columns = key.columns();
        for (int n = 1; n < columns.size(); n++) {
            assertThat(DuplicateKeyDetail.values(key.detail(), columns.subList(0, n))).isEmpty();
            assertThat(DuplicateKeyDetail.valueText(key.detail(), columns.subList(0, n))).isNull();
        }
    }

    /**
     * Translated DETAIL (lc_messages; the German and French texts of research A1) gives no values and no columns: the
     * key is not parsed out of a sentence whose end is unknown.
     */
    @Property(tries = 500, seed = "7270504", edgeCases = EdgeCasesMode.NONE)
    void localizedDetailGivesNothing(@ForAll("keys") Key key, @ForAll("languages") String language) {
        String inner = key.detail().substring("Key ".length(), key.detail().length() - " already exists.".length());
        String localized = switch (language) {
            case "de" -> "Schlüssel »" + inner + "« existiert bereits.";
            default -> "La clé « " + inner + " » existe déjà.";
        };

        assertThat(DuplicateKeyDetail.values(localized, key.columns())).isEmpty();
        assertThat(DuplicateKeyDetail.valueText(localized, key.columns())).isNull();
        assertThat(DuplicateKeyDetail.columns(localized)).isEmpty();
    }

    /** Whatever the text, nothing throws and a value list, if any, has one value per column. */
    @Property(tries = 1000, seed = "7270505", edgeCases = EdgeCasesMode.NONE)
    void anyTextNeverThrowsNorMiscounts(@ForAll("garbage") String detail, @ForAll("keys") Key key) {
        List<String> columns = key.columns();

        assertThat(DuplicateKeyDetail.values(detail, columns).size()).isIn(0, columns.size());
        DuplicateKeyDetail.valueText(detail, columns);
        List<String> fromDetail = DuplicateKeyDetail.columns(detail);
        assertThat(DuplicateKeyDetail.values(detail, fromDetail).size()).isIn(0, fromDetail.size());
    }

    @Provide
    Arbitrary<Key> keys() {
        return DetailArbitraries.keys(true);
    }

    @Provide
    Arbitrary<String> languages() {
        return Arbitraries.of("de", "fr");
    }

    /** Fragments of real DETAILs glued with hostile pieces: what a truncated, foreign or future message may look like. */
    @Provide
    Arbitrary<String> garbage() {
        Arbitrary<String> fragment = Arbitraries.oneOf(
                DetailArbitraries.keys(true).map(Key::detail).map(d -> d.substring(0, d.length() / 2)),
                DetailArbitraries.keys(true).map(Key::detail).map(d -> d.substring(d.length() / 3)),
                DetailArbitraries.keys(true).map(k -> String.join(", ", k.columns())),
                DetailArbitraries.text(),
                Arbitraries.of("Key (", ")=(", ") already exists.", "", "Key ()=() already exists."));
        return fragment.list().ofMaxSize(4).map(l -> String.join("", l));
    }
}
