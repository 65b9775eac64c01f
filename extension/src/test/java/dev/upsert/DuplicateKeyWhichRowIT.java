package dev.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.EntityManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.upsert.DuplicateKeyModel.Alpha;
import dev.upsert.DuplicateKeyModel.Beta;
import dev.upsert.DuplicateKeyModel.Tag;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.LoginRole;
import dev.upsert.testing.jpa.PersistenceUnit;
import dev.upsert.testing.jpa.Teardown;

/**
 * {@link DuplicateKeyException#getKeyValues()} is the failing row's values or empty, never another row's, and keeps
 * the attribute's Java type (issue 11, defect 7).
 */
@PostgresTest
class DuplicateKeyWhichRowIT {

    private static final UUID TOKEN = UUID.fromString("00000000-0000-0000-0000-00000000002a");

    private static LoginRole role;
    private static EntityManagerFactory owner;  // DETAIL shown, batch size 10
    private static EntityManagerFactory hidden; // a role under row-level security: DETAIL hidden, batch size 10
    private static EntityManagerFactory hiddenUnbatched; // the same role, Hibernate's default batch size (1)

    @BeforeAll
    static void start(TestSchema db) {
        owner = PersistenceUnit.inSchema(db, "create", Map.of("hibernate.jdbc.batch_size", "10"),
                DuplicateKeyModel.WHICH_ROW_ENTITIES);

        role = LoginRole.create(db, "dkw_");
        db.execute("grant select, insert, update on alpha, beta to " + role.name() + ";"
                + "alter table alpha enable row level security;"
                + "create policy alpha_all on alpha using (true) with check (true)");
        Map<String, Object> asRole = new HashMap<>(role.jpaProperties());
        asRole.put("hibernate.jdbc.batch_size", "10");
        hidden = PersistenceUnit.create("which-row-hidden", asRole, DuplicateKeyModel.WHICH_ROW_ENTITIES);
        hiddenUnbatched = PersistenceUnit.create("which-row-hidden-unbatched", role.jpaProperties(),
                DuplicateKeyModel.WHICH_ROW_ENTITIES);
    }

    @AfterAll
    static void stop() {
        Teardown.closeAll(hiddenUnbatched, hidden, owner, role);
    }

    @BeforeEach
    void rows(TestSchema db) {
        db.execute("truncate alpha, beta, tag, counter;"
                + "insert into alpha (id, code, handle) values (-1, 'c0', 'taken');"
                + "insert into tag (id, owner, name) values (-1, 'x', 'y, z');"
                + "insert into counter (number, token, at) values (42, '" + TOKEN + "', '2024-01-02 03:04:05+00')");
    }

    /**
     * (a) Pending @Upsert rows wait for the end of the flush's inserts, so more rows than batch size + 8 can be in
     * flight: the failing Alpha row, 18 Betas, then an innocent Alpha. Without DETAIL, the innocent row was the only
     * Alpha left in view and was reported; now the values are empty.
     */
    @Test
    void hiddenDetailAndMoreRowsInFlightThanRememberedGiveNoValues(TestSchema db) {
        DuplicateKeyException e = takenAlphaAmongBetas(18, new Alpha("z-new", "fresh"));

        assertThat(serverDetail(e)).isNull();
        assertThat(e.getConstraintName()).isEqualTo("alpha_handle_uq");
        assertThat(e.getColumnNames()).containsExactly("handle");
        assertThat(e.getEntityClass()).contains(Alpha.class);
        assertThat(e.getAttributeNames()).containsExactly("handle");
        assertThat(e.getKeyValues()).isEmpty();
        assertThat(db.query("select code, handle from alpha")).containsExactly(List.of("c0", "taken"));
        assertThat(db.queryLong("select count(*) from beta")).isZero();
    }

    /** The same with fewer rows in flight: the failing Alpha is the only Alpha, and its values are reported. */
    @Test
    void hiddenDetailAndEveryRowInViewGiveTheFailingRowsValues(TestSchema db) {
        DuplicateKeyException e = takenAlphaAmongBetas(5);

        assertThat(serverDetail(e)).isNull();
        assertThat(e.getConstraintName()).isEqualTo("alpha_handle_uq");
        assertThat(e.getKeyValues()).containsExactly(entry("handle", "taken"));
        assertThat(db.query("select code, handle from alpha")).containsExactly(List.of("c0", "taken"));
    }

