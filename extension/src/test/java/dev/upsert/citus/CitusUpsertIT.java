package dev.upsert.citus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;
import dev.upsert.testing.CitusTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.StatementRecorder;

/**
 * The {@code @Upsert} matrix on a Citus cluster: every action ({@code UPDATE}, {@code NOTHING}, {@code updateWhere},
 * {@code skipUnchanged}) with sequence, IDENTITY, UUID and assigned ids, on hash-distributed tables (key
 * {@code (tenant_id, email)}, distributed by {@code tenant_id}) and reference tables, one row and 40-row flushes over
 * four tenants (so over several shards and both workers), half the keys existing. Each flush is checked against the
 * table: the outcome of every entity, the stored id and state written back, and the statements sent (one per chunk,
 * one more at most to read rows a conflict left alone).
 */
@CitusTest
class CitusUpsertIT {

    /**
     * Records what the flush sends, id fetches aside (an IDENTITY upsert draws its ids in the statement:
     * {@code coalesce(id, nextval(...))}).
     */
    static final StatementRecorder statements = new StatementRecorder(sql -> !sql.startsWith("select nextval("));

    @MappedSuperclass
    abstract static class Account {
        @Column(name = "tenant_id") Long tenantId;
        String email;
        String name;

        abstract Object id();

        Account fill(long tenantId, String email, String name) {
            this.tenantId = tenantId;
            this.email = email;
            this.name = name;
            return this;
        }
    }

