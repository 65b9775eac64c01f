package dev.upsert.internal.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class OnConflictClauseTest {

    private static final List<String> RETURNING = List.of("id", "email", "name");

    @Test
    void updateSetsExcludedValuesAndReturnsTheInsertedFlag() {
        String sql = new OnConflictClause("(email)", false, "account", List.of("name"), List.of(), null, "", RETURNING).render();
        assertThat(sql).isEqualTo(" on conflict (email) do update set name = excluded.name"
                + " returning id, email, name, (xmax = 0) as upsert_inserted");
    }

    @Test
    void valuesGeneratedOnUpdateRunInTheUpdateBranch() {
        String sql = new OnConflictClause("(email)", false, "users", List.of("name"), List.of("name"), null, "", RETURNING,
                List.of("last_login = current_timestamp"), false).render();
        assertThat(sql).isEqualTo(" on conflict (email) do update set name = excluded.name, last_login = current_timestamp"
                + " where users.name is distinct from excluded.name returning id, email, name, (xmax = 0) as upsert_inserted");
    }

    @Test
    void aPartitionedTableReturnsWhereTheRowIsNotXmax() {
        String sql = new OnConflictClause("(region, email)", false, "account", List.of("name"), List.of(), null, "", RETURNING,
                List.of(), true).render();
        assertThat(sql).isEqualTo(" on conflict (region, email) do update set name = excluded.name returning id, email, name,"
                + " tableoid::text || ':' || ctid::text as upsert_inserted");
    }

    @Test
    void versionIsIncrementedFromTheStoredRow() {
        String sql = new OnConflictClause("(email)", false, "account", List.of("name"), List.of(), "version", "", RETURNING).render();
        assertThat(sql).contains("do update set name = excluded.name, version = account.version + 1 returning");
    }

    @Test
    void skipUnchangedAndUpdateWhereAreCombined() {
        String single = new OnConflictClause("(email)", false, "account", List.of("name"), List.of("name"), null,
                "excluded.ts > account.ts", RETURNING).render();
        assertThat(single).contains(" where (excluded.ts > account.ts) and account.name is distinct from excluded.name returning");
        String several = new OnConflictClause("on constraint account_email_key", false, "account", List.of("name", "city"),
                List.of("name", "city"), null, "", RETURNING).render();
        assertThat(several).startsWith(" on conflict on constraint account_email_key do update")
                .contains(" where (account.name, account.city) is distinct from (excluded.name, excluded.city) returning");
    }

    @Test
    void nothingAndEmptySetListsRenderDoNothing() {
        assertThat(new OnConflictClause("(email) where deleted_at is null", true, "member", List.of("name"), List.of(), null, "", RETURNING).render())
                .startsWith(" on conflict (email) where deleted_at is null do nothing returning");
        assertThat(new OnConflictClause("(email)", false, "t", List.of(), List.of(), null, "", RETURNING).render())
                .contains(" do nothing returning");
    }

    @Test
    void aSoftDeleteIndicatorIsSetOnEveryUpdateAndRevivesADeletedRowWhateverTheCondition() {
        var revive = new OnConflictClause.Revive("deleted", "false");
        assertThat(new OnConflictClause("(email)", false, "account", List.of("name"), List.of(), null, "", RETURNING, List.of(),
                false, revive).render())
                .startsWith(" on conflict (email) do update set name = excluded.name, deleted = false returning");
        assertThat(new OnConflictClause("(email)", false, "account", List.of("name"), List.of("name"), null, "", RETURNING,
                List.of(), false, revive).render())
                .contains(" do update set name = excluded.name, deleted = false where (account.name is distinct from "
                        + "excluded.name) or account.deleted is distinct from false returning");
        assertThat(new OnConflictClause("(email)", true, "account", List.of(), List.of(), null, "", RETURNING, List.of(),
                false, new OnConflictClause.Revive("active", "'Y'")).render())
                .startsWith(" on conflict (email) do update set active = 'Y' where account.active is distinct from 'Y' returning");
    }

    @Test
    void aGuardConfinesEveryUpdateARevivalIncluded() {
        var revive = new OnConflictClause.Revive("deleted", "false");
        String tenant = "account.tenant = excluded.tenant";
        assertThat(new OnConflictClause("(email)", false, "account", List.of("name"), List.of(), null, "", RETURNING, List.of(),
                false, "upsert_", revive, tenant).render())
                .contains(" do update set name = excluded.name, deleted = false where account.tenant = excluded.tenant returning");
        assertThat(new OnConflictClause("(email)", false, "account", List.of("name"), List.of(), null, "account.v < excluded.v",
                RETURNING, List.of(), false, "upsert_", revive, tenant).render())
                .contains(" where account.tenant = excluded.tenant and (((account.v < excluded.v)) or account.deleted is distinct "
                        + "from false) returning");
        assertThat(new OnConflictClause("(email)", true, "account", List.of(), List.of(), null, "", RETURNING, List.of(),
                false, "upsert_", revive, tenant).render())
                .contains(" do update set deleted = false where account.tenant = excluded.tenant and (account.deleted is "
                        + "distinct from false) returning");
    }
}
