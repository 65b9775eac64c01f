package dev.upsert.sample;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import javax.sql.DataSource;

import jakarta.persistence.EntityManagerFactory;

import dev.upsert.DuplicateGroup;
import dev.upsert.DuplicateScan;

/**
 * Scenario 10: the next release upserts subscribers by email, but the table filled up before email was unique. The
 * release's persistence unit refuses to boot, counting the duplicate groups; the migration lists them with
 * {@link DuplicateScan}, keeps the oldest row of each, creates the index concurrently, and the release boots.
 */
record UniqueIndexMigration(EntityManagerFactory emf, SqlLog sqlLog, Report report, DataSource dataSource) {

    void run() throws SQLException {
        execute("insert into subscriber (email, name) values ('ann@example.com', 'Ann'), ('bob@example.com', 'Bob'),"
                + " ('ann@example.com', 'Ann L.'), ('cy@example.com', 'Cy'), ('ann@example.com', 'A. Liddell'),"
                + " ('bob@example.com', 'Robert')");
        report.step("6 subscribers imported before email was unique");
        EntityManagerFactory booted = null;
        try {
            booted = DemoPersistence.createNewsletter(dataSource);
        } catch (RuntimeException e) {
            report.step("boot with @Upsert(on = \"email\")  -> refused:");
            report.step("    " + bootProblem(e));
        }
        if (booted != null) {
            booted.close();
            throw new IllegalStateException("the @Upsert entity booted without a unique index on email");
        }
        List<DuplicateGroup> groups = emf.callInTransaction(em -> DuplicateScan.find(em, Subscriber.class, "email"));
        for (DuplicateGroup group : groups) {
            report.step("DuplicateScan.find(em, Subscriber.class, \"email\")  -> " + group.key() + " rows=" + group.rows()
                    + " ids=" + group.ids());
        }
        emf.runInTransaction(em -> {
            for (DuplicateGroup group : DuplicateScan.find(em, Subscriber.class, "email")) {
                group.ids().subList(1, group.ids().size()).forEach(id -> em.remove(em.find(Subscriber.class, id)));
            }
        });
        report.step("resolve: kept the oldest row of each group  -> DuplicateScan.find now returns "
                + emf.callInTransaction(em -> DuplicateScan.find(em, Subscriber.class, "email")));
        String ddl = "create unique index concurrently subscriber_email_key on subscriber (email)";
        execute(ddl);
        report.step(ddl);
        try (EntityManagerFactory release = DemoPersistence.createNewsletter(dataSource)) {
            String outcome = release.callInTransaction(em -> {
                NewsletterSubscriber ann = new NewsletterSubscriber("ann@example.com", "Ann Liddell");
                em.persist(ann);
                em.flush();  // the upsert runs at the flush (IDENTITY ids too): the outcome and stored id are known after it
                return Demo.outcome(em, ann) + ", id=" + ann.id;
            });
            report.step("boot with @Upsert(on = \"email\")  -> ok; persist NewsletterSubscriber(ann@example.com)  -> " + outcome);
        }
        report.sql(sqlLog.drain());
        report.table("select id, email, name from subscriber order by id");
    }

    /** The boot check's line about this entity. */
    private static String bootProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            int line = message.indexOf(" - @Upsert on NewsletterSubscriber");
            if (line >= 0) {
                return message.substring(line + 3).lines().findFirst().orElse(message);
            }
        }
        return Failures.describe(e);
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
