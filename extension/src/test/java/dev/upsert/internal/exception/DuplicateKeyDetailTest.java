package dev.upsert.internal.exception;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Examples of the DETAIL parser from research A1; {@link DuplicateKeyDetailPropertyTest} has the properties. */
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
}
