package dev.upsert.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.support.TransactionTemplate;

import dev.upsert.DuplicateKeyException;
import dev.upsert.spring.shop.Customer;
import dev.upsert.spring.shop.CustomerRepository;
import dev.upsert.spring.shop.ShopApplicationTests;
import dev.upsert.spring.shop.Ticket;
import dev.upsert.spring.shop.TicketRepository;
import dev.upsert.testing.PostgresTest;

/**
 * One real Spring Boot application (the shop: Spring Data JPA, HikariCP, Spring MVC on a loopback port) with the jar
 * and nothing configured for it: repository saves of an {@code @Upsert} entity, a batched saveAll, and what a
 * duplicate on a plain entity looks like to the caller through each path: Spring's DataIntegrityViolationException
 * with ours as its cause. Saving twice, a duplicate at save, saveAndFlush and commit, and the 409 answer naming the
 * field are the shop's scenarios, inherited.
 */
@PostgresTest
class SpringBootIT extends ShopApplicationTests {

    @Override
    protected Class<?>[] sources() {
        return new Class<?>[] {InsertCounter.class};
    }

    @Test
    void insideATransactionSaveHandsBackNoIdAndSaveAndFlushTheStoredOne() {
        CustomerRepository customers = app.getBean(CustomerRepository.class);
        Long stored = customers.save(new Customer("bea@example.org", "Bea")).getId();
        TransactionTemplate transaction = app.getBean(TransactionTemplate.class);
        List<Long> ids = transaction.execute(status -> {
            Customer saved = customers.save(new Customer("bea@example.org", "Bea Jones"));
            Long beforeFlush = saved.getId();                   // the upsert waits for the flush: no id yet
            Customer flushed = customers.saveAndFlush(new Customer("cyd@example.org", "Cyd"));
            return java.util.Arrays.asList(beforeFlush, saved.getId(), flushed.getId());
        });

        assertThat(ids.get(0)).isNull();
        assertThat(ids.get(1)).isEqualTo(stored);               // saveAndFlush flushed the first save too
        assertThat(db.query("select id, name from customer where email in ('bea@example.org', 'cyd@example.org') order by email"))
                .containsExactly(List.of(stored, "Bea Jones"), List.of(ids.get(2), "Cyd"));
    }

    /**
     * The two rules for one transaction in docs/spring-boot.md: Spring Data's {@code delete} ignores an entity whose id
     * is null (it takes it for new), so an {@code @Upsert} entity saved in the same transaction is deleted after
     * {@code saveAndFlush}; a second instance with the same key is refused with {@code EntityExistsException}.
     */
    @Test
    void withinOneTransactionDeleteAfterSaveAndFlushAndASecondInstanceOfOneKeyIsRefused() {
        CustomerRepository customers = app.getBean(CustomerRepository.class);
        TransactionTemplate transaction = app.getBean(TransactionTemplate.class);
        transaction.executeWithoutResult(status -> {
            Customer ignored = customers.save(new Customer("dee@example.org", "Dee"));
            customers.delete(ignored);                          // id null: Spring returns without a remove
            Customer deleted = customers.saveAndFlush(new Customer("eve@example.org", "Eve"));
            customers.delete(deleted);
        });
        assertThat(db.query("select email from customer where email in ('dee@example.org', 'eve@example.org')"))
                .containsExactly(List.of("dee@example.org"));

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> transaction.executeWithoutResult(status -> {
            customers.save(new Customer("fay@example.org", "Fay"));
            customers.save(new Customer("fay@example.org", "Fay again"));
        }));
        assertThat(thrown).isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class)
                .hasRootCauseInstanceOf(jakarta.persistence.EntityExistsException.class);
        assertThat(dev.upsert.DuplicateKeyException.find(thrown)).isEmpty();
        assertThat(db.queryLong("select count(*) from customer where email = 'fay@example.org'")).isZero();
    }

    @Test
    void saveAllOfAThousandGoesOutInBatches() {
        CustomerRepository customers = app.getBean(CustomerRepository.class);
        List<Customer> batch = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            batch.add(new Customer("bulk" + i + "@example.org", "first"));
        }
        int before = InsertCounter.INSERTS.get();
        customers.saveAll(batch);
        int statements = InsertCounter.INSERTS.get() - before;

        System.out.println("[spring] saveAll of 1,000 @Upsert rows: " + statements + " insert statements");
        // one statement per chunk of rows (up to 1,000), never one per row
        assertThat(statements).isBetween(1, 2);
        assertThat(db.queryLong("select count(*) from customer where email like 'bulk%' and name = 'first'")).isEqualTo(1_000);
    }

    @Test
    void aDeferredConstraintAtCommitReachesTheCallerLikeAnyOtherDuplicate() {
        TicketRepository tickets = app.getBean(TicketRepository.class);
        withDeferredTicketCode(() -> {
            tickets.save(new Ticket("D-1"));
            TransactionTemplate transaction = app.getBean(TransactionTemplate.class);
            Throwable thrown = catchThrowable(() -> transaction.executeWithoutResult(status -> tickets.save(new Ticket("D-1"))));

            System.out.println("[spring] deferred: " + chain(thrown));
            // converted inside Hibernate's commit, so Spring sees a ConstraintViolationException like any other duplicate
            assertThat(thrown).isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class);
            assertThat(chain(thrown)).contains(DuplicateKeyException.class.getName());
            assertTicketCode(DuplicateKeyException.find(thrown).orElseThrow());
            assertThat(db.queryLong("select count(*) from ticket where code = 'D-1'")).isEqualTo(1);
        });
    }

    /** Spring's DataIntegrityViolationException with ours as its cause (no starter: Spring does not know ours). */
    @Override
    protected DuplicateKeyException assertDuplicateReachesTheCaller(Throwable thrown, String path) {
        System.out.println("[spring] duplicate at " + path + ": " + chain(thrown));
        assertThat(thrown).isExactlyInstanceOf(DataIntegrityViolationException.class).hasCauseInstanceOf(DuplicateKeyException.class);
        return DuplicateKeyException.find(thrown).orElseThrow();
    }

    /** Counts the INSERT statements the application prepares, on the DataSource Boot built. */
    static final class InsertCounter implements BeanPostProcessor {

        static final AtomicInteger INSERTS = new AtomicInteger();

        @Override
        public Object postProcessAfterInitialization(Object bean, String name) {
            if (!(bean instanceof DataSource dataSource)) {
                return bean;
            }
            return proxy(DataSource.class, dataSource, (target, method, args) -> {
                Object result = invoke(target, method, args);
                return result instanceof Connection connection ? proxy(Connection.class, connection, (c, m, a) -> {
                    if (m.getName().equals("prepareStatement") && a != null && a[0] instanceof String sql
                            && sql.toLowerCase().contains("insert into")) {  // the upsert may open with a WITH
                        INSERTS.incrementAndGet();
                    }
                    return invoke(c, m, a);
                }) : result;
            });
        }

        interface Handler<T> {
            Object handle(T target, java.lang.reflect.Method method, Object[] args) throws Throwable;
        }

        private static <T> T proxy(Class<T> type, T target, Handler<T> handler) {
            InvocationHandler invocation = (p, method, args) -> handler.handle(target, method, args);
            return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, invocation));
        }

        private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
