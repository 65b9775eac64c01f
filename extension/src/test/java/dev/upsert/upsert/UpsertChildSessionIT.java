package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.upsert.testing.PostgresTest;
import dev.upsert.upsert.IdKind.Account;
import dev.upsert.upsert.IdKind.IdentityAccount;
import dev.upsert.upsert.IdKind.SeqAccount;
import dev.upsert.upsert.IdKind.UuidAccount;

/**
 * A child session that shares its parent's connection and transaction ({@code sessionWithOptions().connection()}, as
 * Envers and audit code open one) upserts in the parent's transaction: each session's pending rows are its own, run
 * by its own flush and written back into its own persistence context, though the two share one transaction.
 */
@PostgresTest
class UpsertChildSessionIT {

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "20"),
            SeqAccount.class, IdentityAccount.class, UuidAccount.class);

    @ParameterizedTest
    @EnumSource(value = IdKind.class, names = {"SEQUENCE", "IDENTITY", "UUID"})
    void aChildSessionSharingTheTransactionUpsertsItsOwnRows(IdKind ids) {
        SessionFactory factory = jpa.factory().unwrap(SessionFactory.class);
        String tag = ids.name().toLowerCase();
        String taken = "child-taken-" + tag + "@x.org";
        factory.inTransaction(s -> s.persist(ids.create(taken, "Old", "seed")));
        Object takenId = jpa.db().queryValue("select id from " + ids.table + " where email = '" + taken + "'");

        Account before;
        Account inChild;
        Account after;
        try (Session parent = factory.openSession()) {
            parent.beginTransaction();
            before = ids.create("parent-before-" + tag + "@x.org", "Before", "app");
            parent.persist(before);
            try (Session child = parent.sessionWithOptions().connection().openSession()) {
                inChild = ids.create(taken, "Child", "app");
                child.persist(inChild);
                child.flush();
                // the child's flush ran the child's row only, and wrote the stored row back into the child's context
                assertThat(inChild.id()).isEqualTo(takenId);
                assertThat(child.getIdentifier(inChild)).isEqualTo(takenId);
                assertThat(inChild.createdBy).isEqualTo("seed");
                assertThat(child.contains(before)).isFalse();
                // on the shared connection, inside the transaction (another connection would not see it either way)
                long parentRows = child.doReturningWork(c -> {
                    try (var rs = c.createStatement().executeQuery("select count(*) from " + ids.table
                            + " where email like 'parent-%-" + tag + "@x.org'")) {
                        rs.next();
                        return rs.getLong(1);
                    }
                });
                assertThat(parentRows).as("the parent's pending row is not the child's to run").isZero();
            }
            after = ids.create("parent-after-" + tag + "@x.org", "After", "app");
            parent.persist(after);
            parent.getTransaction().commit();
            for (Account mine : List.of(before, after)) {
                assertThat(mine.id()).isNotNull().isNotEqualTo(takenId);
                assertThat(parent.getIdentifier(mine)).isEqualTo(mine.id());
            }
            assertThat(parent.contains(inChild)).isFalse();
        }

        assertThat(jpa.db().query("select email, id, name, created_by from " + ids.table + " where email in ('" + taken + "', '"
                + before.email + "', '" + after.email + "') order by email"))
                .containsExactly(
                        List.of(taken, takenId, "Child", "seed"),
                        List.of(after.email, after.id(), "After", "app"),
                        List.of(before.email, before.id(), "Before", "app"));
    }
}
