package dev.upsert.testing;

import static dev.upsert.testing.LocalServers.USER;
import static dev.upsert.testing.LocalServers.asPostgres;
import static dev.upsert.testing.LocalServers.isRoot;
import static dev.upsert.testing.LocalServers.onPath;
import static dev.upsert.testing.LocalServers.pgConfig;
import static dev.upsert.testing.LocalServers.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;

import dev.upsert.testing.LocalServers.Server;

/**
 * A Citus cluster on loopback: a coordinator and two workers, each its own PostgreSQL ({@code initdb} into a scratch
 * directory under {@code target/}, {@code shared_preload_libraries = 'citus'}, trust on loopback), run as the
 * {@code postgres} OS user when the JVM runs as root, on free ports. The workers are registered with the coordinator,
 * which is what applications connect to ({@link #jdbcUrl()}).
 * <p>
 * Installs nothing: it needs the PostgreSQL server binaries of {@code pg_config} and Citus built into that
 * installation ({@code citus.so}, {@code citus.control}; {@code .ci/citus} builds it from the vendored source).
 * {@link #close()} stops the three servers and removes the directory; a shutdown hook does the same if the JVM ends
 * first, and a cluster left behind by a JVM that was killed is stopped by the next start. Used through
 * {@link CitusTest}.
 */
public final class CitusCluster implements ExtensionContext.Store.CloseableResource {

    /** {@code off} (default: the Citus tests are not selected) or {@code required} (run them; fail if no cluster starts). */
    public static final String MODE_PROPERTY = "upsert.test.citus";

    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(90);
    private static final Duration READY_LIMIT = Duration.ofSeconds(60);
    private static final String DATABASE = "postgres";
    private static final String DIR_PREFIX = "upsert-citus-";
    private static final String OWNER_FILE = "owner.pid";

    private final String bindir;
    /** The coordinator, then the workers: each a {@code postgres} process. */
    private final LocalServers nodes;
    private String citusVersion = "?";

    private CitusCluster(Path dir, String bindir) {
        this.bindir = bindir;
        this.nodes = new LocalServers(dir, "upsert-citus-stop", "pg_ctl stop",
                (node, immediate) -> stop(bindir, node.pgdata(), immediate ? "immediate" : "fast"));
    }

    /** Why this machine cannot run a cluster (no pg_config, no Citus in its installation), or empty when it can. */
    public static Optional<String> unavailableReason() {
        if (onPath("pg_config").isEmpty()) {
            return Optional.of("pg_config is not on the PATH: install the PostgreSQL server packages, then Citus (.ci/citus)");
        }
        String pkglibdir = pgConfig("pkglibdir");
        String sharedir = pgConfig("sharedir");
        if (!Files.exists(Path.of(pkglibdir, "citus.so")) || !Files.exists(Path.of(sharedir, "extension", "citus.control"))) {
            return Optional.of("Citus is not installed in the PostgreSQL of pg_config (" + pkglibdir + "/citus.so, " + sharedir
                    + "/extension/citus.control): build it with .ci/citus (from the source in ../shared/vendor/citus)");
        }
        if (isRoot() && onPath("runuser").isEmpty()) {
            return Optional.of("the JVM runs as root and PostgreSQL refuses root, but runuser is not on the PATH"
                    + " to run it as the postgres OS user");
        }
        return Optional.empty();
    }

    /**
     * Starts the coordinator and two workers in a new directory under {@code base} (created if missing), creates the
     * Citus extension on each and registers the workers; stops whatever started if a step fails.
     */
    public static CitusCluster start(Path base) {
        unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        String bindir = pgConfig("bindir");
        Path dir;
        try {
            Files.createDirectories(base);
            stopAbandoned(base, bindir);
            dir = Files.createDirectory(base.toAbsolutePath().resolve(DIR_PREFIX
                    + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36)));
            Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
            LocalServers.ownByPostgres(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory for the Citus cluster under " + base, e);
        }
        long started = System.nanoTime();
        int[] ports = LocalServers.freePorts(3);
        CitusCluster cluster = new CitusCluster(dir, bindir);
        try {
            String[] names = {"coordinator", "worker1", "worker2"};
            for (int i = 0; i < names.length; i++) {
                cluster.initdb(names[i]);
            }
            for (int i = 0; i < names.length; i++) {
                cluster.launch(names[i], ports[i]);
            }
            List<Server> servers = cluster.nodes.servers();
            for (Server node : servers) {
                cluster.awaitReady(node);
                cluster.sql(node, "create extension if not exists citus");
            }
            Server coordinator = servers.get(0);
            cluster.sql(coordinator, "select citus_set_coordinator_host('127.0.0.1', " + coordinator.port() + ")");
            for (Server worker : servers.subList(1, servers.size())) {
                cluster.sql(coordinator, "select citus_add_node('127.0.0.1', " + worker.port() + ")");
            }
            cluster.citusVersion = cluster.query(coordinator, "select extversion from pg_extension where extname = 'citus'");
            System.out.printf("[upsert-test] Citus cluster started in %.1f s: %s%n", (System.nanoTime() - started) / 1e9, cluster);
            return cluster;
        } catch (RuntimeException | Error e) {
            throw cluster.nodes.startFailed("the Citus cluster", e);
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:<coordinator>/postgres}: what applications connect to. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + coordinatorPort() + "/" + DATABASE;
    }

