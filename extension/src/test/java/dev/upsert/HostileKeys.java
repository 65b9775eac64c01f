package dev.upsert;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Key values that break naive SQL building, COPY/CSV handling, logging or Unicode handling, each with a name for
 * test output. Every value is NUL-free (PostgreSQL text cannot hold U+0000) and distinct as a Java string, so each
 * is its own row under PostgreSQL's deterministic collations; several differ only in normalization or case.
 */
public final class HostileKeys {

    private HostileKeys() {
    }

    /** Name to value, in a fixed order. */
    public static Map<String, String> all() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("single quote", "'");
        keys.put("two single quotes", "''");
        keys.put("double quote", "\"");
        keys.put("quotes inside", "O'Brien \"the\" 'quoted'");
        keys.put("sql injection", "'); drop table account; --");
        keys.put("sql injection, double quoted", "\"); drop table account; --");
        keys.put("backslash", "\\");
        keys.put("two backslashes", "\\\\");
        keys.put("backslash N (COPY null marker)", "\\N");
        keys.put("backslash escapes as text", "\\n\\t\\x00\\u0000");
        keys.put("empty string", "");
        keys.put("space", " ");
        keys.put("leading and trailing blanks", "  padded  ");
        keys.put("string null", "null");
        keys.put("string NULL", "NULL");
        keys.put("like wildcards", "%_%");
        keys.put("placeholders", "? $1 :name ?1");
        keys.put("parentheses and commas (DETAIL syntax)", "a, b)=(c");
        keys.put("DETAIL sentence inside", "x) already exists.");
        keys.put("case: lower", "key");
        keys.put("case: upper", "KEY");
        keys.put("case: mixed", "Key");
        for (char c = 1; c <= 0x1F; c++) {
            keys.put(String.format("control U+%04X alone", (int) c), String.valueOf(c));
        }
        StringBuilder controls = new StringBuilder();
        for (char c = 1; c <= 0x1F; c++) {
            controls.append(c).append('|');
        }
        keys.put("every control U+0001..U+001F", controls.toString());
        keys.put("tab, CR, LF inside", "line one\r\n\tline two\nend");
        keys.put("DEL U+007F", "del\u007F");
        keys.put("C1 control U+0085 (NEL)", "nel\u0085");
        keys.put("line separator U+2028", "ls\u2028ps\u2029");
        keys.put("BOM U+FEFF", "\uFEFFbom");
        keys.put("zero-width space", "zero\u200Bwidth");
        keys.put("emoji (surrogate pair)", "\uD83D\uDE00");
        keys.put("emoji party", "🎉");
        keys.put("emoji ZWJ family", "👨‍👩‍👧‍👦");
        keys.put("emoji ZWJ rainbow flag", "🏳️‍🌈");
        keys.put("emoji skin tone", "👍🏽");
        keys.put("regional indicator flag", "🇺🇳");
        keys.put("astral CJK (surrogate pair)", "𠜎𠜱");
        String cafe = "café";
        keys.put("é NFC", Normalizer.normalize(cafe, Normalizer.Form.NFC));
        keys.put("é NFD", Normalizer.normalize(cafe, Normalizer.Form.NFD));
        keys.put("Å precomposed U+00C5", "\u00C5");
        keys.put("Å decomposed A+U+030A", "A\u030A");
        keys.put("Å angstrom sign U+212B", "\u212B");
        keys.put("stacked combining marks", "Z\u0351\u036B\u0343\u036A\u0302\u036B\u033D\u034F\u0334\u0319");
        keys.put("Hebrew (RTL)", "שלום");
        keys.put("Arabic (RTL)", "مرحبا بالعالم");
        keys.put("mixed LTR/RTL with digits", "abc שלום 123 مرحبا");
        keys.put("right-to-left override", "\u202Etxt.exe\u202C");
        keys.put("CJK", "東京都");
        keys.put("10,000 x", "x".repeat(10_000));
        keys.put("10,000 emoji (20,000 UTF-16 units)", "😀".repeat(10_000));
        keys.put("10,000 chars of quotes, backslashes and newlines", "'\"\\\n".repeat(2_500));
        keys.put("10,000 chars, NFD é repeated", "e\u0301".repeat(5_000));
        keys.put("2,600 random alphanumerics (incompressible, fits the index)", random(2_600, 7));
        return Collections.unmodifiableMap(keys);
    }

    /** Just the values, in {@link #all()} order. */
    public static List<String> values() {
        return new ArrayList<>(all().values());
    }

    /**
     * {@code length} random letters and digits from a fixed seed: at log2(62) = 5.95 bits per character no
     * compressor (pglz or lz4) can shrink it below 74% of its size, so its index entry size is predictable.
     */
    public static String random(int length, long seed) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        Random random = new Random(seed);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
