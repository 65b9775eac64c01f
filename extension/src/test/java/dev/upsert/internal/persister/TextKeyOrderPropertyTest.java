package dev.upsert.internal.persister;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import dev.upsert.internal.persister.UpsertBatch.TextKeyed;

/**
 * A flush sorts the rows of a one-column text key by comparing the first eight characters as one number where it can
 * (UpsertBatch#sortByTextKey). The lock order between transactions is that order, and the documented one is the
 * text's own ({@link String#compareTo}): they must never differ, whatever the characters (NUL, U+00FF, beyond one byte,
 * surrogate pairs) and lengths (shorter than eight, prefixes of one another, long common prefixes).
 */
class TextKeyOrderPropertyTest {

    @Property(tries = 2000, seed = "20261207")
    void rowsAreSortedAsTheTextIs(@ForAll("keyLists") List<String> keys) {
        List<String> sorted = keys.stream()
                .map(key -> new TextKeyed(key, UpsertBatch.abbreviate(key), null))
                .sorted(UpsertBatch.BY_TEXT_KEY)
                .map(TextKeyed::key)
                .toList();
        assertThat(sorted).isEqualTo(keys.stream().sorted(Comparator.naturalOrder()).toList());
    }

    @Property(tries = 2000, seed = "20261208")
    void twoKeysCompareAsTheirTextDoes(@ForAll("keys") String a, @ForAll("keys") String b) {
        int order = UpsertBatch.BY_TEXT_KEY.compare(new TextKeyed(a, UpsertBatch.abbreviate(a), null),
                new TextKeyed(b, UpsertBatch.abbreviate(b), null));
        assertThat(Integer.signum(order)).isEqualTo(Integer.signum(a.compareTo(b)));
    }

    @Provide
    Arbitrary<List<String>> keyLists() {
        return keys().list().ofMaxSize(60);
    }

    /** Few characters, so that keys share prefixes often; every boundary of the one-byte abbreviation among them. */
    @Provide
    Arbitrary<String> keys() {
        Arbitrary<String> prefix = Arbitraries.of("", "user", "customer-0000", "\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff");
        Arbitrary<String> tail = Arbitraries.strings().withChars('\u0000', 'a', 'b', 'z', '\u007f', '\u0080', '\u00e9', '\u00ff',
                '\u0100', '\u0101', '\uffff').withChars("\ud834\udd1e").ofMaxLength(10);
        return net.jqwik.api.Combinators.combine(prefix, tail).as(String::concat);
    }
}
