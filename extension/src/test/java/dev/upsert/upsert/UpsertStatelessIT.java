package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.hibernate.SessionFactory;
import org.hibernate.StatelessSession;
import org.hibernate.TransientObjectException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.upsert.testing.PostgresTest;
import dev.upsert.upsert.IdKind.Account;
import dev.upsert.upsert.IdKind.AssignedAccount;
import dev.upsert.upsert.IdKind.IdentityAccount;
import dev.upsert.upsert.IdKind.SeqAccount;
import dev.upsert.upsert.IdKind.UuidAccount;

/**
 * {@code StatelessSession} {@code insert}, {@code insertMultiple} and {@code upsert} of an {@code @Upsert} entity: the
 * bulk path without a persistence context. Each is the upsert by key, and the stored id and row come back into the
 * entity, batched or not.
 */
@PostgresTest
class UpsertStatelessIT {

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "20"),
            SeqAccount.class, IdentityAccount.class, UuidAccount.class, AssignedAccount.class);

    private static int counter;

    private static void stateless(Consumer<StatelessSession> work) {
        try (StatelessSession session = jpa.factory().unwrap(SessionFactory.class).openStatelessSession()) {
            session.getTransaction().begin();
            work.accept(session);
            session.getTransaction().commit();
        }
    }

    /** {@code count} keys, every other one stored already as (name 'Old', created_by 'seed'). */
    private static List<String> keys(IdKind ids, int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String email = "s" + (++counter) + "-" + ids.name().toLowerCase() + "@x.org";
            keys.add(email);
            if (i % 2 == 0) {
                stateless(s -> s.insert(ids.create(email, "Old", "seed")));
            }
        }
        return keys;
    }

    private static void assertStored(IdKind ids, List<String> keys, List<Account> accounts, String name) {
        assertStored(ids, keys, accounts, name, 0L);
    }

    private static void assertStored(IdKind ids, List<String> keys, List<Account> accounts, String name, long newRowVersion) {
        assertThat(jpa.db().queryLong("select count(*) from " + ids.table + " where email in ('" + String.join("','", keys) + "')"))
                .isEqualTo(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            Account a = accounts.get(i);
            List<Object> row = jpa.db().query("select id, name, created_by, version::bigint from " + ids.table
                    + " where email = '" + keys.get(i) + "'").get(0);
            assertThat(row).containsExactly(a.id(), name, i % 2 == 0 ? "seed" : "app", i % 2 == 0 ? 1L : newRowVersion);
            assertThat(a.createdBy).isEqualTo(row.get(2));
            assertThat((long) a.version).isEqualTo(row.get(3));
        }
    }

    /** A new entity per key, named {@code name}, each handed to {@code send} in one stateless transaction; in key order. */
    private static List<Account> sendEach(IdKind ids, List<String> keys, String name, BiConsumer<StatelessSession, Account> send) {
        List<Account> accounts = new ArrayList<>();
        stateless(s -> keys.forEach(email -> {
            Account a = ids.create(email, name, "app");
            send.accept(s, a);
            accounts.add(a);
        }));
        return accounts;
    }

    @ParameterizedTest
    @EnumSource(value = IdKind.class, names = {"SEQUENCE", "IDENTITY", "UUID", "ASSIGNED"})
    void insertUpsertsEachEntityAndWritesTheStoredRowBack(IdKind ids) {
        List<String> keys = keys(ids, 6);
        assertStored(ids, keys, sendEach(ids, keys, "New", StatelessSession::insert), "New");
    }

    @ParameterizedTest
    @EnumSource(value = IdKind.class, names = {"SEQUENCE", "IDENTITY", "UUID", "ASSIGNED"})
    void insertMultipleUpsertsEveryEntity(IdKind ids) {
        List<String> keys = keys(ids, 6);
        List<Account> accounts = new ArrayList<>();
        keys.forEach(email -> accounts.add(ids.create(email, "Bulk", "app")));
        stateless(s -> {
            s.setJdbcBatchSize(4);
            LineStateless.insertMultiple(s, accounts);
        });
        assertStored(ids, keys, accounts, "Bulk");
    }

    @ParameterizedTest
    @EnumSource(value = IdKind.class, names = {"SEQUENCE", "IDENTITY", "UUID", "ASSIGNED"})
    void upsertIsTheUpsertByKey(IdKind ids) {
        List<String> keys = keys(ids, 4);
        // upsert() takes entities that carry an id
        List<Account> accounts = sendEach(ids, keys, "Upserted", (s, a) -> s.upsert(withId(a)));
        // Hibernate's upsert() increments the version it is given, also for a row that turns out new (as for its own upsert)
        assertStored(ids, keys, accounts, "Upserted", 1L);
    }

    @ParameterizedTest
    @EnumSource(value = IdKind.class, names = {"SEQUENCE", "IDENTITY", "UUID"})
    void upsertWithoutAnIdIsRefusedByHibernateBeforeSql(IdKind ids) {
        String email = keys(ids, 1).get(0);
        assertThatThrownBy(() -> stateless(s -> s.upsert(ids.create(email, "No id", "app"))))
                .isInstanceOf(TransientObjectException.class).hasMessageContaining("unsaved identifier");
        assertThat(jpa.db().query("select name from " + ids.table + " where email = '" + email + "'")).containsExactly(List.of("Old"));
    }

    private static Account withId(Account a) {
        if (a.id() != null) {
            return a;
        }
        try {
            var field = a.getClass().getDeclaredField("id");
            field.setAccessible(true);
            field.set(a, field.getType() == UUID.class ? UUID.randomUUID() : (Object) (900_000L + ++counter));
            return a;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
