package dev.upsert.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.SQLException;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityTransaction;

import org.junit.jupiter.api.Test;

import dev.upsert.citus.CitusModel.Visit;
import dev.upsert.testing.CitusTest;
import dev.upsert.testing.TestSchema;
import dev.upsert.testing.jpa.PooledPersistenceUnit;

/**
 * Citus answers many statements it cannot distribute with 0A000, which HikariCP treats as a broken connection: it
 * closes it at once. The application's rollback then has no connection left; it must not replace the statement's
 * error (what the application catches) with "Unable to rollback against JDBC Connection". The server already rolled
 * the transaction back when the connection closed.
 */
@CitusTest
class CitusFailedStatementIT {

    @Test
    void theStatementsErrorReachesTheCallerAfterTheRollback(TestSchema db) {
        db.execute("""
                create sequence visit_seq increment by 50;
                create table visit (id bigint not null, tenant_id bigint not null, page text not null,
                    primary key (tenant_id, id), unique (tenant_id, page));
                select create_distributed_table('visit', 'tenant_id');
                """);
        try (PooledPersistenceUnit unit = CitusModel.pooled(db, "citus-failed", 2, Visit.class)) {
            EntityManager em = unit.open();
            EntityTransaction tx = em.getTransaction();
            // what Spring's TransactionTemplate and most service code do: roll back on an exception, rethrow it
            Throwable thrown = catchThrowable(() -> {
                try {
                    tx.begin();
                    em.persist(new Visit(1, "/home"));
                    em.flush();
                    // the shape this library sent for get-or-create before it knew Citus: refused with 0A000
                    em.createNativeQuery("with proposed as (select * from unnest(array[1::bigint], array['/x'])"
                            + " as u(tenant_id, page)), ins as (insert into visit (id, tenant_id, page) select 999, tenant_id,"
                            + " page from proposed on conflict do nothing returning id, tenant_id, page)"
                            + " select s.* from proposed p left join ins i on i.page = p.page left join lateral"
                            + " (select id from visit v where v.tenant_id = p.tenant_id and v.page = p.page) s on true")
                            .getResultList();
                    tx.commit();
                } catch (RuntimeException e) {
                    if (tx.isActive()) {
                        tx.rollback();
                    }
                    throw e;
                }
            });
            em.close();
            assertThat(sqlState(thrown)).as("the statement's error, not the rollback's: %s", thrown).isEqualTo("0A000");
            assertThat(db.queryLong("select count(*) from visit")).as("rolled back").isZero();

            // the pool and the session factory go on: get-or-create on the distributed table, new and existing
            for (int i = 0; i < 2; i++) {
                unit.run(next -> next.persist(new Visit(1, "/home")));
            }
            assertThat(db.queryLong("select count(*) from visit")).isEqualTo(1);
        }
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
