package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.persistence.Column;
import jakarta.persistence.DiscriminatorColumn;
import jakarta.persistence.DiscriminatorValue;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;

import org.hibernate.SessionFactory;
import org.hibernate.StatelessSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.upsert.DuplicateKeyException;
import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.testing.PostgresTest;

/**
 * SINGLE_TABLE inheritance, as an application maps a party register: {@code @Upsert} on the root applies to every
 * entity of the hierarchy, the conflict target is the root's unique key, each upsert writes the discriminator and
 * the columns of the persisted subclass, and a key held by a row of another subclass is taken
 * ({@link DuplicateKeyException}), never turned into the other type nor handed over, for every action.
 */
@PostgresTest
class UpsertSingleTableIT {

    /** Abstract root, explicit discriminator column, sequence ids, a version. */
    @Entity @Table(name = "party") @DiscriminatorColumn(name = "kind") @Upsert(on = "email")
    abstract static class Party {
        @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
        @Column(unique = true) String email;
        String name;
        @Version int version;
    }

    @Entity @DiscriminatorValue("C")
    static class Customer extends Party {
        @Column(name = "credit_limit") BigDecimal creditLimit;
        Customer() { }
        Customer(String email, String name, String creditLimit) {
            this.email = email; this.name = name; this.creditLimit = new BigDecimal(creditLimit);
        }
    }

    @Entity @DiscriminatorValue("S")
    static class Supplier extends Party {
        @Column(name = "vat_number") String vatNumber;
        Supplier() { }
        Supplier(String email, String name, String vatNumber) { this.email = email; this.name = name; this.vatNumber = vatNumber; }
    }

    /**
     * Get-or-create over a concrete root without {@code @Inheritance} (SINGLE_TABLE, JPA's default), IDENTITY ids,
     * the default discriminator (dtype, the entity name: {@code UpsertSingleTableIT$Phone} for a nested class).
     */
    @Entity @Table(name = "device", uniqueConstraints = @UniqueConstraint(columnNames = "code"))
    @Upsert(on = "code", action = Upsert.Action.NOTHING)
    static class Device extends CodedEntity {
        Device() { }
        Device(String code, String name) { super(code, name); }
    }

    @Entity
    static class Phone extends Device {
        String number;
        Phone() { }
        Phone(String code, String name, String number) { super(code, name); this.number = number; }
    }

    /** An upsert that leaves unchanged rows alone (and reads them back): explicit SINGLE_TABLE, integer discriminator. */
    @Entity @Table(name = "article") @Inheritance(strategy = InheritanceType.SINGLE_TABLE)
    @DiscriminatorColumn(name = "article_type", discriminatorType = jakarta.persistence.DiscriminatorType.INTEGER)
    @DiscriminatorValue("1") @Upsert(on = "sku", skipUnchanged = true)
    static class Article {
        @Id @GeneratedValue Long id;
        @Column(unique = true) String sku;
        String title;
        Article() { }
        Article(String sku, String title) { this.sku = sku; this.title = title; }
    }

    @Entity @DiscriminatorValue("2")
    static class Book extends Article {
        String isbn;
        Book() { }
        Book(String sku, String title, String isbn) { super(sku, title); this.isbn = isbn; }
    }

    /** A plain entity that references the hierarchy's root: its insert binds the stored id of the party. */
    @Entity @Table(name = "purchase_order")
    static class PurchaseOrder {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        @ManyToOne(optional = false) Party party;
        String item;
        PurchaseOrder() { }
        PurchaseOrder(Party party, String item) { this.party = party; this.item = item; }
    }

    /** The application's service: registers parties, one transaction per call. */
    static final class PartyRegister {
        private final JpaPerClass jpa;

        PartyRegister(JpaPerClass jpa) {
            this.jpa = jpa;
        }

        /** Registers (or refreshes) every party given, in one flush; returns each one's outcome. */
        List<UpsertOutcome> register(Object... parties) {
            return jpa.outcomes(parties);
        }

        <T> T find(Class<T> type, Object id) {
            return jpa.tx(em -> em.find(type, id));
        }
    }

    @RegisterExtension
    static final JpaPerClass jpa = new JpaPerClass(Map.of("hibernate.jdbc.batch_size", "20"),
            Party.class, Customer.class, Supplier.class, PurchaseOrder.class, Device.class, Phone.class, Article.class, Book.class);
    static final PartyRegister register = new PartyRegister(jpa);

    @BeforeEach
    void empty() {
        jpa.db().execute("truncate purchase_order, party, device, article");
    }

