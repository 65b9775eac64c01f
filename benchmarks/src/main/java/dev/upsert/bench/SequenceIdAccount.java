package dev.upsert.bench;

import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.SequenceGenerator;

/**
 * {@link AccountColumns} with the id the batched contenders share: a sequence, pooled 50 per round trip, so the
 * contenders that differ only in how they write the row also draw ids the same way.
 */
@MappedSuperclass
abstract class SequenceIdAccount extends AccountColumns {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "account_ids")
    @SequenceGenerator(name = "account_ids", sequenceName = "account_id_seq", allocationSize = 50)
    private Long id;

    @Override
    public Long getId() {
        return id;
    }
}
