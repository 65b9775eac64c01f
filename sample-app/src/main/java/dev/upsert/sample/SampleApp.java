package dev.upsert.sample;

import java.io.PrintStream;
import java.util.Map;

import jakarta.persistence.EntityManagerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.upsert.micrometer.UpsertMetrics;

/**
 * The upsert-hibernate demo: every scenario of the problem, run against PostgreSQL with an ordinary application
 * set-up (Hibernate bootstrapped through JPA, a HikariCP pool, the PostgreSQL driver). {@code --help} lists the
 * options.
 */
public final class SampleApp {

    static final int OK = 0;
    static final int SCENARIO_FAILED = 1;
    static final int UNUSABLE = 2;

    private SampleApp() {
    }

    public static void main(String[] args) {
        int status = run(args, System.getenv(), System.out, System.err);
        // Under exec:java this JVM is Maven's: leave it alone unless there is an error status to report.
        if (status != OK) {
            System.exit(status);
        }
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        // Hibernate logs through JBoss Logging, which picks java.util.logging unless told: one backend (slf4j-simple),
        // one configuration (simplelogger.properties). Read once, when Hibernate first logs.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("sample-app: " + e.getMessage() + " (see --help)");
            return UNUSABLE;
        }
        if (options.help()) {
            out.print(Options.USAGE);
            return OK;
        }
        if (options.embedded()) {
            out.println("Starting embedded PostgreSQL (pass --jdbc-url to use your own server) ...");
        }
        try (DemoDatabase database = DemoDatabase.open(options, Race.THREADS + 2)) {
            Report report = new Report(out, database.dataSource());
            report.title("upsert-hibernate sample app on " + database.describe());
            Migrations.apply(database.dataSource());
            SqlLog sqlLog = new SqlLog();
            try (EntityManagerFactory emf = DemoPersistence.create(database.dataSource(), sqlLog)) {
                // what an application's Spring Boot would do for an UpsertMetrics bean; scenario 8 prints the counts
                MeterRegistry meters = new SimpleMeterRegistry();
                new UpsertMetrics(emf).bindTo(meters);
                int failed = new Demo(emf, sqlLog, report, database.dataSource(), options.rows(), meters).run();
                out.println();
                out.println(failed == 0 ? "All scenarios ran." : failed + " scenario(s) FAILED, see above.");
                return failed == 0 ? OK : SCENARIO_FAILED;
            }
        } catch (DemoDatabase.Unavailable e) {
            err.println("sample-app: " + e.getMessage());
            return UNUSABLE;
        } catch (Exception e) {
            err.println("sample-app: " + Failures.describe(e));
            return SCENARIO_FAILED;
        }
    }
}
