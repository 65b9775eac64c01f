package dev.upsert.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class DuplicateKeyDetailTest {

    @Test
    void singleColumnTakesTheWholeValueWhateverItHolds() {
        assertThat(DuplicateKeyDetail.values("Key (email)=(a@x.org) already exists.", List.of("email")))
                .containsExactly("a@x.org");
        assertThat(DuplicateKeyDetail.values("Key (k)=(x)=(y) already exists.", List.of("k"))).containsExactly("x)=(y");
        assertThat(DuplicateKeyDetail.values("Key (k)=(a, b=(c), 'q' \"dq\") already exists.", List.of("k")))
                .containsExactly("a, b=(c), 'q' \"dq\"");
        assertThat(DuplicateKeyDetail.values("Key (k)=() already exists.", List.of("k"))).containsExactly("");
        assertThat(DuplicateKeyDetail.values("Key (k)=() already exists.) already exists.", List.of("k")))
                .containsExactly(") already exists.");
        assertThat(DuplicateKeyDetail.values("Key (k)=(Grüße 東京 🎉) already exists.", List.of("k")))
                .containsExactly("Grüße 東京 🎉");
        String tooLong = "v".repeat(5000);
        assertThat(DuplicateKeyDetail.values("Key (k)=(" + tooLong + ") already exists.", List.of("k")))
                .containsExactly(tooLong);
    }

    @Test
    void expressionsAndQuotedNamesAreMatchedAsTheCatalogPrintsThem() {
        assertThat(DuplicateKeyDetail.values("Key (lower(email::text))=(a@x.org) already exists.",
                List.of("lower(email::text)"))).containsExactly("a@x.org");
        assertThat(DuplicateKeyDetail.values("Key (\"Tenant Id\", \"a,b\")=(1, z) already exists.",
                List.of("\"Tenant Id\"", "\"a,b\""))).containsExactly("1", "z");
        assertThat(DuplicateKeyDetail.values("Key (coalesce(a, b), c)=(x, y) already exists.",
                List.of("coalesce(a, b)", "c"))).containsExactly("x", "y");
    }

    @Test
    void compositeValuesAreSplitOnlyWhenTheCountMatches() {
        assertThat(DuplicateKeyDetail.values("Key (tenant_id, slug)=(1, home) already exists.", List.of("tenant_id", "slug")))
                .containsExactly("1", "home");
        assertThat(DuplicateKeyDetail.values("Key (tenant_id, slug)=(2, a, b=(c), 'q' \"dq\") already exists.",
                List.of("tenant_id", "slug"))).isEmpty();
        assertThat(DuplicateKeyDetail.values("Key (a, b)=(null, n) already exists.", List.of("a", "b")))
                .containsExactly("null", "n");
        assertThat(DuplicateKeyDetail.valueText("Key (tenant_id, slug)=(2, a, b) already exists.", List.of("tenant_id", "slug")))
                .isEqualTo("2, a, b");
    }

    @Test
    void otherColumnsThanTheCatalogsGiveNothing() {
        assertThat(DuplicateKeyDetail.values("Key (email)=(a@x.org) already exists.", List.of("mail"))).isEmpty();
        assertThat(DuplicateKeyDetail.values("Key (a, b)=(1, 2) already exists.", List.of("a"))).isEmpty();
        assertThat(DuplicateKeyDetail.values("Key (a)=(1) already exists.", List.of())).isEmpty();
    }

    @Test
    void nullLocalizedAndMangledDetailGiveNoValues() {
        List<String> columns = List.of("tenant_id", "slug");
        assertThat(DuplicateKeyDetail.values(null, columns)).isEmpty();
        assertThat(DuplicateKeyDetail.valueText(null, columns)).isNull();
        assertThat(DuplicateKeyDetail.values("Schlüssel »(tenant_id, slug)=(1, home)« existiert bereits.", columns)).isEmpty();
        assertThat(DuplicateKeyDetail.values("La clé « (tenant_id, slug)=(1, home) » existe déjà.", columns)).isEmpty();
        assertThat(DuplicateKeyDetail.columns("Schlüssel »(tenant_id, slug)=(1, home)« existiert bereits.")).isEmpty();
        assertThat(DuplicateKeyDetail.columns("La clé « (tenant_id, slug)=(1, home) » existe déjà.")).isEmpty();
        for (String mangled : List.of("", "Key (", "Key (tenant_id, slug)=(", ") already exists.",
                "Key (tenant_id, slug)=(1, home) already exists", "Key (tenant_id, slug) already exists.",
                "Key (tenant_id, slug)=) already exists.", "key (tenant_id, slug)=(1, home) already exists.")) {
            assertThat(DuplicateKeyDetail.values(mangled, columns)).as(mangled).isEmpty();
        }
    }

    @Test
    void columnsFromDetailOnlyWhenPlainIdentifiers() {
        assertThat(DuplicateKeyDetail.columns("Key (tenant_id, slug)=(1, home) already exists."))
                .containsExactly("tenant_id", "slug");
        assertThat(DuplicateKeyDetail.columns("Key (k)=(x)=(y) already exists.")).containsExactly("k");
        assertThat(DuplicateKeyDetail.columns("Key (lower(email))=(a) already exists.")).isEmpty();
        assertThat(DuplicateKeyDetail.columns("Key (\"a,b\")=(a) already exists.")).isEmpty();
        assertThat(DuplicateKeyDetail.columns(null)).isEmpty();
        assertThat(DuplicateKeyDetail.columns("Key ()=(a) already exists.")).isEmpty();
    }

    /** Property: for any columns and values, parsing never throws and never returns a count other than 0 or N. */
    @Test
    void fuzzNeverThrowsNorMiscounts() {
        Random random = new Random(20240605L);
        String[] pieces = {", ", ")=(", "(", ")", "'", "\"", "\"\"", " ", ",", "=", "null", "Key (", ") already exists.",
                "ü", "東京", "🎉", "\\", "\n", "a", "b", "1"};
        int exact = 0;
        for (int run = 0; run < 20_000; run++) {
            int n = 1 + random.nextInt(4);
            List<String> columns = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                columns.add(random.nextBoolean() ? "c" + i : "\"" + noise(random, pieces) + "\"");
                values.add(noise(random, pieces));
            }
            String detail = "Key (" + String.join(", ", columns) + ")=(" + String.join(", ", values) + ") already exists.";
            List<String> parsed = DuplicateKeyDetail.values(detail, columns);
            assertThat(parsed.size()).as(detail).isIn(0, n);
            if (n == 1) {
                assertThat(parsed).as(detail).containsExactlyElementsOf(values);
            }
            if (values.stream().noneMatch(v -> v.contains(", "))) {
                assertThat(parsed).as(detail).containsExactlyElementsOf(values);
            }
            if (!parsed.isEmpty()) {
                // whatever was split, it joins back to the server's text
                assertThat(String.join(", ", parsed)).isEqualTo(String.join(", ", values));
                exact++;
            }
            String garbage = noise(random, pieces) + noise(random, pieces);
            assertThatCode(() -> {
                assertThat(DuplicateKeyDetail.values(garbage, columns).size()).isIn(0, n);
                DuplicateKeyDetail.columns(garbage);
                DuplicateKeyDetail.valueText(garbage, columns);
            }).as(garbage).doesNotThrowAnyException();
        }
        assertThat(exact).as("runs that produced values").isGreaterThan(5_000);
    }

    private static String noise(Random random, String[] pieces) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(6);
        for (int i = 0; i < length; i++) {
            s.append(random.nextInt(4) == 0 ? String.valueOf((char) (32 + random.nextInt(95))) : pieces[random.nextInt(pieces.length)]);
        }
        return s.toString();
    }
}
