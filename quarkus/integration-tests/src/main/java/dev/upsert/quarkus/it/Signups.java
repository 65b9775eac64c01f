package dev.upsert.quarkus.it;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.upsert.UpsertOutcome;
import dev.upsert.Upserts;

/** The application's service: every method is one JTA transaction, as a Quarkus application writes it. */
@ApplicationScoped
public class Signups {

    @Inject
    EntityManager em;

    @Inject
    MemberRepository members;

    @Inject
    SubscriptionRepository subscriptions;

    /** Active record: one row per email, the name of the latest visit. */
    @Transactional
    public UpsertOutcome visit(String email, String name) {
        Customer customer = Customer.of(email, name);
        customer.persist();
        customer.flush();
        return Upserts.outcome(em, customer).orElseThrow();
    }

    /** A request's one upsert in its own transaction, flushed by the JTA commit. */
    @Transactional
    public void visitOnce(String email, String name) {
        Customer.of(email, name).persist();
    }

    /** Repository: one row per (email, topic), the latest frequency. */
    @Transactional
    public UpsertOutcome subscribe(String email, String topic, String frequency) {
        Subscription subscription = Subscription.of(email, topic, frequency);
        subscriptions.persist(subscription);
        subscriptions.flush();
        return Upserts.outcome(em, subscription).orElseThrow();
    }

    /** Quarkus enhances every entity: a change made after persist, before the flush, must reach the row. */
    @Transactional
    public void subscribeThenChange(String email, String topic, String frequency, String changedFrequency) {
        Subscription subscription = Subscription.of(email, topic, frequency);
        subscriptions.persist(subscription);
        subscription.frequency = changedFrequency;
    }

    /** IDENTITY id: the insert, and so a duplicate, happens inside persist. */
    @Transactional
    public long openAccount(String email, String name) {
        Account account = Account.of(email, name);
        em.persist(account);
        return account.id;
    }

    /** Sequence id and no flush: the insert runs at the JTA commit, after this method returns. */
    @Transactional
    public void join(String email) {
        members.persist(Member.of(email));
    }

    /** A deferred unique constraint: a duplicate code is refused by the database's COMMIT, inside Narayana's commit. */
    @Transactional
    public void issueTicket(String code) {
        em.persist(Ticket.of(code));
        em.flush();
    }

    /** Two members in one flush (a JDBC batch when hibernate.jdbc.batch_size is set). */
    @Transactional
    public void joinTwo(String first, String second) {
        members.persist(Member.of(first));
        members.persist(Member.of(second));
        members.flush();
    }

    /** A value that is no integer: SQLSTATE 22P02, whose message quotes the input. */
    @Transactional
    public Object castToInteger(String text) {
        return em.createNativeQuery("select cast(?1 as integer)").setParameter(1, text).getSingleResult();
    }
}
