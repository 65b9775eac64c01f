package dev.upsert.testing;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one PostgreSQL server of this JVM's test run, chosen once, in this order:
 * <ol>
 *   <li>{@code UPSERT_TEST_JDBC_URL} is set (with {@code UPSERT_TEST_JDBC_USER} / {@code UPSERT_TEST_JDBC_PASSWORD}):
 *       that server, as it is;</li>
 *   <li>else a Docker engine answers: Testcontainers, image {@code postgres:<major>};</li>
 *   <li>else embedded PostgreSQL (zonky) with the binaries of {@code <major>}.</li>
 * </ol>
 * {@code -Dupsert.test.postgres=<major>} picks the major (13 to 18, default 17); {@code -Dupsert.test.provider=
 * external|docker|embedded} forces one provider and fails at once if it cannot start. The choice and the server
 * version are printed once. There is no fallback to skipping: without a database every test fails.
 *
 * @param provider where the server came from
 * @param jdbcUrl JDBC URL of the server's database (no schema)
 * @param user the user the tests connect as
 * @param password that user's password (empty where the server trusts loopback connections)
 * @param serverVersion {@code server_version} as the server reports it, e.g. {@code 17.11}
 */
public record TestDatabase(Provider provider, String jdbcUrl, String user, String password, String serverVersion) {

    /** Where the server came from. */
    public enum Provider { EXTERNAL, DOCKER, EMBEDDED, /** the coordinator of a {@link CitusCluster} (never chosen by this class) */ CITUS }

    static final String URL_ENV = "UPSERT_TEST_JDBC_URL";
    static final String USER_ENV = "UPSERT_TEST_JDBC_USER";
    static final String PASSWORD_ENV = "UPSERT_TEST_JDBC_PASSWORD";
    static final String MAJOR_PROPERTY = "upsert.test.postgres";
    static final String PROVIDER_PROPERTY = "upsert.test.provider";
    static final int DEFAULT_MAJOR = 17;

    private static TestDatabase instance;
    private static RuntimeException startFailure;

    /** A server that answers at {@code jdbcUrl}, with the version it reports; the coordinator of a {@link CitusCluster} too. */
    static TestDatabase of(Provider provider, String jdbcUrl, String user, String password) {
        return new TestDatabase(provider, jdbcUrl, user, password, queryServerVersion(provider, jdbcUrl, user, password));
    }

    /** The server of this run, started on first use. A failure to start is remembered and rethrown. */
    public static synchronized TestDatabase get() {
        if (instance == null && startFailure == null) {
            try {
                instance = start(Choice.fromEnvironment(System.getenv(), System.getProperties()));
                System.out.println("[upsert-test] " + instance);
            } catch (RuntimeException e) {
                startFailure = e;
            }
        }
        if (startFailure != null) {
            throw startFailure;
        }
        return instance;
    }

    /** The major version the server runs, e.g. 17. */
    public int serverMajor() {
        return Integer.parseInt(serverVersion.split("[. ]")[0]);
    }

    @Override
    public String toString() {
        return "PostgreSQL " + serverVersion + " via " + provider.name().toLowerCase(Locale.ROOT) + " (" + jdbcUrl + ")";
    }

    /** What the environment asks for; package-private so the choice itself is tested without starting anything. */
    record Choice(Provider forced, String url, String user, String password, int major) {

        static Choice fromEnvironment(Map<String, String> env, Properties properties) {
            String forcedName = properties.getProperty(PROVIDER_PROPERTY, "").trim();
            Provider forced = null;
            if (!forcedName.isEmpty()) {
                try {
                    forced = Provider.valueOf(forcedName.toUpperCase(Locale.ROOT));
                    if (forced == Provider.CITUS) {
                        throw new IllegalArgumentException("chosen by @CitusTest");
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("-D" + PROVIDER_PROPERTY + "=" + forcedName
                            + " is not a provider: use external, docker or embedded, or leave it unset to choose automatically");
                }
            }
            String majorText = properties.getProperty(MAJOR_PROPERTY, "").trim();
            int major = DEFAULT_MAJOR;
            if (!majorText.isEmpty()) {
                try {
                    major = Integer.parseInt(majorText);
                } catch (NumberFormatException e) {
                    major = -1;
                }
                if (major < 13 || major > 18) {
                    throw new IllegalStateException("-D" + MAJOR_PROPERTY + "=" + majorText
                            + " is not a supported PostgreSQL major: use 13 to 18");
                }
            }
            String url = blankToNull(env.get(URL_ENV));
            return new Choice(forced, url, env.getOrDefault(USER_ENV, "postgres"), env.getOrDefault(PASSWORD_ENV, ""), major);
        }

        /** The provider to try, before asking Docker: null means "Docker if it answers, else embedded". */
        Provider withoutProbing() {
            if (forced != null) {
                if (forced == Provider.EXTERNAL && url == null) {
                    throw new IllegalStateException("-D" + PROVIDER_PROPERTY + "=external needs " + URL_ENV
                            + " (and " + USER_ENV + " / " + PASSWORD_ENV + ") to name the server");
                }
                return forced;
            }
            return url != null ? Provider.EXTERNAL : null;
        }
    }

    private static TestDatabase start(Choice choice) {
        Provider provider = choice.withoutProbing();
        if (provider == null) {
            provider = dockerAnswers() ? Provider.DOCKER : Provider.EMBEDDED;
        }
        TestDatabase database = switch (provider) {
            case EXTERNAL -> of(Provider.EXTERNAL, choice.url(), choice.user(), choice.password());
            case DOCKER -> startContainer(choice.major());
            case EMBEDDED -> startEmbedded(choice.major());
            case CITUS -> throw new IllegalStateException("a Citus cluster is started by CitusTest, not chosen here");
        };
        if (provider != Provider.EXTERNAL && database.serverMajor() != choice.major()) {
            throw new IllegalStateException("Asked for PostgreSQL " + choice.major() + " but the " + provider
                    + " server runs " + database.serverVersion + ": on this platform the embedded binaries exist only"
                    + " for the default major; use Docker or " + URL_ENV + " for other majors");
        }
        return database;
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static TestDatabase startContainer(int major) {
        if (!dockerAnswers()) {
            throw new IllegalStateException("-D" + PROVIDER_PROPERTY + "=docker, but no Docker engine answers."
                    + " Start Docker, or drop the option to fall back to embedded PostgreSQL.");
        }
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:" + major);
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "upsert-test-container-stop"));
        return of(Provider.DOCKER, container.getJdbcUrl(), container.getUsername(), container.getPassword());
    }

    private static TestDatabase startEmbedded(int major) {
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Embedded PostgreSQL " + major + " did not start: " + e.getMessage()
                    + ". Set " + URL_ENV + " to use a running server instead.", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // the JVM is exiting; zonky's own hook removes the data directory
            }
        }, "upsert-test-embedded-stop"));
        return of(Provider.EMBEDDED, postgres.getJdbcUrl("postgres", "postgres"), "postgres", "");
    }

    private static String queryServerVersion(Provider provider, String jdbcUrl, String user, String password) {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(jdbcUrl, props);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("show server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to the " + provider.name().toLowerCase(Locale.ROOT)
                    + " PostgreSQL at " + jdbcUrl + " as " + user + ": " + e.getMessage(), e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
