package dev.upsert.internal.boot;

import dev.upsert.internal.persister.UpsertEntityPersister;
import dev.upsert.internal.persister.UpsertMapping;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.persister.internal.StandardPersisterClassResolver;

/**
 * Gives {@code @Upsert} entities the {@link UpsertEntityPersister}; every other entity gets Hibernate's standard
 * persister. Mapping problems are reported, all at once, by {@link UpsertIntegrator} before persisters are built.
 */
public final class UpsertPersisterClassResolver extends StandardPersisterClassResolver {

    @Override
    public Class<? extends EntityPersister> getEntityPersisterClass(PersistentClass model) {
        if (UpsertMapping.annotationOf(model) != null) {
            return UpsertEntityPersister.class;
        }
        return super.getEntityPersisterClass(model);
    }
}
