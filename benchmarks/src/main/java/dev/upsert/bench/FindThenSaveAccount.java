package dev.upsert.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** Today's JPA practice: look the row up by email, then modify it or persist a new one. */
@Entity
@Table(name = "account")
class FindThenSaveAccount extends AccountColumns {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "account_ids")
    @SequenceGenerator(name = "account_ids", sequenceName = "account_id_seq", allocationSize = 50)
    private Long id;

    @Override
    public Long getId() {
        return id;
    }

    @Override
    public void update(AccountRow row) {
        name = row.name();
        balance = row.balance();
        updatedAt = row.updatedAt();
    }
}
