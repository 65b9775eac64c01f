package dev.upsert.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;

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
    private static final String USER = "postgres";
    private static final String DIR_PREFIX = "upsert-citus-";
    private static final String OWNER_FILE = "owner.pid";

    /** One server: its data directory, port and the {@code postgres} process (through runuser when root). */
    private record Node(String name, Path pgdata, int port, Process process) {
    }

    private final Path dir;
    private final String bindir;
    private final List<Node> nodes = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::stopQuietly, "upsert-citus-stop");
    private String citusVersion = "?";

    private CitusCluster(Path dir, String bindir) {
        this.dir = dir;
        this.bindir = bindir;
    }

    /** Why this machine cannot run a cluster (no pg_config, no Citus in its installation), or empty when it can. */
    public static Optional<String> unavailableReason() {
        Optional<Path> pgConfig = onPath("pg_config");
        if (pgConfig.isEmpty()) {
            return Optional.of("pg_config is not on the PATH: install the PostgreSQL server packages, then Citus (.ci/citus)");
        }
        String pkglibdir = run(List.of(pgConfig.get().toString(), "--pkglibdir"), Duration.ofSeconds(10)).strip();
        String sharedir = run(List.of(pgConfig.get().toString(), "--sharedir"), Duration.ofSeconds(10)).strip();
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
        String bindir = run(List.of(onPath("pg_config").orElseThrow().toString(), "--bindir"), Duration.ofSeconds(10)).strip();
        Path dir;
        try {
            Files.createDirectories(base);
            stopAbandoned(base, bindir);
            dir = Files.createDirectory(base.toAbsolutePath().resolve(DIR_PREFIX
                    + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36)));
            Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
            if (isRoot()) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dir, users.lookupPrincipalByName(USER));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory for the Citus cluster under " + base, e);
        }
        long started = System.nanoTime();
        int[] ports = freePorts(3);
        CitusCluster cluster = new CitusCluster(dir, bindir);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            String[] names = {"coordinator", "worker1", "worker2"};
            for (int i = 0; i < names.length; i++) {
                cluster.initdb(names[i]);
            }
            for (int i = 0; i < names.length; i++) {
                cluster.launch(names[i], ports[i]);
            }
            for (Node node : cluster.nodes) {
                cluster.awaitReady(node);
                cluster.sql(node, "create extension if not exists citus");
            }
            Node coordinator = cluster.nodes.get(0);
            cluster.sql(coordinator, "select citus_set_coordinator_host('127.0.0.1', " + coordinator.port() + ")");
            for (Node worker : cluster.nodes.subList(1, cluster.nodes.size())) {
                cluster.sql(coordinator, "select citus_add_node('127.0.0.1', " + worker.port() + ")");
            }
            cluster.citusVersion = cluster.query(coordinator, "select extversion from pg_extension where extname = 'citus'");
            System.out.printf("[upsert-test] Citus cluster started in %.1f s: %s%n", (System.nanoTime() - started) / 1e9, cluster);
            return cluster;
        } catch (RuntimeException | Error e) {
            String logs = cluster.logTails();
            cluster.close();
            throw new IllegalStateException("the Citus cluster did not start: " + e.getMessage() + logs, e);
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
        return nodes.get(0).port();
    }

    /** The workers' ports, in registration order. */
    public List<Integer> workerPorts() {
        return nodes.stream().skip(1).map(Node::port).toList();
    }

    /** The Citus extension version the coordinator runs, e.g. {@code 13.2-1}. */
    public String citusVersion() {
        return citusVersion;
    }

    /** The {@code postgres} processes started (and what runs them), for tests of the test support. */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Node node : nodes) {
            all.add(node.process().toHandle());
            node.process().descendants().forEach(all::add);
        }
        return all;
    }

    /** The scratch directory (data directories, logs); gone after {@link #close()}. */
    Path directory() {
        return dir;
    }

    /** Stops the three servers (fast shutdown, then harder if one lingers) and removes the directory. */
    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is already exiting: the hook runs (or ran) the same idempotent stop
        }
    }

    @Override
    public String toString() {
        return "Citus " + citusVersion + ", coordinator 127.0.0.1:" + (nodes.isEmpty() ? "-" : coordinatorPort())
                + ", workers " + (nodes.size() < 2 ? "[]" : workerPorts()) + " (" + dir + ")";
    }

    // --- processes ---------------------------------------------------------------------------------------------------

    private void initdb(String name) {
        Path pgdata = dir.resolve(name);
        // --no-sync: a throwaway cluster; C locale: no dependence on the machine's locales
        run(asPostgres(List.of(bindir + "/initdb", "-D", pgdata.toString(), "-U", USER, "--auth=trust", "--no-sync",
                "-E", "UTF8", "--locale=C")), COMMAND_LIMIT);
    }

    private void launch(String name, int port) {
        Path pgdata = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of(bindir + "/postgres", "-D", pgdata.toString(), "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir,
                "-c", "shared_preload_libraries=citus", "-c", "max_connections=200", "-c", "max_prepared_transactions=200",
                // a test cluster: durability buys nothing, and the shared machine's disk is slow
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "shared_buffers=64MB", "-c", "citus.log_remote_commands=off"));
        try {
            Process process = new ProcessBuilder(asPostgres(args)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(name + ".log").toFile()).start();
            process.getOutputStream().close();
            nodes.add(new Node(name, pgdata, port, process));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL for " + name, e);
        }
    }

    /** The command as the postgres OS user when we are root (initdb and postgres refuse root). */
    private static List<String> asPostgres(List<String> args) {
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("runuser", "-u", USER, "--"));
        }
        command.addAll(args);
        return command;
    }

    private void awaitReady(Node node) {
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
            sleep(100);
        }
        throw new IllegalStateException(node.name() + " did not accept connections within " + READY_LIMIT.toSeconds()
                + " s: " + (last == null ? "" : last.getMessage()));
    }

    private static Connection connect(Node node) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.port() + "/" + DATABASE
                + "?user=" + USER + "&connectTimeout=5&socketTimeout=60");
    }

    private void sql(Node node, String sql) {
        try (Connection c = connect(node); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(node.name() + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    private String query(Node node, String sql) {
        try (Connection c = connect(node); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(node.name() + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    private static String run(List<String> command, Duration limit) {
        Path out = null;
        try {
            // output goes to a file, so a process that never closes it cannot stall us past the limit
            out = Files.createTempFile("upsert-citus-", ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + limit.toSeconds() + " s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    private void stopQuietly() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // workers and coordinator at once: each fast shutdown waits only for its own backends
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node node = nodes.get(i);
            List<ProcessHandle> left = new ArrayList<>(node.process().descendants().toList());
            left.add(node.process().toHandle());
            try {
                stop(bindir, node.pgdata(), "fast");
                if (!node.process().waitFor(30, TimeUnit.SECONDS)) {
                    stop(bindir, node.pgdata(), "immediate");
                    node.process().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (RuntimeException e) {
                System.err.println("[upsert-test] pg_ctl stop " + node.name() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            node.process().descendants().filter(p -> !left.contains(p)).forEach(left::add);
            left.forEach(ProcessHandle::destroyForcibly);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            for (ProcessHandle process : left) {
                try {
                    process.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    System.err.println("[upsert-test] process " + process.pid() + " of " + node.name() + " still running");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        delete(dir);
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
                delete(old);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[upsert-test] could not look for abandoned Citus clusters in " + base + ": " + e.getMessage());
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[upsert-test] could not remove " + dir + ": " + e.getMessage());
        }
    }

    private String logTails() {
        StringBuilder out = new StringBuilder();
        for (Node node : nodes) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(node.name() + ".log"), StandardCharsets.UTF_8);
                out.append("\n--- ").append(node.name()).append(".log (last lines)\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            } catch (IOException | UncheckedIOException e) {
                out.append("\n--- ").append(node.name()).append(".log unreadable: ").append(e.getMessage());
            }
        }
        return out.toString();
    }

    // --- helpers -----------------------------------------------------------------------------------------------------

    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a listening socket we own
                }
            }
        }
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String entry : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Citus cluster", e);
        }
    }
}
