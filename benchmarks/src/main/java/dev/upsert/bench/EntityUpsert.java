package dev.upsert.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.FlushModeType;
import jakarta.persistence.EntityTransaction;

import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.jpa.HibernatePersistenceConfiguration;

/**
 * An entity contender, in its own persistence unit: either {@code persist()} of every row (the {@code @SQLInsert} and
 * {@code @Upsert} entities) or find-by-email then modify-or-persist. Batch size 50, inserts ordered, one
 * {@code EntityManager} per W1 run, cleared after every transaction.
 */
final class EntityUpsert implements Contender {

    enum Style {
        PERSIST,
        /** Lookups with {@code FlushModeType.COMMIT}: pending inserts stay batched. */
        FIND_THEN_SAVE,
        /** Lookups with Hibernate's default AUTO flush: each lookup first flushes the pending insert. */
        FIND_THEN_SAVE_AUTO_FLUSH
    }

    private final String name;
    private final Class<? extends AccountEntity> entityClass;
    private final Supplier<? extends AccountEntity> factory;
    private final Style style;
    private final EntityManagerFactory emf;

    <E extends AccountEntity> EntityUpsert(String name, Class<E> entityClass, Supplier<E> factory, Style style,
                                           DataSource dataSource) {
        this.name = name;
        this.entityClass = entityClass;
        this.factory = factory;
        this.style = style;
        this.emf = new HibernatePersistenceConfiguration(entityClass.getSimpleName())
                .managedClass(entityClass)
                .property(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource)
                .property(AvailableSettings.CONNECTION_PROVIDER_DISABLES_AUTOCOMMIT, true)
                .property(AvailableSettings.STATEMENT_BATCH_SIZE, 50)
                .property(AvailableSettings.ORDER_INSERTS, true)
                .property(AvailableSettings.ORDER_UPDATES, true)
                .createEntityManagerFactory();
    }

    @Override
    public String name() {
        return name;
    }

    /** W2 sends single rows: a rewrite variant would measure the same thing again. */
    @Override
    public boolean inContention() {
        return style == Style.FIND_THEN_SAVE || style == Style.PERSIST && !name.endsWith(", rewrite");
    }

    /** The class of the entity persister Hibernate chose, e.g. to see whether {@code @Upsert}'s is in place. */
    String persisterClass() {
        return emf.unwrap(SessionFactoryImplementor.class).getMappingMetamodel()
                .getEntityDescriptor(entityClass).getClass().getName();
    }

    EntityManagerFactory emf() {
        return emf;
    }

    @Override
    public Map<String, Held> upsertAll(List<List<AccountRow>> transactions) {
        Map<String, Held> held = new HashMap<>();
        EntityManager em = emf.createEntityManager();
        try {
            for (List<AccountRow> rows : transactions) {
                List<AccountEntity> touched = inTransaction(em, () -> {
                    List<AccountEntity> entities = new ArrayList<>(rows.size());
                    for (AccountRow row : rows) {
                        entities.add(upsert(em, row));
                    }
                    return entities;
                });
                for (AccountEntity e : touched) {
                    held.put(e.getEmail(), new Held(e.getId(), e.getCreatedAt()));
                }
                em.clear();
            }
        } finally {
            em.close();
        }
        return held;
    }

    @Override
    public void upsertOne(AccountRow row) {
        upsertOneHolding(row);
    }

    /** One row in its own transaction (W2, W4); returns what the Java object holds after commit. */
    Held upsertOneHolding(AccountRow row) {
        EntityManager em = emf.createEntityManager();
        try {
            AccountEntity entity = inTransaction(em, () -> upsert(em, row));
            return new Held(entity.getId(), entity.getCreatedAt());
        } finally {
            em.close();
        }
    }

    /** Runs {@code work} in a transaction of {@code em} and commits; rolls back when the work or the commit fails. */
    static <T> T inTransaction(EntityManager em, Supplier<T> work) {
        EntityTransaction tx = em.getTransaction();
        tx.begin();
        try {
            T result = work.get();
            tx.commit();
            return result;
        } finally {
            if (tx.isActive()) {
                tx.rollback();
            }
        }
    }

    private AccountEntity upsert(EntityManager em, AccountRow row) {
        if (style != Style.PERSIST) {
            var query = em.createQuery(
                            "select a from " + entityClass.getSimpleName() + " a where a.email = :email", entityClass)
                    .setParameter("email", row.email());
            if (style == Style.FIND_THEN_SAVE) {
                // without it every lookup flushes the pending inserts first and nothing is batched
                query.setFlushMode(FlushModeType.COMMIT);
            }
            List<? extends AccountEntity> found = query.getResultList();
            if (!found.isEmpty()) {
                AccountEntity existing = found.get(0);
                existing.update(row);
                return existing;
            }
        }
        AccountEntity entity = factory.get();
        entity.assign(row);
        em.persist(entity);
        return entity;
    }

    @Override
    public void close() {
        emf.close();
    }
}
