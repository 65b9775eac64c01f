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
import java.util.function.Predicate;

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

    /** The outcome of one {@link #failover()}: ports of the old and new primary, and the longest write outage seen. */
    public record Failover(int fromPort, int toPort, Duration withoutPrimary) {
    }

    private final Path dir;
    private final String bindir;
    private final int monitorPort;
    /** {@code pg_autoctl ... --run} processes: the monitor first, then the data nodes, in start order. */
    private final LocalServers nodes;

    private FailoverCluster(Path dir, String bindir, int monitorPort) {
        this.dir = dir;
        this.bindir = bindir;
        this.monitorPort = monitorPort;
        this.nodes = new LocalServers(dir, "upsert-failover-stop", "pg_autoctl stop", (node, immediate) -> autoctl(
                immediate ? List.of("stop", "--pgdata", node.pgdata().toString(), "--immediate")
                        : List.of("stop", "--pgdata", node.pgdata().toString())));
    }

    /**
     * Why this machine cannot run a formation (pg_autoctl or the monitor extension missing), or empty when it can.
     * The text says how to enable it.
     */
    public static Optional<String> unavailableReason() {
        boolean noAutoctl = onPath("pg_autoctl").isEmpty();
        String install = "install pg_auto_failover (Debian: apt-get install postgresql-<major>-auto-failover"
                + " pg-auto-failover-cli, <major> as in pg_config --version)";
        if (noAutoctl || onPath("pg_config").isEmpty()) {
            return Optional.of("pg_autoctl " + (noAutoctl ? "is not on the PATH" : "found but pg_config is not")
                    + ": to run the failover tests, " + install);
        }
        String sharedir = pgConfig("sharedir");
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
        String bindir = pgConfig("bindir");
        Path dir;
        try {
            dir = Files.createTempDirectory("upsert-failover-");
            LocalServers.ownByPostgres(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory for the failover cluster", e);
        }
        int[] ports = LocalServers.freePorts(3);
        FailoverCluster cluster = new FailoverCluster(dir, bindir, ports[0]);
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
            throw cluster.nodes.startFailed("the failover cluster", e);
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:p1,127.0.0.1:p2/postgres?targetServerType=primary}: always the current primary. */
    public String jdbcUrl() {
        List<LocalServers.Server> servers = nodes.servers();
        return "jdbc:postgresql://127.0.0.1:" + servers.get(1).port() + ",127.0.0.1:" + servers.get(2).port() + "/" + DATABASE
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
        nodes.close();
    }

    @Override
    public String toString() {
        return "monitor 127.0.0.1:" + monitorPort + ", nodes " + nodes.servers().stream().skip(1).map(n -> n.name() + " 127.0.0.1:" + n.port()).toList()
                + ", primary " + primaryPort() + " (" + dir + ")";
    }

    /** The scratch directory (data directories, logs); gone after {@link #close()}. */
    Path directory() {
        return dir;
    }

    /** The monitor's port, then the data nodes'. */
    List<Integer> ports() {
        return nodes.servers().stream().map(LocalServers.Server::port).toList();
    }

    /** The {@code pg_autoctl} processes started, with everything they started. */
    List<ProcessHandle> processes() {
        return nodes.processes();
    }

    // --- processes ---------------------------------------------------------------------------------------------------

    private String monitorUri() {
        return "postgres://autoctl_node@127.0.0.1:" + monitorPort + "/pg_auto_failover?sslmode=disable";
    }

    private void launch(String name, int port, List<String> create) {
        List<String> args = new ArrayList<>(create);
        args.addAll(List.of("--pgdata", dir.resolve(name).toString(), "--pgport", Integer.toString(port),
                "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl", "--run"));
        nodes.launch(name, port, command(args));
    }

    /** {@code pg_autoctl args}, as the postgres OS user when we are root (pg_autoctl and initdb refuse root). */
    private List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(List.of("env", "PATH=" + bindir + ":" + System.getenv("PATH"),
                "XDG_CONFIG_HOME=" + dir.resolve("config"), "XDG_DATA_HOME=" + dir.resolve("data"),
                "XDG_RUNTIME_DIR=" + dir.resolve("run"), "pg_autoctl"));
        command.addAll(args);
        return asPostgres(command);
    }

    private String autoctl(List<String> args) {
        return run(command(args), COMMAND_LIMIT);
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
            for (LocalServers.Server node : nodes.servers()) {
                if (!node.process().isAlive()) {
                    throw new IllegalStateException("pg_autoctl for " + node.name() + " exited with " + node.process().exitValue());
                }
            }
            state = stateOrNull();
            if (state != null && done.test(state)) {
                return state;
            }
            LocalServers.sleep(200, "the failover cluster");
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
                LocalServers.sleep(20, "the failover cluster");
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
}
