package dev.upsert.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The server processes one loopback test cluster ({@link CitusCluster}, {@link FailoverCluster}) starts in its scratch
 * directory, each logging to {@code <name>.log} there, and how they all stop again: in reverse start order, gently,
 * harder if one lingers, then every process left of it killed and waited for, then the directory removed. A shutdown
 * hook does the same if the JVM ends before {@link #close()}. The static part is what starting them takes on this
 * machine: programs on the {@code PATH}, the {@code postgres} OS user when the JVM runs as root, bounded commands and
 * free ports.
 */
final class LocalServers {

    /** The OS user the servers run as when the JVM runs as root, and their database superuser. */
    static final String USER = "postgres";

    /** One started server: its name (and log file name), data directory, port and process (runuser when root). */
    record Server(String name, Path pgdata, int port, Process process) {
    }

    /** Asks one server to stop: first gently, then, if it has not exited 30 s later, with {@code immediate}. */
    interface Stop {
        void stop(Server server, boolean immediate);
    }

    private final Path dir;
    private final String stopLabel;
    private final Stop stop;
    private final List<Server> servers = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    /** Servers in {@code dir}, stopped with {@code stop} ({@code stopLabel} names it in warnings); registers the hook. */
    LocalServers(Path dir, String hookName, String stopLabel, Stop stop) {
        this.dir = dir;
        this.stopLabel = stopLabel;
        this.stop = stop;
        this.shutdownHook = new Thread(this::stopQuietly, hookName);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts {@code command} for server {@code name}, its output in {@code <name>.log}; does not wait for it. */
    Server launch(String name, int port, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(name + ".log").toFile()).start();
            process.getOutputStream().close();
            Server server = new Server(name, dir.resolve(name), port, process);
            servers.add(server);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
        }
    }

    /** The servers in start order. */
    List<Server> servers() {
        return servers;
    }

    Path directory() {
        return dir;
    }

    /** The processes started, with everything they started. */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Server server : servers) {
            all.add(server.process().toHandle());
            server.process().descendants().forEach(all::add);
        }
        return all;
    }

    /** Stops what did start and returns the failure for {@code cluster} to throw, with the end of each server's log. */
    IllegalStateException startFailed(String cluster, Throwable cause) {
        String logs = logTails();
        close();
        return new IllegalStateException(cluster + " did not start: " + cause.getMessage() + logs, cause);
    }

    private String logTails() {
        StringBuilder out = new StringBuilder();
        for (Server server : servers) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(server.name() + ".log"), StandardCharsets.UTF_8);
                out.append("\n--- ").append(server.name()).append(".log (last lines)\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            } catch (IOException | UncheckedIOException e) {
                out.append("\n--- ").append(server.name()).append(".log unreadable: ").append(e.getMessage());
            }
        }
        return out.toString();
    }

    /** Stops every server and removes the directory (once; later calls do nothing). */
    void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is already exiting: the hook runs (or ran) the same idempotent stop
        }
    }

    private void stopQuietly() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // last started first: a pg_auto_failover node whose monitor is gone keeps retrying it
        for (int i = servers.size() - 1; i >= 0; i--) {
            Server server = servers.get(i);
            // taken before the stop: a process whose parent exits is no longer a descendant, yet may still run
            List<ProcessHandle> left = new ArrayList<>(server.process().descendants().toList());
            left.add(server.process().toHandle());
            try {
                stop.stop(server, false);
                if (!server.process().waitFor(30, TimeUnit.SECONDS)) {
                    stop.stop(server, true);
                    server.process().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (RuntimeException e) {
                System.err.println("[upsert-test] " + stopLabel + " " + server.name() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // whatever still runs (runuser, postgres children) goes now
            server.process().descendants().filter(p -> !left.contains(p)).forEach(left::add);
            left.forEach(ProcessHandle::destroyForcibly);
            // a kill is asynchronous: wait (bounded) until the processes are gone, so "stopped" means stopped
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            for (ProcessHandle process : left) {
                try {
                    process.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    System.err.println("[upsert-test] process " + process.pid() + " of " + server.name() + " still running");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        delete(dir);
    }

    // --- this machine ------------------------------------------------------------------------------------------------

    static Optional<Path> onPath(String program) {
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

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** {@code pg_config --<what>} (bindir, sharedir, pkglibdir), stripped; pg_config must be on the PATH. */
    static String pgConfig(String what) {
        return run(List.of(onPath("pg_config").orElseThrow().toString(), "--" + what), Duration.ofSeconds(10)).strip();
    }

    /** The command as the postgres OS user when we are root (initdb, postgres and pg_autoctl refuse root). */
    static List<String> asPostgres(List<String> args) {
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("runuser", "-u", USER, "--"));
        }
        command.addAll(args);
        return command;
    }

    /** Hands a new scratch directory to the postgres OS user when we are root, so the servers can write into it. */
    static void ownByPostgres(Path dir) throws IOException {
        if (isRoot()) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName(USER));
        }
    }

    /** Runs a command to its end (at most {@code limit}) and returns its output; fails on a non-zero exit. */
    static String run(List<String> command, Duration limit) {
        Path out = null;
        try {
            // output goes to a file, so a process that never closes it cannot stall us past the limit
            out = Files.createTempFile("upsert-command-", ".out");
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

    /** {@code count} distinct free loopback ports. */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                // all held open together, so the ports are distinct
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

    /** Sleeps between two polls; an interrupt ends the wait for {@code what} with an exception. */
    static void sleep(long millis, String what) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[upsert-test] could not remove " + dir + ": " + e.getMessage());
        }
    }
}
