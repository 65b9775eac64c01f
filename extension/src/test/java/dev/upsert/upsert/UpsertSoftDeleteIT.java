package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;
import org.hibernate.type.YesNoConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.PostgresTest;

/**
 * {@code @SoftDelete} on an {@code @Upsert} entity: the insert writes the not-deleted value (the column is NOT NULL),
 * and an upsert of a key whose row was soft-deleted brings that row back (same id), as an application that deletes
 * and re-creates by key expects: the entity is findable again.
 */
@PostgresTest
class UpsertSoftDeleteIT {

    /** The default strategy: a boolean {@code deleted} column, true once removed. */
    @Entity @Table(name = "sd_account", uniqueConstraints = @UniqueConstraint(columnNames = "email"))
    @Upsert(on = "email") @SoftDelete
    static class Account {
        @Id @GeneratedValue UUID id;
        String email;
        String name;
        Account() { }
        Account(String email, String name) { this.email = email; this.name = name; }
    }

    /** ACTIVE with a converter: {@code active} holds 'Y' while the row lives, 'N' once removed. */
    @Entity @Table(name = "sd_customer", uniqueConstraints = @UniqueConstraint(columnNames = "code"))
    @Upsert(on = "code") @SoftDelete(strategy = SoftDeleteType.ACTIVE, converter = YesNoConverter.class)
    static class Customer extends CodedEntity {
        Customer() { }
        Customer(String code, String name) { super(code, name); }
    }

    /** Get-or-create: a live row is left alone (SKIPPED), a soft-deleted one is brought back as it was stored. */
    @Entity @Table(name = "sd_tag", uniqueConstraints = @UniqueConstraint(columnNames = "label"))
    @Upsert(on = "label", action = Upsert.Action.NOTHING) @SoftDelete
    static class Tag {
        @Id @GeneratedValue Long id;
        String label;
        String color;
        Tag() { }
        Tag(String label, String color) { this.label = label; this.color = color; }
    }

    /** skipUnchanged: a soft-deleted row with the same values still comes back. */
    @Entity @Table(name = "sd_setting", uniqueConstraints = @UniqueConstraint(columnNames = "setting_key"))
    @Upsert(on = "key", skipUnchanged = true) @SoftDelete
    static class Setting {
        @Id @GeneratedValue Long id;
        @jakarta.persistence.Column(name = "setting_key") String key;
        String value;
        Setting() { }
        Setting(String key, String value) { this.key = key; this.value = value; }
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "20"),
            Account.class, Customer.class, Tag.class, Setting.class);

    /** The entity as a new persistence context finds it by id: its name (a tag's color), null if not found. */
    private static String nameOf(Class<?> type, Object id) {
        return jpa.tx(em -> {
            Object found = em.find(type, id);
            return found instanceof Account a ? a.name : found instanceof Customer c ? c.name : found instanceof Tag t ? t.color : null;
        });
    }

    @Test
    void theInsertWritesTheNotDeletedValue() {
        Account ann = jpa.upserted(new Account("ann@x.org", "Ann"), UpsertOutcome.INSERTED);
        assertThat(jpa.db().query("select name, deleted from sd_account where email = 'ann@x.org'"))
                .containsExactly(List.of("Ann", false));
        assertThat(nameOf(Account.class, ann.id)).isEqualTo("Ann");
    }

    @Test
    void anUpsertOfASoftDeletedKeyBringsTheRowBack() {
        Account first = jpa.persisted(new Account("bob@x.org", "Bob"));
        jpa.run(em -> em.remove(em.find(Account.class, first.id)));
        assertThat(jpa.db().query("select deleted from sd_account where email = 'bob@x.org'")).containsExactly(List.of(true));
        assertThat(nameOf(Account.class, first.id)).isNull();

        jpa.upsertedOver(first, new Account("bob@x.org", "Bob again"), UpsertOutcome.UPDATED);
        assertThat(jpa.db().query("select name, deleted from sd_account where email = 'bob@x.org'"))
                .containsExactly(List.of("Bob again", false));
        assertThat(nameOf(Account.class, first.id)).isEqualTo("Bob again");
        List<String> names = jpa.tx(em -> em.createQuery("select a.name from UpsertSoftDeleteIT$Account a where a.email = 'bob@x.org'",
                String.class).getResultList());
        assertThat(names).containsExactly("Bob again");
    }

    @Test
    void theActiveStrategyWithAConverter() {
        Customer first = jpa.persisted(new Customer("C-1", "Acme"));
        assertThat(jpa.db().query("select name, active from sd_customer")).containsExactly(List.of("Acme", "Y"));
        jpa.run(em -> em.remove(em.find(Customer.class, first.id)));
        assertThat(jpa.db().query("select active from sd_customer")).containsExactly(List.of("N"));

        jpa.upsertedOver(first, new Customer("C-1", "Acme Corp"), UpsertOutcome.UPDATED);
        assertThat(jpa.db().query("select name, active from sd_customer")).containsExactly(List.of("Acme Corp", "Y"));
        assertThat(nameOf(Customer.class, first.id)).isEqualTo("Acme Corp");
    }

    @Test
    void getOrCreateLeavesALiveRowAndBringsASoftDeletedOneBack() {
        Tag red = jpa.persisted(new Tag("urgent", "red"));
        Tag live = jpa.upsertedOver(red, new Tag("urgent", "blue"), UpsertOutcome.SKIPPED);
        assertThat(live.color).isEqualTo("red");
        jpa.run(em -> em.remove(em.find(Tag.class, red.id)));

        Tag back = jpa.upserted(new Tag("urgent", "green"), UpsertOutcome.UPDATED);
        // NOTHING never overwrites: the row comes back as it was stored
        assertThat(back.id).isEqualTo(red.id);
        assertThat(back.color).isEqualTo("red");
        assertThat(jpa.db().query("select color, deleted from sd_tag")).containsExactly(List.of("red", false));
        assertThat(nameOf(Tag.class, red.id)).isEqualTo("red");
    }

    @Test
    void skipUnchangedStillBringsBackASoftDeletedRowWithTheSameValues() {
        Setting first = jpa.persisted(new Setting("theme", "dark"));
        jpa.run(em -> em.remove(em.find(Setting.class, first.id)));
        jpa.upsertedOver(first, new Setting("theme", "dark"), UpsertOutcome.UPDATED);
        assertThat(jpa.db().query("select value, deleted from sd_setting")).containsExactly(List.of("dark", false));
        jpa.upserted(new Setting("theme", "dark"), UpsertOutcome.SKIPPED);
    }

    @Test
    void aBatchOfRowsSomeSoftDeletedSomeNew() {
        List<Long> ids = jpa.tx(em -> {
            var a = new Tag("a", "1");
            var b = new Tag("b", "2");
            em.persist(a);
            em.persist(b);
            em.flush();
            return List.of(a.id, b.id);
        });
        jpa.run(em -> em.remove(em.find(Tag.class, ids.get(0))));
        assertThat(jpa.outcomes(new Tag("a", "x"), new Tag("b", "y"), new Tag("c", "z")))
                .containsExactly(UpsertOutcome.UPDATED, UpsertOutcome.SKIPPED, UpsertOutcome.INSERTED);
        assertThat(jpa.db().query("select label, color, deleted from sd_tag where label in ('a', 'b', 'c') order by label"))
                .containsExactly(List.of("a", "1", false), List.of("b", "2", false), List.of("c", "z", false));
    }
}
