package dev.upsert.internal.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * How Citus names a shard's index ({@code AppendShardIdToName}): the name plus {@code _<shard id>} when that fits in 63
 * bytes, else a prefix, {@code _}, eight hex digits of a hash and {@code _<shard id>}. Seen on Citus 13.2 in
 * {@code CitusDuplicateKeyIT}; here the matching alone, without a database.
 */
class UniqueKeyCatalogShardNameTest {

    @Test
    void aShortNameIsTheNameItself() {
        assertThat(UniqueKeyCatalog.isShardName("account_tenant_id_email_key", "account_tenant_id_email_key", "_102009")).isTrue();
        assertThat(UniqueKeyCatalog.isShardName("account_tenant_id_email_key", "account_tenant_id_email_ke", "_102009")).isFalse();
        assertThat(UniqueKeyCatalog.isShardName("account_pkey", "account_tenant_id_email_key", "_102009")).isFalse();
    }

    @Test
    void aLongNameIsItsPrefixAndAHash() {
        String name = "subscriber_tenant_and_handle_must_be_unique_within_each_tenant_";  // 63 bytes
        assertThat(name).hasSize(63);
        // 64 - len("_102041") - 10 = 47 bytes of the name, then _<8 hex digits>
        String shard = name.substring(0, 47) + "_1a2b3c4d";
        assertThat(UniqueKeyCatalog.isShardName(name, shard, "_102041")).isTrue();
        assertThat(UniqueKeyCatalog.isShardName("subscriber_tenant_and_handle_other_key", shard, "_102041")).isFalse();
        assertThat(UniqueKeyCatalog.isShardName(name, name.substring(0, 47) + "_nothex!!", "_102041")).isFalse();
    }
}
