package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.annotations.CreationTimestamp;
import org.junit.jupiter.api.Test;

import dev.upsert.Upsert;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

@PostgresTest
class UpsertMappingIT {

    @Embeddable
    static class TenantKey {
        @Column(name = "tenant_id") long tenantId;
        String code;
        TenantKey() { }
        TenantKey(long tenantId, String code) { this.tenantId = tenantId; this.code = code; }
    }

    @Entity @Table(name = "setting", uniqueConstraints = @UniqueConstraint(name = "setting_key_uq", columnNames = {"tenant_id", "code"}))
    @Upsert(on = {"key.tenantId", "key.code"}, exclude = "note")
    static class Setting {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @Embedded TenantKey key;
        String value;
        String note;
        @CreationTimestamp @Column(name = "created_at") Instant createdAt;
        Setting() { }
        Setting(long tenant, String code, String value, String note) { key = new TenantKey(tenant, code); this.value = value; this.note = note; }
    }

    @Entity @Table(name = "profile", uniqueConstraints = @UniqueConstraint(name = "profile_handle_key", columnNames = "handle"))
    @Upsert(on = "handle", update = "bio")
    static class Profile {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String handle;
        String bio;
        String city;
        Profile() { }
        Profile(String handle, String bio, String city) { this.handle = handle; this.bio = bio; this.city = city; }
    }

    @Test
    void embeddedKeyPathsExcludeAndCreationTimestampAreHonoured(TestSchema db) {
        try (Jpa jpa = new Jpa(db, Setting.class)) {
            var first = jpa.tx(em -> { var s = new Setting(7, "theme", "dark", "from setup"); em.persist(s); return s; });
            var second = jpa.tx(em -> { var s = new Setting(7, "theme", "light", "from import"); em.persist(s); return s; });
            assertThat(second.id).isEqualTo(first.id);
            assertThat(second.note).isEqualTo("from setup");                  // excluded: the stored value came back
            assertThat(second.createdAt).isEqualTo(first.createdAt);         // @CreationTimestamp: never overwritten
            assertThat(db.query("select tenant_id, code, value, note from setting"))
                    .containsExactly(List.of(7L, "theme", "light", "from setup"));
        }
    }

    @Test
    void updateListsTheOnlyOverwrittenAttributes(TestSchema db) {
        try (Jpa jpa = new Jpa(db, Profile.class)) {
            jpa.run(em -> em.persist(new Profile("@ada", "first bio", "London")));
            var again = jpa.tx(em -> { var p = new Profile("@ada", "second bio", "Paris"); em.persist(p); return p; });
            assertThat(again.city).isEqualTo("London");
            assertThat(db.query("select handle, bio, city from profile")).containsExactly(List.of("@ada", "second bio", "London"));
        }
    }
}
