package dev.upsert.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The raw SQL of both table shapes and the {@code --citus} option, without a database. */
class AccountTableTest {

    private static final OffsetDateTime AT = OffsetDateTime.of(2024, 6, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void thePlainTableGetsTheStatementsTheDefaultRunAlwaysSent() {
        assertThat(AccountTable.LOCAL.valuesUpsert()).isEqualTo("insert into account (email, name, balance, created_at, updated_at)"
                + " values (?, ?, ?, ?, ?) on conflict (email) do update set name = excluded.name, balance = excluded.balance,"
                + " updated_at = excluded.updated_at");
        assertThat(AccountTable.LOCAL.unnestUpsert()).isEqualTo("insert into account (email, name, balance, created_at, updated_at)"
                + " select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[]::timestamptz[], ?::text[]::timestamptz[])"
                + " on conflict (email) do update set name = excluded.name, balance = excluded.balance,"
                + " updated_at = excluded.updated_at");
        assertThat(AccountTable.LOCAL.parameters(new AccountRow("a@x.org", "Ann", 7, AT, AT)))
                .containsExactly("a@x.org", "Ann", 7L, AT, AT);
    }

    @Test
    void theDistributedTableLeadsEveryStatementAndKeyWithTheTenant() {
        AccountRow row = new AccountRow("a@x.org", "Ann", 7, AT, AT);
        assertThat(AccountTable.DISTRIBUTED.valuesUpsert())
                .startsWith("insert into account (tenant_id, email, name, balance, created_at, updated_at) values (?, ?, ?, ?, ?, ?)")
                .contains("on conflict (tenant_id, email) do update");
        assertThat(AccountTable.DISTRIBUTED.unnestUpsert()).contains("unnest(?::bigint[], ?::text[],")
                .contains("on conflict (tenant_id, email)");
        assertThat(AccountTable.DISTRIBUTED.parameters(row)).containsExactly(row.tenantId(), "a@x.org", "Ann", 7L, AT, AT);
        assertThat(AccountTable.DISTRIBUTED.ddl()).contains("unique (tenant_id, email)", "primary key (tenant_id, id)",
                "create_distributed_table('account', 'tenant_id')");
    }

    @Test
    void aKeyKeepsItsTenantAndTheWorkloadSpansEveryTenant() {
        Set<Long> tenants = new HashSet<>();
        for (AccountRow r : Workload.w1(1_000, 1).upserts()) {
            assertThat(r.tenantId()).isBetween(1L, (long) AccountRow.TENANTS);
            assertThat(new AccountRow(r.email(), "other", 0, AT, AT).tenantId()).isEqualTo(r.tenantId());
            tenants.add(r.tenantId());
        }
        assertThat(tenants).hasSize(AccountRow.TENANTS);
    }

    @Test
    void citusIsAFlagAmongTheOptions() {
        Benchmarks.Options o = Benchmarks.Options.parse(new String[] {"--citus", "--w4-tx", "2_000"});
        assertThat(o.citus).isTrue();
        assertThat(o.w4Transactions).isEqualTo(2_000);
        assertThat(Benchmarks.Options.parse(new String[] {"--rows", "10"}).citus).isFalse();
    }
}
