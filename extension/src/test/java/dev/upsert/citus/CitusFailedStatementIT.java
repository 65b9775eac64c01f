package dev.upsert.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.junit.jupiter.api.Test;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.upsert.Upsert;
import dev.upsert.testing.CitusTest;
import dev.upsert.testing.TestSchema;

/**
 * Citus answers many statements it cannot distribute with 0A000, which HikariCP treats as a broken connection: it
 * closes it at once. The application's rollback then has no connection left; it must not replace the statement's
 * error (what the application catches) with "Unable to rollback against JDBC Connection". The server already rolled
 * the transaction back when the connection closed.
 */
@CitusTest
class CitusFailedStatementIT {

    @Entity(name = "Visit") @Table(name = "visit") @Upsert(on = {"tenantId", "page"}, action = Upsert.Action.NOTHING)
    static class Visit {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "visit_ids")
        @SequenceGenerator(name = "visit_ids", sequenceName = "visit_ids", allocationSize = 50)
        Long id;
        @Column(name = "tenant_id") Long tenantId;
        String page;
        Visit() { }
        Visit(long tenantId, String page) { this.tenantId = tenantId; this.page = page; }
    }

    @Test
    void theStatementsErrorReachesTheCallerAfterTheRollback(TestSchema db) {
        db.execute("""
                create sequence visit_ids increment by 50;
                create table visit (id bigint not null, tenant_id bigint not null, page text not null,
                    primary key (tenant_id, id), unique (tenant_id, page));
                select create_distributed_table('visit', 'tenant_id');
                """);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            Map<String, Object> settings = new HashMap<>();
            settings.put("hibernate.connection.datasource", pool);
            settings.put("hibernate.default_schema", db.name());
            settings.put("jakarta.persistence.schema-generation.database.action", "none");
            EntityManagerFactory emf = dev.upsert.testing.jpa.PersistenceUnit.create("citus-failed", settings, Visit.class);
            try {
                EntityManager em = emf.createEntityManager();
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
                    EntityManager next = emf.createEntityManager();
                    try {
                        next.getTransaction().begin();
                        next.persist(new Visit(1, "/home"));
                        next.getTransaction().commit();
                    } finally {
                        next.close();
                    }
                }
                assertThat(db.queryLong("select count(*) from visit")).isEqualTo(1);
            } finally {
                emf.close();
            }
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