    @Test
    void customersAndSuppliersOfOneFlushAreInsertedWithTheirOwnColumnsAndDiscriminator() {
        Customer ann = new Customer("ann@x.org", "Ann", "100.00");
        Supplier acme = new Supplier("sales@acme.example", "Acme", "DE123");
        Customer bob = new Customer("bob@x.org", "Bob", "250.00");

        assertThat(register.register(ann, acme, bob))
                .containsExactly(UpsertOutcome.INSERTED, UpsertOutcome.INSERTED, UpsertOutcome.INSERTED);

        assertThat(jpa.db().query("select id, kind, email, name, credit_limit, vat_number, version from party order by email"))
                .containsExactly(
                        row(ann.id, "C", "ann@x.org", "Ann", new BigDecimal("100.00"), null, 0),
                        row(bob.id, "C", "bob@x.org", "Bob", new BigDecimal("250.00"), null, 0),
                        row(acme.id, "S", "sales@acme.example", "Acme", null, "DE123", 0));
        assertThat(register.find(Party.class, acme.id)).isInstanceOf(Supplier.class);
    }

    @Test
    void aCustomerRegisteredAgainUpdatesItsRowAndGetsTheStoredIdAndVersion() {
        Customer ann = new Customer("ann@x.org", "Ann", "100.00");
        Supplier acme = new Supplier("sales@acme.example", "Acme", "DE123");
        register.register(ann, acme);

        Customer again = new Customer("ann@x.org", "Ann Smith", "500.00");
        Supplier acmeAgain = new Supplier("sales@acme.example", "Acme GmbH", "DE999");
        Customer cy = new Customer("cy@x.org", "Cy", "1.00");
        assertThat(register.register(again, acmeAgain, cy))
                .containsExactly(UpsertOutcome.UPDATED, UpsertOutcome.UPDATED, UpsertOutcome.INSERTED);

        assertThat(again.id).isEqualTo(ann.id);
        assertThat(again.version).isEqualTo(1);
        assertThat(acmeAgain.id).isEqualTo(acme.id);
        assertThat(jpa.db().query("select id, kind, name, credit_limit, vat_number, version from party order by email"))
                .containsExactly(
                        row(ann.id, "C", "Ann Smith", new BigDecimal("500.00"), null, 1),
                        row(cy.id, "C", "Cy", new BigDecimal("1.00"), null, 0),
                        row(acme.id, "S", "Acme GmbH", null, "DE999", 1));
    }

    @Test
    void anOrderPlacedWithARegisteredCustomerReferencesItsStoredRow() {
        Customer ann = new Customer("ann@x.org", "Ann", "100.00");
        register.register(ann);

        Customer again = new Customer("ann@x.org", "Ann Smith", "100.00");
        PurchaseOrder order = new PurchaseOrder(again, "paper");
        jpa.run(em -> {
            em.persist(again);
            em.persist(order);
        });

        assertThat(again.id).isEqualTo(ann.id);
        assertThat(jpa.db().query("select p.kind, p.name, o.item from purchase_order o join party p on p.id = o.party_id"))
                .containsExactly(List.of("C", "Ann Smith", "paper"));
    }

    @Test
    void aCustomerWhoseEmailASupplierHoldsIsADuplicateKeyNeverTheSuppliersRow() {
        Supplier acme = new Supplier("sales@acme.example", "Acme", "DE123");
        register.register(acme);

        Customer impostor = new Customer("sales@acme.example", "Mallory", "9999.00");
        Throwable thrown = catchThrowable(() -> register.register(impostor));

        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(impostor.id).isNotEqualTo(acme.id);
        assertThat(impostor.name).isEqualTo("Mallory");
        assertThat(jpa.db().query("select id, kind, name, credit_limit, vat_number, version from party"))
                .containsExactly(row(acme.id, "S", "Acme", null, "DE123", 0));
    }

    @Test
    void aKeyOfAnotherSubclassInABatchFailsTheFlushAndChangesNothing() {
        register.register(new Supplier("sales@acme.example", "Acme", "DE123"));

        Throwable thrown = catchThrowable(() -> register.register(
                new Customer("ann@x.org", "Ann", "1.00"), new Customer("sales@acme.example", "Mallory", "2.00"),
                new Supplier("orders@globex.example", "Globex", "FR1")));

        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(jpa.db().query("select kind, email, name from party"))
                .containsExactly(List.of("S", "sales@acme.example", "Acme"));
    }

