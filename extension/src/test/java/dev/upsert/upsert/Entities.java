package dev.upsert.upsert;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;

import java.util.UUID;

import dev.upsert.Upsert;

final class Entities {

    private Entities() {
    }

    /** The key and a name: what every account below holds. */
    @MappedSuperclass
    abstract static class Named {
        String email;
        String name;

        Named() {
        }

        Named(String email, String name) {
            this.email = email;
            this.name = name;
        }
    }

    /** A named account with a column only an insert writes ({@code created_by}) and a version. */
    @MappedSuperclass
    abstract static class Audited extends Named {
        @Column(name = "created_by", updatable = false) String createdBy;
        @Version int version;

        Audited() {
        }

        Audited(String email, String name, String createdBy) {
            super(email, name);
            this.createdBy = createdBy;
        }
    }

    @Entity
    @Table(name = "account_identity", uniqueConstraints = @UniqueConstraint(name = "account_identity_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class IdentityAccount extends Audited {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;

        IdentityAccount() {
        }

        IdentityAccount(String email, String name, String createdBy) {
            super(email, name, createdBy);
        }
    }

    @Entity
    @Table(name = "account_seq", uniqueConstraints = @UniqueConstraint(name = "account_seq_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class SequenceAccount extends Audited {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "account_seq_gen")
        @SequenceGenerator(name = "account_seq_gen", sequenceName = "account_seq_ids", allocationSize = 50)
        Long id;

        SequenceAccount() {
        }

        SequenceAccount(String email, String name, String createdBy) {
            super(email, name, createdBy);
        }
    }

    @Entity
    @Table(name = "account_uuid", uniqueConstraints = @UniqueConstraint(name = "account_uuid_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class UuidAccount extends Named {
        @Id @GeneratedValue UUID id;

        UuidAccount() {
        }

        UuidAccount(String email, String name) {
            super(email, name);
        }
    }

    @Entity
    @Table(name = "inbox", uniqueConstraints = @UniqueConstraint(name = "inbox_event_key", columnNames = "event_id"))
    @Upsert(on = "eventId", action = Upsert.Action.NOTHING)
    static class InboxEvent {
        @Id String id;
        @Column(name = "event_id") String eventId;
        String payload;
        @Column(name = "received_at") Instant receivedAt;

        InboxEvent() {
        }

        InboxEvent(String id, String eventId, String payload) {
            this.id = id;
            this.eventId = eventId;
            this.payload = payload;
        }
    }

    /** A member keyed by email, sequence ids in blocks of 50: the concurrency, failover and faults tests' shared key. */
    @Entity @Table(name = "member", uniqueConstraints = @UniqueConstraint(name = "member_email_key", columnNames = "email"))
    @Upsert(on = "email")
    static class Member extends Audited {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "member_ids")
        @SequenceGenerator(name = "member_ids", sequenceName = "member_ids", allocationSize = 50)
        Long id;
        Member() { }
        Member(String email, String name) { super(email, name, name); }
    }

    /** A badge keyed by code, with IDENTITY ids. */
    @Entity @Table(name = "badge", uniqueConstraints = @UniqueConstraint(name = "badge_code_key", columnNames = "code"))
    @Upsert(on = "code")
    static class Badge {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String code;
        String holder;
        @Version int version;
        Badge() { }
        Badge(String code, String holder) { this.code = code; this.holder = holder; }
    }
}
