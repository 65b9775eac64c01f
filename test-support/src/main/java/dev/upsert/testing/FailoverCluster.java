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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * A pg_auto_failover formation on loopback: a monitor and two PostgreSQL nodes (primary and synchronous standby) on
 * free ports, in a scratch directory, run as the {@code postgres} OS user when the JVM runs as root. Clients follow
 * the primary through pgjdbc's multi-host URL ({@code targetServerType=primary}); {@link #failover()} promotes the
 * standby with {@code pg_autoctl perform failover} and measures how long no write could commit.
 * <p>
 * Installs nothing: it needs {@code pg_autoctl} on the {@code PATH} and the monitor's extension, on Debian the
 * packages {@code postgresql-<major>-auto-failover} and {@code pg-auto-failover-cli}. {@link #close()} stops every
 * process it started and removes the directory; a shutdown hook does the same if the JVM ends first. Used through
 * {@link FailoverTest}.
 */
public final class FailoverCluster implements ExtensionContext.Store.CloseableResource {

    /** {@code auto} (default: run when pg_autoctl is present, else skip), {@code required} (fail without it), {@code off}. */
    public static final String MODE_PROPERTY = "upsert.test.failover";

    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(90);
    private static final Duration READY_LIMIT = Duration.ofSeconds(120);
    private static final String DATABASE = "postgres";
    private static final String USER = "postgres";

    /** The outcome of one {@link #failover()}: ports of the old and new primary, and the longest write outage seen. */
    public record Failover(int fromPort, int toPort, Duration withoutPrimary) {
    }

    /** A {@code pg_autoctl ... --run} process: the monitor's or a data node's. */
    private record Node(String name, Path pgdata, int port, Process process) {
    }

    private final Path dir;
    private final String bindir;
    private final int monitorPort;
    /** Monitor first, then the data nodes, in start order. */
    private final List<Node> nodes = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::stopQuietly, "upsert-failover-stop");

    private FailoverCluster(Path dir, String bindir, int monitorPort) {
        this.dir = dir;
        this.bindir = bindir;
        this.monitorPort = monitorPort;
    }

    /**
     * Why this machine cannot run a formation (pg_autoctl or the monitor extension missing), or empty when it can.
     * The text says how to enable it.
     */
    public static Optional<String> unavailableReason() {
        Optional<Path> autoctl = onPath("pg_autoctl");
        Optional<Path> pgConfig = onPath("pg_config");
        String install = "install pg_auto_failover (Debian: apt-get install postgresql-<major>-auto-failover"
                + " pg-auto-failover-cli, <major> as in pg_config --version)";
        if (autoctl.isEmpty() || pgConfig.isEmpty()) {
            return Optional.of("pg_autoctl " + (autoctl.isEmpty() ? "is not on the PATH" : "found but pg_config is not")
                    + ": to run the failover tests, " + install);
        }
        String sharedir = run(List.of(pgConfig.get().toString(), "--sharedir"), Duration.ofSeconds(10)).strip();
        if (!Files.exists(Path.of(sharedir, "extension", "pgautofailover.control"))) {
            return Optional.of("pg_autoctl is present but the monitor extension is not in " + sharedir
                    + "/extension: to run the failover tests, " + install);
        }
        if (isRoot() && onPath("runuser").isEmpty()) {
            return Optional.of("the JVM runs as root and pg_autoctl refuses root, but runuser is not on the PATH"
                    + " to run it as the postgres OS user");
        }
        return Optional.empty();
    }

    /** Starts a monitor and two nodes and waits (at most 2 minutes) until one is primary and the other its standby. */
    public static FailoverCluster start() {
        unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        String bindir = run(List.of(onPath("pg_config").orElseThrow().toString(), "--bindir"), Duration.ofSeconds(10)).strip();
        Path dir;
        try {
            dir = Files.createTempDirectory("upsert-failover-");
            if (isRoot()) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dir, users.lookupPrincipalByName(USER));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory for the failover cluster", e);
        }
        int[] ports = freePorts(3);
        FailoverCluster cluster = new FailoverCluster(dir, bindir, ports[0]);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.launch("monitor", ports[0], List.of("create", "monitor"));
            cluster.awaitMonitor();
            cluster.launch("node1", ports[1], List.of("create", "postgres", "--dbname", DATABASE, "--monitor", cluster.monitorUri()));
            cluster.awaitState(state -> state.size() == 1 && state.get(0).settled("single"));
            cluster.launch("node2", ports[2], List.of("create", "postgres", "--dbname", DATABASE, "--monitor", cluster.monitorUri()));
            cluster.awaitStable(-1);
            System.out.println("[upsert-test] failover cluster: " + cluster);
            return cluster;
        } catch (RuntimeException | Error e) {
            String logs = cluster.logTails();
            cluster.close();
            throw new IllegalStateException("the failover cluster did not start: " + e.getMessage() + logs, e);
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:p1,127.0.0.1:p2/postgres?targetServerType=primary}: always the current primary. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + nodes.get(1).port() + ",127.0.0.1:" + nodes.get(2).port() + "/" + DATABASE
                + "?targetServerType=primary";
    }

    /** The superuser of both nodes (trust authentication on loopback, no password). */
    public String user() {
        return USER;
    }

    /**
     * A HikariCP pool over {@link #jdbcUrl()} plus {@code urlProperties} (may be empty), with {@code ApplicationName} =
     * {@code name}, a 10 s connection timeout and otherwise HikariCP's defaults. The caller closes it.
     */
    public HikariDataSource pool(String name, int size, String urlProperties) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(jdbcUrl() + "&ApplicationName=" + name + (urlProperties.isEmpty() ? "" : "&" + urlProperties));
        config.setUsername(USER);
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }

    /** The port of the node that is primary now, as the monitor sees it. */
    public int primaryPort() {
        return state().stream().filter(n -> n.current().equals("primary")).mapToInt(NodeState::port).findFirst()
                .orElseThrow(() -> new IllegalStateException("no primary: " + state()));
    }

    /**
     * Promotes the standby ({@code pg_autoctl perform failover}) and returns once the old primary follows it as standby
     * and a write commits through {@link #jdbcUrl()} again (each step bounded). A probe commits a write every 50 ms
     * meanwhile; {@link Failover#withoutPrimary()} is the longest gap between two of its commits.
     */
    public Failover failover() {
        int from = primaryPort();
        WriteProbe probe = new WriteProbe(jdbcUrl());
        probe.start();
        try {
            autoctl(List.of("perform", "failover", "--monitor", monitorUri(), "--wait", "60"));
            int to = awaitStable(from);
            Duration gap = probe.stopAfterNextCommit(Duration.ofSeconds(30));
            return new Failover(from, to, gap);
        } finally {
            probe.interrupt();
        }
    }

    /** Stops the nodes and the monitor ({@code pg_autoctl stop}, then harder if they linger) and removes the directory. */
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
        return "monitor 127.0.0.1:" + monitorPort + ", nodes " + nodes.stream().skip(1).map(n -> n.name() + " 127.0.0.1:" + n.port()).toList()
                + ", primary " + primaryPort() + " (" + dir + ")";
    }

    /** The scratch directory (data directories, logs); gone after {@link #close()}. */
    Path directory() {
        return dir;
    }

    /** The monitor's port, then the data nodes'. */
    List<Integer> ports() {
        return nodes.stream().map(Node::port).toList();
    }

    /** The {@code pg_autoctl} processes started, with everything they started. */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Node node : nodes) {
            all.add(node.process().toHandle());
            node.process().descendants().forEach(all::add);
        }
        return all;
    }

    // --- processes ---------------------------------------------------------------------------------------------------

    private String monitorUri() {
        return "postgres://autoctl_node@127.0.0.1:" + monitorPort + "/pg_auto_failover?sslmode=disable";
    }

    private void launch(String name, int port, List<String> create) {
        Path pgdata = dir.resolve(name);
        List<String> args = new ArrayList<>(create);
        args.addAll(List.of("--pgdata", pgdata.toString(), "--pgport", Integer.toString(port), "--hostname", "127.0.0.1",
                "--auth", "trust", "--no-ssl", "--run"));
        try {
            Process process = new ProcessBuilder(command(args)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(name + ".log").toFile()).start();
            nodes.add(new Node(name, pgdata, port, process));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start pg_autoctl for " + name, e);
        }
    }

    /** {@code pg_autoctl args}, as the postgres OS user when we are root (pg_autoctl and initdb refuse root). */
    private List<String> command(List<String> args) {
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("runuser", "-u", USER, "--"));
        }
        command.addAll(List.of("env", "PATH=" + bindir + ":" + System.getenv("PATH"),
                "XDG_CONFIG_HOME=" + dir.resolve("config"), "XDG_DATA_HOME=" + dir.resolve("data"),
                "XDG_RUNTIME_DIR=" + dir.resolve("run"), "pg_autoctl"));
        command.addAll(args);
        return command;
    }

    private String autoctl(List<String> args) {
        return run(command(args), COMMAND_LIMIT);
    }

    private static String run(List<String> command, Duration limit) {
        Path out = null;
        try {
            // output goes to a file, so a process that never closes it cannot stall us past the limit
            out = Files.createTempFile("upsert-failover-", ".out");
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
        // nodes first: a node whose monitor is gone keeps retrying it
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node node = nodes.get(i);
            // taken before the stop: a process whose parent exits is no longer a descendant, yet may still run
            List<ProcessHandle> left = new ArrayList<>(node.process().descendants().toList());
            left.add(node.process().toHandle());
            try {
                autoctl(List.of("stop", "--pgdata", node.pgdata().toString()));
                if (!node.process().waitFor(30, TimeUnit.SECONDS)) {
                    autoctl(List.of("stop", "--pgdata", node.pgdata().toString(), "--immediate"));
                    node.process().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (RuntimeException e) {
                System.err.println("[upsert-test] pg_autoctl stop " + node.name() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // whatever still runs (runuser, pg_autoctl, postgres children) goes now
            node.process().descendants().filter(p -> !left.contains(p)).forEach(left::add);
            left.forEach(ProcessHandle::destroyForcibly);
            // a kill is asynchronous: wait (bounded) until the processes are gone, so "stopped" means stopped
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

    // --- state -------------------------------------------------------------------------------------------------------

    private record NodeState(int port, String current, String assigned) {

        boolean settled(String state) {
            return current.equals(state) && assigned.equals(state);
        }
    }

    /** The formation as the monitor reports it; empty while the monitor does not answer yet. */
    private List<NodeState> state() {
        List<NodeState> state = stateOrNull();
        return state == null ? List.of() : state;
    }

    /** The formation, or null while the monitor (or its extension) does not answer. */
    private List<NodeState> stateOrNull() {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + monitorPort
                + "/pg_auto_failover?user=autoctl_node&connectTimeout=5&socketTimeout=10");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select nodeport, current_group_state::text, assigned_group_state::text"
                     + " from pgautofailover.current_state('default') order by node_id")) {
            List<NodeState> state = new ArrayList<>();
            while (rs.next()) {
                state.add(new NodeState(rs.getInt(1), rs.getString(2), rs.getString(3)));
            }
            return state;
        } catch (SQLException e) {
            return null;
        }
    }

    private void awaitMonitor() {
        awaitState(state -> true);
    }

    /** Polls the monitor until {@code done} holds (at most 2 minutes); fails at once if a pg_autoctl process died. */
    private List<NodeState> awaitState(Predicate<List<NodeState>> done) {
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        List<NodeState> state = null;
        while (System.nanoTime() < deadline) {
            for (Node node : nodes) {
                if (!node.process().isAlive()) {
                    throw new IllegalStateException("pg_autoctl for " + node.name() + " exited with " + node.process().exitValue());
                }
            }
            state = stateOrNull();
            if (state != null && done.test(state)) {
                return state;
            }
            sleep(200);
        }
        throw new IllegalStateException("the formation did not reach the expected state within " + READY_LIMIT.toSeconds()
                + " s; last seen: " + state);
    }

    /** Waits for one settled primary (not on {@code notPort}) and one settled secondary; returns the primary's port. */
    private int awaitStable(int notPort) {
        List<NodeState> state = awaitState(s -> s.size() == 2
                && s.stream().anyMatch(n -> n.settled("primary") && n.port() != notPort)
                && s.stream().anyMatch(n -> n.settled("secondary")));
        return state.stream().filter(n -> n.settled("primary")).findFirst().orElseThrow().port();
    }

    // --- helpers -----------------------------------------------------------------------------------------------------

    /** Commits a write every 50 ms through the multi-host URL and remembers when each commit returned. */
    private static final class WriteProbe extends Thread {

        private final String url;
        private final List<Long> commits = new ArrayList<>();

        WriteProbe(String url) {
            super("upsert-failover-probe");
            setDaemon(true);
            // short timeouts: a probe stuck on the old primary must not hide the moment the new one answers
            this.url = url + "&connectTimeout=2&socketTimeout=3&loginTimeout=3";
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                try (Connection c = DriverManager.getConnection(url, USER, "");
                     Statement s = c.createStatement()) {
                    // an xid makes the commit wait for the synchronous standby, like an application's write
                    s.execute("select txid_current()");
                    synchronized (commits) {
                        commits.add(System.nanoTime());
                    }
                } catch (SQLException e) {
                    // no primary at the moment
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Waits for one more commit, stops, and returns the longest gap between commits (from start when none before). */
        Duration stopAfterNextCommit(Duration limit) {
            int seen;
            synchronized (commits) {
                seen = commits.size();
            }
            long deadline = System.nanoTime() + limit.toNanos();
            while (true) {
                synchronized (commits) {
                    if (commits.size() > seen) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no write committed through the multi-host URL within "
                            + limit.toSeconds() + " s after the failover");
                }
                FailoverCluster.sleep(20);
            }
            interrupt();
            long longest = 0;
            synchronized (commits) {
                for (int i = 1; i < commits.size(); i++) {
                    longest = Math.max(longest, commits.get(i) - commits.get(i - 1));
                }
            }
            return Duration.ofNanos(longest);
        }
    }

    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                // all held open together, so the three are distinct
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
            throw new IllegalStateException("interrupted while waiting for the failover cluster", e);
        }
    }
}