    @Test
    void getOrCreateHandsBackTheStoredRowOfTheSameTypeOnly() {
        Phone phone = new Phone("SN-1", "Ann's phone", "+49 1");
        Device router = new Device("SN-2", "Router");
        assertThat(register.register(phone, router)).containsExactly(UpsertOutcome.INSERTED, UpsertOutcome.INSERTED);

        Phone samePhone = new Phone("SN-1", "ignored", "ignored");
        assertThat(register.register(samePhone)).containsExactly(UpsertOutcome.SKIPPED);
        assertThat(samePhone.id).isEqualTo(phone.id);
        assertThat(samePhone.name).isEqualTo("Ann's phone");
        assertThat(samePhone.number).isEqualTo("+49 1");

        Phone notAPhone = new Phone("SN-2", "Router?", "+49 2");
        Throwable thrown = catchThrowable(() -> register.register(notAPhone));
        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(notAPhone.id).isNotEqualTo(router.id);
        assertThat(notAPhone.name).isEqualTo("Router?");

        Device notADevice = new Device("SN-1", "Phone?");
        Throwable thrownToo = catchThrowable(() -> register.register(notADevice));
        assertThat(DuplicateKeyException.find(thrownToo)).as("%s", thrownToo).isPresent();

        assertThat(jpa.db().query("select id, dtype, code, name, number from device order by code")).containsExactly(
                List.of(phone.id, "UpsertSingleTableIT$Phone", "SN-1", "Ann's phone", "+49 1"),
                row(router.id, "UpsertSingleTableIT$Device", "SN-2", "Router", null));
    }

    @Test
    void anUnchangedRowIsReadBackForItsOwnTypeAndAnotherTypesKeyIsTaken() {
        Book book = new Book("B-1", "Dune", "978-0441013593");
        Article pen = new Article("A-1", "Pen");
        register.register(book, pen);

        Book sameBook = new Book("B-1", "Dune", "978-0441013593");
        assertThat(register.register(sameBook)).containsExactly(UpsertOutcome.SKIPPED);
        assertThat(sameBook.id).isEqualTo(book.id);

        Book penAsBook = new Book("A-1", "Pen", null);
        Throwable thrown = catchThrowable(() -> register.register(penAsBook));
        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(penAsBook.id).isNotEqualTo(pen.id);

        Article bookAsArticle = new Article("B-1", "Dune");
        Throwable thrownToo = catchThrowable(() -> register.register(bookAsArticle));
        assertThat(DuplicateKeyException.find(thrownToo)).as("%s", thrownToo).isPresent();

        assertThat(jpa.db().query("select id, article_type, sku, title, isbn from article order by sku")).containsExactly(
                row(pen.id, 1, "A-1", "Pen", null),
                List.of(book.id, 2, "B-1", "Dune", "978-0441013593"));
    }

    @Test
    void aStatelessSessionUpsertsEachSubclassByTheRootsKey() {
        register.register(new Customer("ann@x.org", "Ann", "100.00"), new Supplier("sales@acme.example", "Acme", "DE123"));

        Customer ann = new Customer("ann@x.org", "Ann Smith", "200.00");
        Supplier globex = new Supplier("orders@globex.example", "Globex", "FR1");
        Customer impostor = new Customer("sales@acme.example", "Mallory", "1.00");
        SessionFactory factory = jpa.factory().unwrap(SessionFactory.class);
        try (StatelessSession stateless = factory.openStatelessSession()) {
            stateless.getTransaction().begin();
            stateless.insert(ann);
            stateless.insert(globex);
            stateless.getTransaction().commit();
        }
        Throwable thrown;
        try (StatelessSession stateless = factory.openStatelessSession()) {
            stateless.getTransaction().begin();
            thrown = catchThrowable(() -> {
                stateless.insert(impostor);
                stateless.getTransaction().commit();
            });
            if (stateless.getTransaction().isActive()) {
                stateless.getTransaction().rollback();
            }
        }

        assertThat(DuplicateKeyException.find(thrown)).as("%s", thrown).isPresent();
        assertThat(jpa.db().query("select kind, email, name, credit_limit, vat_number from party order by email")).containsExactly(
                row("C", "ann@x.org", "Ann Smith", new BigDecimal("200.00"), null),
                row("S", "orders@globex.example", "Globex", null, "FR1"),
                row("S", "sales@acme.example", "Acme", null, "DE123"));
        assertThat(ann.id).isEqualTo(jpa.db().queryValue("select id from party where email = 'ann@x.org'"));
    }

    @Test
    void aCustomerRepositoryOverJpaSeesOnlyCustomers() {
        register.register(new Customer("ann@x.org", "Ann", "100.00"), new Supplier("sales@acme.example", "Acme", "DE123"));
        List<String> customers = jpa.tx((EntityManager em) ->
                em.createQuery("select c.email from UpsertSingleTableIT$Customer c", String.class).getResultList());
        assertThat(customers).containsExactly("ann@x.org");
    }

    /** A row as {@code jpa.db().query} returns it; unlike {@code List.of}, it takes the NULLs of unwritten columns. */
    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }
}
