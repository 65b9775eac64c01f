package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.SQLInsert;
import org.hibernate.jdbc.Expectation;

/**
 * Vanilla Hibernate: a hand-written upsert as the insert statement. Hibernate binds the columns in its own order
 * (attributes alphabetically, id last: balance, created_at, email, name, updated_at, id), and on conflict the
 * entity keeps the sequence id it was given, not the existing row's: the verifier shows that.
 */
@SQLInsert(sql = "insert into account (balance, created_at, email, name, updated_at, id) values (?, ?, ?, ?, ?, ?)"
        + " on conflict (email) do update set name = excluded.name, balance = excluded.balance,"
        + " updated_at = excluded.updated_at",
        verify = Expectation.None.class)
@Entity
@Table(name = "account")
class SqlInsertAccount extends SequenceIdAccount {
}
