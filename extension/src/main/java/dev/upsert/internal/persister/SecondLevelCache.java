package dev.upsert.internal.persister;

import dev.upsert.internal.compat.HibernateAccess;

import org.hibernate.cache.spi.access.CachedDomainDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;

/**
 * Keeps the second-level cache equal to the stored rows after an upsert. Hibernate caches nothing at an upsert's insert
 * ({@code UpsertEntityPersister#isCacheInvalidationRequired}): the state and the id it would cache are the proposed
 * ones. What an upsert can leave stale is evicted here the way Hibernate's own update evicts (lock, remove, unlock when
 * the transaction ends, so that no transaction caches the old state meanwhile): the entity entry of a row it updated,
 * and the natural-id entry that Hibernate's insert pointed at the proposed id of a row that was not inserted.
 */
public final class SecondLevelCache {

    private SecondLevelCache() {
    }

    /** The stored row with id {@code storedId} changed: its cached state, if any, goes. */
    static void evictEntity(EntityPersister persister, Object storedId, SharedSessionContractImplementor session) {
        if (!persister.canWriteToCache()) {
            return;
        }
        var access = persister.getCacheAccessStrategy();
        evict(access, access.generateCacheKey(storedId, persister.getRootEntityDescriptor().getEntityPersister(),
                session.getFactory(), session.getTenantIdentifier()), session);
    }

    /**
     * Hibernate's insert resolved the natural id {@code naturalIdValues} to the proposed id in the shared cache (now,
     * or when the transaction ends); the row kept another id: the entry goes, and stays out until the transaction ends.
     */
    static void evictNaturalId(EntityPersister persister, Object naturalIdValues, SharedSessionContractImplementor session) {
        var naturalId = persister.getNaturalIdMapping();
        if (naturalId == null || naturalId.getCacheAccess() == null || naturalIdValues == null) {
            return;
        }
        var access = naturalId.getCacheAccess();
        evict(access, access.generateCacheKey(naturalIdValues, persister.getRootEntityDescriptor().getEntityPersister(), session),
                session);
    }

    private static void evict(CachedDomainDataAccess access, Object key, SharedSessionContractImplementor session) {
        SoftLock lock = access.lockItem(session, key, null);
        access.remove(session, key);
        if (HibernateAccess.get().isStateless(session)) {
            access.unlockItem(session, key, lock);  // no transaction-completion hook on 6.6's StatelessSession
        } else {
            // after Hibernate's own after-insert callbacks, which find the lock and put nothing
            HibernateAccess.get().afterTransaction(session, s -> access.unlockItem(s, key, lock));
        }
    }
}