    @Entity @Table(name = "seq_update") @Upsert(on = {"tenantId", "email"})
    static class SeqUpdate extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "seq_update_ids")
        @SequenceGenerator(name = "seq_update_ids", sequenceName = "seq_update_ids", allocationSize = 50)
        Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "seq_nothing") @Upsert(on = {"tenantId", "email"}, action = Upsert.Action.NOTHING)
    static class SeqNothing extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "seq_nothing_ids")
        @SequenceGenerator(name = "seq_nothing_ids", sequenceName = "seq_nothing_ids", allocationSize = 50)
        Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "seq_where") @Upsert(on = {"tenantId", "email"}, updateWhere = "seq_where.name <> 'locked'")
    static class SeqWhere extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "seq_where_ids")
        @SequenceGenerator(name = "seq_where_ids", sequenceName = "seq_where_ids", allocationSize = 50)
        Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "seq_skip") @Upsert(on = {"tenantId", "email"}, skipUnchanged = true)
    static class SeqSkip extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "seq_skip_ids")
        @SequenceGenerator(name = "seq_skip_ids", sequenceName = "seq_skip_ids", allocationSize = 50)
        Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "identity_update") @Upsert(on = {"tenantId", "email"})
    static class IdentityUpdate extends Account {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "identity_nothing") @Upsert(on = {"tenantId", "email"}, action = Upsert.Action.NOTHING)
    static class IdentityNothing extends Account {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "uuid_where") @Upsert(on = {"tenantId", "email"}, updateWhere = "uuid_where.name <> 'locked'")
    static class UuidWhere extends Account {
        @Id @GeneratedValue(strategy = GenerationType.UUID) UUID id;
        Object id() { return id; }
    }

    @Entity @Table(name = "assigned_skip") @Upsert(on = {"tenantId", "email"}, skipUnchanged = true)
    static class AssignedSkip extends Account {
        @Id Long id;
        Object id() { return id; }
    }

    /** A write expression keeps this entity on the {@code VALUES} statements, whose read-back is a key lookup. */
    @Entity @Table(name = "values_nothing") @Upsert(on = {"tenantId", "email"}, action = Upsert.Action.NOTHING)
    static class ValuesNothing extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "values_nothing_ids")
        @SequenceGenerator(name = "values_nothing_ids", sequenceName = "values_nothing_ids", allocationSize = 50)
        Long id;
        @ColumnTransformer(write = "trim(?)") String note;
        Object id() { return id; }
    }

    @Entity @Table(name = "values_where") @Upsert(on = {"tenantId", "email"}, updateWhere = "values_where.name <> 'locked'")
    static class ValuesWhere extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "values_where_ids")
        @SequenceGenerator(name = "values_where_ids", sequenceName = "values_where_ids", allocationSize = 50)
        Long id;
        @ColumnTransformer(write = "trim(?)") String note;
        Object id() { return id; }
    }

    @Entity @Table(name = "ref_nothing") @Upsert(on = {"tenantId", "email"}, action = Upsert.Action.NOTHING)
    static class RefNothing extends Account {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "ref_nothing_ids")
        @SequenceGenerator(name = "ref_nothing_ids", sequenceName = "ref_nothing_ids", allocationSize = 50)
        Long id;
        Object id() { return id; }
    }

    @Entity @Table(name = "ref_update") @Upsert(on = {"tenantId", "email"})
    static class RefUpdate extends Account {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        Object id() { return id; }
    }

    enum Action { UPDATE, NOTHING, WHERE, SKIP }

    /** One entity of the matrix: its table, how its ids are made, its action, and how the table is placed. */
    record Kind(Class<? extends Account> type, String table, String idColumn, Action action, boolean reference,
                Supplier<Account> create) {

        @Override
        public String toString() {
            return type.getSimpleName() + (reference ? " (reference table)" : " (distributed table)");
        }
    }

    static Stream<Kind> kinds() {
        return Stream.of(
                new Kind(SeqUpdate.class, "seq_update", "id bigint", Action.UPDATE, false, SeqUpdate::new),
                new Kind(SeqNothing.class, "seq_nothing", "id bigint", Action.NOTHING, false, SeqNothing::new),
                new Kind(SeqWhere.class, "seq_where", "id bigint", Action.WHERE, false, SeqWhere::new),
                new Kind(SeqSkip.class, "seq_skip", "id bigint", Action.SKIP, false, SeqSkip::new),
                new Kind(IdentityUpdate.class, "identity_update", "id bigint generated by default as identity", Action.UPDATE, false,
                        IdentityUpdate::new),
                new Kind(IdentityNothing.class, "identity_nothing", "id bigint generated by default as identity", Action.NOTHING,
                        false, IdentityNothing::new),
                new Kind(UuidWhere.class, "uuid_where", "id uuid", Action.WHERE, false, UuidWhere::new),
                new Kind(AssignedSkip.class, "assigned_skip", "id bigint", Action.SKIP, false, AssignedSkip::new),
                new Kind(ValuesNothing.class, "values_nothing", "id bigint, note text", Action.NOTHING, false, ValuesNothing::new),
                new Kind(ValuesWhere.class, "values_where", "id bigint, note text", Action.WHERE, false, ValuesWhere::new),
                new Kind(RefNothing.class, "ref_nothing", "id bigint", Action.NOTHING, true, RefNothing::new),
                new Kind(RefUpdate.class, "ref_update", "id bigint generated by default as identity", Action.UPDATE, true,
                        RefUpdate::new));
    }

    private static EntityManagerFactory emf;

    @BeforeAll
    static void boot(TestSchema db) {
        StringBuilder ddl = new StringBuilder();
        for (Kind kind : kinds().toList()) {
            String sequence = kind.type().getSimpleName().startsWith("Seq") || kind.type().getSimpleName().startsWith("Values")
                    || kind.table().equals("ref_nothing") ? "create sequence " + kind.table() + "_ids increment by 50;" : "";
            ddl.append(sequence).append("create table ").append(kind.table()).append(" (").append(kind.idColumn())
                    .append(" not null, tenant_id bigint not null, email text not null, name text, ")
                    // the distribution column is in every unique key of a distributed table: Citus refuses others
                    .append(kind.reference() ? "primary key (id)" : "primary key (tenant_id, id)")
                    .append(", unique (tenant_id, email));")
                    .append(kind.reference() ? "select create_reference_table('" + kind.table() + "');"
                            : "select create_distributed_table('" + kind.table() + "', 'tenant_id');");
        }
        db.execute(ddl.toString()
                .replace("id bigint, note text not null", "id bigint not null, note text"));
        Map<String, Object> settings = new HashMap<>(db.jpaProperties());
        settings.put("jakarta.persistence.schema-generation.database.action", "none");
        settings.put("hibernate.jdbc.batch_size", "50");
        settings.put("hibernate.session_factory.statement_inspector", statements);
        emf = dev.upsert.testing.jpa.PersistenceUnit.create("citus-upsert", settings, kinds().map(Kind::type).toArray(Class<?>[]::new));
    }

    @AfterAll
    static void close() {
        if (emf != null) {
            emf.close();
        }
    }

    /** Stored row {@code i}: four tenants; under {@code updateWhere} every other row is locked. */
    private static String storedName(Kind kind, int i) {
        return kind.action() == Action.WHERE && i % 2 == 0 ? "locked" : "old-" + i;
    }

    /** Proposed row {@code i}: a new name, except that under {@code skipUnchanged} every other row repeats the stored one. */
    private static String proposedName(Kind kind, int i) {
        return kind.action() == Action.SKIP && i % 2 == 0 && i < 20 ? "old-" + i : "new-" + i;
    }

    private static UpsertOutcome expectedOutcome(Kind kind, int i, int stored) {
        if (i >= stored) {
            return UpsertOutcome.INSERTED;
        }
        return switch (kind.action()) {
            case UPDATE -> UpsertOutcome.UPDATED;
            case NOTHING -> UpsertOutcome.SKIPPED;
            case WHERE, SKIP -> i % 2 == 0 ? UpsertOutcome.SKIPPED : UpsertOutcome.UPDATED;
        };
    }

    private static void seed(TestSchema db, Kind kind, String prefix, int rows) {
        // stored ids far from what the sequences hand out, apart per test (a reference table's key is the id alone)
        String id = kind.idColumn().startsWith("id uuid") ? "gen_random_uuid()" : (prefix.equals("b") ? "100000" : "200000") + " + g";
        String names = kind.action() == Action.WHERE ? "case when g % 2 = 0 then 'locked' else 'old-' || g end" : "'old-' || g";
        db.execute("insert into " + kind.table() + " (id, tenant_id, email, name) select " + id + ", g % 4 + 1, '" + prefix
                + "' || g || '@x.org', " + names + " from generate_series(0, " + (rows - 1) + ") g");
    }

    private static Account proposed(Kind kind, String prefix, int i, long assignedIds) {
        Account account = kind.create().get().fill(i % 4 + 1, prefix + i + "@x.org", proposedName(kind, i));
        if (account instanceof AssignedSkip assigned) {
            assigned.id = assignedIds + i;  // a fresh id per proposal; an existing key keeps its stored one
        }
        return account;
    }

    /** The stored id and name of each key, as the table holds them. */
    private static Map<String, List<Object>> table(TestSchema db, Kind kind, String prefix) {
        Map<String, List<Object>> rows = new HashMap<>();
        for (List<Object> row : db.query("select email, id, name from " + kind.table() + " where email like '" + prefix + "%'")) {
            rows.put((String) row.get(0), List.of(row.get(1), row.get(2)));
        }
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aFlushOfFortyRowsOverFourTenantsHalfExistingGetsEveryOutcomeAndStoredRow(Kind kind, TestSchema db) {
        seed(db, kind, "b", 20);
        statements.clear();
        List<Account> accounts = new ArrayList<>();
        Map<Account, UpsertOutcome> outcomes = new HashMap<>();
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            for (int i = 0; i < 40; i++) {
                Account account = proposed(kind, "b", i, 500_000);
                em.persist(account);
                accounts.add(account);
            }
            em.flush();
            for (Account account : accounts) {
                outcomes.put(account, Upserts.outcome(em, account).orElseThrow());
            }
            em.getTransaction().commit();
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }

        Map<String, List<Object>> stored = table(db, kind, "b");
        assertThat(stored).hasSize(40);
        for (int i = 0; i < 40; i++) {
            Account account = accounts.get(i);
            UpsertOutcome expected = expectedOutcome(kind, i, 20);
            assertThat(outcomes.get(account)).as("outcome of row %d", i).isEqualTo(expected);
            List<Object> row = stored.get("b" + i + "@x.org");
            String name = expected == UpsertOutcome.SKIPPED ? storedName(kind, i) : proposedName(kind, i);
            assertThat(row.get(1)).as("stored name of row %d", i).isEqualTo(name);
            assertThat(account.id()).as("id written back to row %d", i).isEqualTo(row.get(0));
            assertThat(account.name).as("name written back to row %d", i).isEqualTo(name);
        }
        // the upsert itself, plus at most one key lookup for the rows a conflict left alone (the VALUES path: one
        // batch, and a lookup per untouched row, as on PostgreSQL)
        List<String> upserts = statements.stream().filter(s -> s.contains("on conflict")).toList();
        assertThat(upserts).isNotEmpty();
        if (!kind.table().startsWith("values_")) {
            assertThat(statements).as("statements of the flush: %s", statements).hasSizeLessThanOrEqualTo(2);
        }
        if (!kind.reference()) {
            // what Citus refuses on a distributed table (0A000); a reference table runs it (one statement, no lookup)
            assertThat(statements.stream().filter(s -> s.contains("left join lateral"))).isEmpty();
        } else if (!kind.table().startsWith("values_")) {
            assertThat(upserts).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void oneRowAtATimeNewAndExistingKeys(Kind kind, TestSchema db) {
        seed(db, kind, "s", 4);
        for (int i = 0; i < 8; i++) {
            int row = i;
            Account account = proposed(kind, "s", row, 700_000);
            EntityManager em = emf.createEntityManager();
            UpsertOutcome outcome;
            try {
                em.getTransaction().begin();
                em.persist(account);
                em.flush();
                outcome = Upserts.outcome(em, account).orElseThrow();
                em.getTransaction().commit();
            } finally {
                if (em.getTransaction().isActive()) {
                    em.getTransaction().rollback();
                }
                em.close();
            }
            UpsertOutcome expected = expectedOutcome(kind, row, 4);
            List<Object> stored = table(db, kind, "s").get("s" + row + "@x.org");
            String name = expected == UpsertOutcome.SKIPPED ? storedName(kind, row) : proposedName(kind, row);
            assertThat(outcome).as("outcome of row %d", row).isEqualTo(expected);
            assertThat(stored.get(1)).isEqualTo(name);
            assertThat(account.id()).isEqualTo(stored.get(0));
            assertThat(account.name).isEqualTo(name);
        }
        assertThat(db.queryLong("select count(*) from " + kind.table() + " where email like 's%'")).isEqualTo(8);
    }
}
