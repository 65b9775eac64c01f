package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** Today's JPA practice: look the row up by email, then modify it or persist a new one. */
@Entity
@Table(name = "account")
class FindThenSaveAccount extends SequenceIdAccount {

    @Override
    public void update(AccountRow row) {
        name = row.name();
        balance = row.balance();
        updatedAt = row.updatedAt();
    }
}
