package dev.upsert.quarkus.it;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import org.hibernate.annotations.Check;

/**
 * A plain entity with an IDENTITY id (persist inserts at once), a unique email, a not-null name and a check
 * constraint whose violation DETAIL holds the failing row.
 */
@Entity
@Table(name = "account", uniqueConstraints = @UniqueConstraint(name = "account_email_uq", columnNames = "email"))
@Check(name = "account_name_check", constraints = "name <> 'forbidden'")
public class Account {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String email;

    /** NOT NULL in the table only, so that PostgreSQL (not Hibernate's own null check) refuses a null: 23502. */
    @Column(columnDefinition = "text not null")
    public String name;

    public static Account of(String email, String name) {
        Account account = new Account();
        account.email = email;
        account.name = name;
        return account;
    }
}