    /** The superuser of every node (trust authentication on loopback, no password). */
    public String user() {
        return USER;
    }

    public int coordinatorPort() {
        return nodes.servers().get(0).port();
    }

    /** The workers' ports, in registration order. */
    public List<Integer> workerPorts() {
        return nodes.servers().stream().skip(1).map(Server::port).toList();
    }

    /** The Citus extension version the coordinator runs, e.g. {@code 13.2-1}. */
    public String citusVersion() {
        return citusVersion;
    }

    /** The {@code postgres} processes started (and what runs them), for tests of the test support. */
    List<ProcessHandle> processes() {
        return nodes.processes();
    }

    /** The scratch directory (data directories, logs); gone after {@link #close()}. */
    Path directory() {
        return nodes.directory();
    }

    /** Stops the three servers (fast shutdown, then harder if one lingers) and removes the directory. */
    @Override
    public void close() {
        nodes.close();
    }

    @Override
    public String toString() {
        return "Citus " + citusVersion + ", coordinator 127.0.0.1:" + (nodes.servers().isEmpty() ? "-" : coordinatorPort())
                + ", workers " + (nodes.servers().size() < 2 ? "[]" : workerPorts()) + " (" + directory() + ")";
    }

    // --- processes ---------------------------------------------------------------------------------------------------

    private void initdb(String name) {
        Path pgdata = directory().resolve(name);
        // --no-sync: a throwaway cluster; C locale: no dependence on the machine's locales
        run(asPostgres(List.of(bindir + "/initdb", "-D", pgdata.toString(), "-U", USER, "--auth=trust", "--no-sync",
                "-E", "UTF8", "--locale=C")), COMMAND_LIMIT);
    }

    private void launch(String name, int port) {
        Path pgdata = directory().resolve(name);
        List<String> args = new ArrayList<>(List.of(bindir + "/postgres", "-D", pgdata.toString(), "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + directory(),
                "-c", "shared_preload_libraries=citus", "-c", "max_connections=200", "-c", "max_prepared_transactions=200",
                // a test cluster: durability buys nothing, and the shared machine's disk is slow
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "shared_buffers=64MB", "-c", "citus.log_remote_commands=off"));
        nodes.launch(name, port, asPostgres(args));
    }

    private void awaitReady(Server node) {
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!node.process().isAlive()) {
                throw new IllegalStateException("PostgreSQL " + node.name() + " exited with " + node.process().exitValue());
            }
            try (Connection c = connect(node)) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            LocalServers.sleep(100, "the Citus cluster");
        }
        throw new IllegalStateException(node.name() + " did not accept connections within " + READY_LIMIT.toSeconds()
                + " s: " + (last == null ? "" : last.getMessage()));
    }

    private static Connection connect(Server node) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.port() + "/" + DATABASE
                + "?user=" + USER + "&connectTimeout=5&socketTimeout=60");
    }

    private void sql(Server node, String sql) {
        try (Connection c = connect(node); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(node.name() + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    private String query(Server node, String sql) {
        try (Connection c = connect(node); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(node.name() + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    private static void stop(String bindir, Path pgdata, String mode) {
        if (Files.exists(pgdata.resolve("postmaster.pid"))) {
            run(asPostgres(List.of(bindir + "/pg_ctl", "stop", "-D", pgdata.toString(), "-m", mode, "-w", "-t", "30")), COMMAND_LIMIT);
        }
    }

    /**
     * Stops and removes the clusters under {@code base} whose JVM is gone (killed before its shutdown hook ran), so
     * that abandoned servers do not pile up on a shared machine.
     */
    private static void stopAbandoned(Path base, String bindir) {
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path old : dirs.filter(p -> p.getFileName().toString().startsWith(DIR_PREFIX)).toList()) {
                long owner;
                try {
                    owner = Long.parseLong(Files.readString(old.resolve(OWNER_FILE)).strip());
                } catch (IOException | NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(owner).isPresent()) {
                    continue;
                }
                try (Stream<Path> pgdatas = Files.list(old)) {
                    for (Path pgdata : pgdatas.filter(Files::isDirectory).toList()) {
                        try {
                            stop(bindir, pgdata, "immediate");
                        } catch (RuntimeException e) {
                            System.err.println("[upsert-test] abandoned " + pgdata + ": " + e.getMessage());
                        }
                    }
                }
                System.out.println("[upsert-test] removed the Citus cluster of a JVM that is gone: " + old);
                LocalServers.delete(old);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[upsert-test] could not look for abandoned Citus clusters in " + base + ": " + e.getMessage());
        }
    }
}