    /** (b) Two rows of the batch print as the same DETAIL: neither is reported, and DETAIL does not split. */
    @Test
    void anAmbiguousCompositeDetailGivesNoValues(TestSchema db) {
        DuplicateKeyException e = DuplicateKeyIT.duplicateAtFlush(owner,
                new Tag("x, y", "z"), // new, innocent
                new Tag("x", "y, z")); // taken

        assertThat(serverDetail(e)).isEqualTo("Key (owner, name)=(x, y, z) already exists.");
        assertThat(e.getConstraintName()).isEqualTo("tag_owner_name_uq");
        assertThat(e.getColumnNames()).containsExactly("owner", "name");
        assertThat(e.getAttributeNames()).containsExactly("owner", "name");
        assertThat(e.getKeyValues()).isEmpty();
        assertThat(db.query("select owner, name from tag")).containsExactly(List.of("x", "y, z"));
    }

    /** An innocent row that prints differently does not stand in the way: the failing row's values, typed. */
    @Test
    void anUnambiguousCompositeDetailNamesTheFailingRow(TestSchema db) {
        DuplicateKeyException e = DuplicateKeyIT.duplicateAtFlush(owner,
                new Tag("q", "r"),
                new Tag("x", "y, z"));

        assertThat(e.getKeyValues()).containsExactly(entry("owner", "x"), entry("name", "y, z"));
        assertThat(db.query("select owner, name from tag")).containsExactly(List.of("x", "y, z"));
    }

    /** (c) Values read from DETAIL have the attribute's Java type, or are empty when the text does not convert exactly. */
    @Test
    void detailValuesKeepTheAttributesJavaType(TestSchema db) {
        DuplicateKeyException number = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(owner, em -> em
                .createNativeQuery("insert into counter (number) values (42)").executeUpdate());
        assertThat(number.getConstraintName()).isEqualTo("counter_number_uq");
        assertThat(number.getKeyValues()).containsExactly(entry("number", 42L));
        assertThat(number.getKeyValues().get("number")).isInstanceOf(Long.class);

        DuplicateKeyException token = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(owner, em -> em
                .createNativeQuery("insert into counter (token) values ('" + TOKEN + "')").executeUpdate());
        assertThat(token.getConstraintName()).isEqualTo("counter_token_uq");
        assertThat(token.getKeyValues()).containsExactly(entry("token", TOKEN));

        // printed in the session's DateStyle and TimeZone, which Instant does not read back: unknown, not a String
        DuplicateKeyException at = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(owner, em -> em
                .createNativeQuery("insert into counter (at) values ('2024-01-02 03:04:05+00')").executeUpdate());
        assertThat(at.getConstraintName()).isEqualTo("counter_at_uq");
        assertThat(at.getColumnNames()).containsExactly("at");
        assertThat(at.getKeyValues()).isEmpty();

        assertThat(db.queryLong("select count(*) from counter")).isEqualTo(1);
    }

    /**
     * An {@code @Upsert} row whose statement ran earlier in the flush is not taken for the row whose update fails, with
     * batching or without: the Alpha upserted at the end of the flush's inserts is done with by the time the loaded
     * Alpha's update runs, so the failing Alpha's values are reported although DETAIL is hidden (before, the upserted
     * Alpha stayed in view until the flush ended, two Alphas were candidates, and the values were empty).
     */
    @Test
    void anUpsertedRowIsNotTakenForTheFailingUpdateInTheSameFlush(TestSchema db) {
        for (var unit : Map.of("batch size 10", hidden, "Hibernate's default batch size", hiddenUnbatched).entrySet()) {
            EntityManagerFactory factory = unit.getValue();
            db.execute("delete from alpha where id <> -1; insert into alpha (id, code, handle) values (-2, 'c9', 'spare')");

            DuplicateKeyException e = (DuplicateKeyException) DuplicateKeyIT.inTransactionFailing(factory, em -> {
                em.find(Alpha.class, -2L).handle = "taken";
                em.persist(new Alpha("a-new", "fresh"));
                em.flush();
            });

            assertThat(serverDetail(e)).isNull();
            assertThat(e.getConstraintName()).isEqualTo("alpha_handle_uq");
            assertThat(e.getEntityClass()).contains(Alpha.class);
            assertThat(e.getKeyValues()).as(unit.getKey()).containsExactly(entry("handle", "taken"));
            assertThat(db.query("select code, handle from alpha order by id"))
                    .containsExactly(List.of("c9", "spare"), List.of("c0", "taken"));
        }
    }

    /** One flush as the role that gets no DETAIL: an Alpha whose handle is taken, {@code betas} Betas, then {@code after}. */
    private static DuplicateKeyException takenAlphaAmongBetas(int betas, Alpha... after) {
        List<Object> rows = new ArrayList<>();
        rows.add(new Alpha("a-new", "taken"));
        for (int i = 0; i < betas; i++) {
            rows.add(new Beta("b" + i));
        }
        rows.addAll(List.of(after));
        return DuplicateKeyIT.duplicateAtFlush(hidden, rows.toArray());
    }

    private static String serverDetail(DuplicateKeyException e) {
        return ExpectedKey.serverError(e).getDetail();
    }
}
