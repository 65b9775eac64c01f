package dev.upsert.bench;

import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;

/** {@link InboxColumns} with IDENTITY ids: the column's own sequence hands them out. */
@MappedSuperclass
abstract class IdentityIdInbox extends InboxColumns {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Override
    public Long getId() {
        return id;
    }
}
