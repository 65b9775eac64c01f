package dev.upsert.ops;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import dev.upsert.Upsert;

/** The entities of the production-operations tests; each test creates their tables, and their constraints, in SQL. */
final class OpsModel {

    private OpsModel() {
    }

    /** IDENTITY id; FindExistingIT makes email unique, UpsertMetricsIT email and name. */
    @Entity(name = "Account")
    @Table(name = "account")
    static class Account {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String email;
        String name;

        Account() {
        }

        Account(String email, String name) {
            this.email = email;
            this.name = name;
        }
    }

    /** A unique key of two columns, (tenant_id, slug). */
    @Entity(name = "Page")
    @Table(name = "page")
    static class Page {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @Column(name = "tenant_id") Long tenantId;
        String slug;
        String title;

        Page() {
        }

        Page(Long tenantId, String slug, String title) {
            this.tenantId = tenantId;
            this.slug = slug;
            this.title = title;
        }
    }

    /** Unique on lower(email) only: the entity cannot supply that value, PostgreSQL's DETAIL does. */
    @Entity(name = "Person")
    @Table(name = "person")
    static class Person {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String email;
        boolean deleted;

        Person() {
        }

        Person(String email) {
            this.email = email;
        }
    }

    @Embeddable
    record LineKey(@Column(name = "order_no") String orderNo, @Column(name = "line_no") int lineNo) {
    }

    /** A composite id and a second unique key (sku per order). */
    @Entity(name = "OrderLine")
    @Table(name = "order_line")
    static class OrderLine {
        @EmbeddedId LineKey key;
        String sku;

        OrderLine() {
        }

        OrderLine(String orderNo, int lineNo, String sku) {
            this.key = new LineKey(orderNo, lineNo);
            this.sku = sku;
        }
    }

    @Entity(name = "Label")
    @Table(name = "label")
    @Upsert(on = "name", skipUnchanged = true)
    static class Label {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        String name;
        String color;

        Label() {
        }

        Label(String name, String color) {
            this.name = name;
            this.color = color;
        }
    }

    /** A plain entity with sequence ids: its inserts go out in one JDBC batch at flush. */
    @Entity(name = "Tag")
    @Table(name = "tag")
    static class Tag {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        String name;

        Tag() {
        }

        Tag(String name) {
            this.name = name;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // DuplicateScanIT: one table, mapped twice

    /** The subscriber table's columns, whichever entity maps it. */
    @MappedSuperclass
    abstract static class SubscriberColumns {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @Column(name = "tenant_id") Long tenantId;
        String email;
        String name;
    }

    /** The table as it is: no unique index on (tenant_id, email). */
    @Entity(name = "Subscriber")
    @Table(name = "subscriber")
    static class Subscriber extends SubscriberColumns {
    }

    /** The same table as the application wants it. */
    @Entity(name = "UpsertSubscriber")
    @Table(name = "subscriber")
    @Upsert(on = {"tenantId", "email"})
    static class UpsertSubscriber extends SubscriberColumns {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // SequenceDriftIT: a named row with an id from a sequence, for each way an id is generated

    /** What every drift table holds besides its id: a unique name. */
    @MappedSuperclass
    abstract static class Thing {
        String name;
    }

    /** An IDENTITY column, whose sequence the column owns. */
    @MappedSuperclass
    abstract static class IdentityIdThing extends Thing {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
    }

    @Entity(name = "IdentityThing")
    @Table(name = "identity_thing")
    static class IdentityThing extends IdentityIdThing {
    }

    /** A {@code bigserial} column: the sequence is owned by the column. */
    @Entity(name = "SerialThing")
    @Table(name = "serial_thing")
    static class SerialThing extends IdentityIdThing {
    }

    /** A plain {@code default nextval('default_thing_ids')}: the sequence is owned by nothing. */
    @Entity(name = "DefaultThing")
    @Table(name = "default_thing")
    static class DefaultThing extends IdentityIdThing {
    }

    @Entity(name = "SeqThing")
    @Table(name = "seq_thing")
    static class SeqThing extends Thing {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "seq_thing")
        @SequenceGenerator(name = "seq_thing", sequenceName = "seq_thing_seq", allocationSize = 1)
        Long id;
    }

    /** Hibernate's pooled optimizer: each sequence value stands for the 50 ids below it. */
    @Entity(name = "PooledThing")
    @Table(name = "pooled_thing")
    static class PooledThing extends Thing {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "pooled_thing")
        @SequenceGenerator(name = "pooled_thing", sequenceName = "pooled_thing_seq", allocationSize = 50)
        Long id;
    }

    /** An {@code @Upsert} entity draws its IDENTITY ids in blocks from the column's sequence: still that sequence's ids. */
    @Entity(name = "UpsertIdentityThing")
    @Table(name = "upsert_identity_thing")
    @Upsert(on = "name")
    static class UpsertIdentityThing extends IdentityIdThing {
    }

    @Entity(name = "UpsertPooledThing")
    @Table(name = "upsert_pooled_thing")
    @Upsert(on = "name")
    static class UpsertPooledThing extends Thing {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "upsert_pooled_thing")
        @SequenceGenerator(name = "upsert_pooled_thing", sequenceName = "upsert_pooled_thing_seq", allocationSize = 50)
        Long id;
    }
}
