package dev.upsert.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Keeps the benchmark's JVM and the embedded PostgreSQL on separate CPUs while W4 measures one thread, as a client and
 * its database run on separate machines, and the same way in every run.
 * <p>
 * Why: one thread's transaction is a strict ping-pong with its backend. Left to the scheduler of a 2-core machine,
 * the two sometimes share a core (each hands the other the CPU at once) and sometimes not (each wakes the other's idle
 * core first), and switch between the two within a run: plain JDBC alone, 12 rounds of 4,000 transactions, ran at
 * 5,786 to 21,703 tx/s in one run and 5,837 to 24,061 in another, so a contender's rate said more about where it ran
 * than about what it did. Pinned apart, the same run held 5,006 to 6,309 tx/s after its first round (3,362, still
 * compiling). Apart, every round trip includes the other CPU's wake-up, which costs every contender the same per
 * round trip, as a network does, and brings the ratios nearer 1 than the CPU each spends; that CPU is reported beside
 * the rates.
 * <p>
 * Linux only ({@code taskset}, {@code /proc}), only for the embedded server (its processes are this machine's and
 * this user's), and only with at least 2 CPUs; otherwise nothing is pinned and {@link #description()} says why.
 */
final class Placement implements AutoCloseable {

    private final long postmaster;
    private final String allCpus;
    private final String description;

    private Placement(long postmaster, String allCpus, String description) {
        this.postmaster = postmaster;
        this.allCpus = allCpus;
        this.description = description;
    }

    private static Placement none(String why) {
        return new Placement(-1, null, "not pinned (" + why + ")");
    }

    /** Pins this JVM to the first half of the CPUs and the embedded server's processes to the second half. */
    static Placement apart(BenchDatabase db) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (!db.embedded()) {
            return none("not the embedded server");
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux") || !Files.isDirectory(Path.of("/proc"))) {
            return none("not Linux");
        }
        if (cpus < 2) {
            return none("1 CPU");
        }
        String client = cpuList(0, cpus / 2 - 1);
        String server = cpuList(cpus / 2, cpus - 1);
        try {
            long postmaster = parentOf(db.queryLong("select pg_backend_pid()"));
            for (long pid : serverProcesses(postmaster)) {
                taskset(server, pid);
            }
            taskset(client, ProcessHandle.current().pid());
            return new Placement(postmaster, cpuList(0, cpus - 1),
                    "client (this JVM) on CPU " + client + ", PostgreSQL on CPU " + server + ", taskset");
        } catch (IOException | SQLException | RuntimeException e) {
            return none(BenchDatabase.oneLine(e));
        }
    }

    String description() {
        return description;
    }

    /** Every CPU again, for the JVM and for every process of the server, including those forked meanwhile. */
    @Override
    public void close() {
        if (allCpus == null) {
            return;
        }
        try {
            taskset(allCpus, ProcessHandle.current().pid());
            for (long pid : serverProcesses(postmaster)) {
                // a backend that ended since the scan has nothing to give back
                if (Files.exists(Path.of("/proc", String.valueOf(pid)))) {
                    taskset(allCpus, pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("W4: could not give the CPUs back (" + BenchDatabase.oneLine(e) + "); the rest of the run is pinned");
        }
    }

    /** {@code taskset}'s list of the CPUs {@code first} to {@code last}. */
    private static String cpuList(int first, int last) {
        return first == last ? String.valueOf(first) : first + "-" + last;
    }

    /** The postmaster and its children (backends, background workers): new backends inherit its CPUs. */
    private static List<Long> serverProcesses(long postmaster) throws IOException {
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    try {
                        if (parentOf(Long.parseLong(name)) == postmaster) {
                            pids.add(Long.parseLong(name));
                        }
                    } catch (IOException gone) {
                        // a process that ended while we looked
                    }
                }
            }
        }
        return pids;
    }

    /** The parent pid from {@code /proc/<pid>/stat}: the field after the state, behind the command's parentheses. */
    static long parentOf(long pid) throws IOException {
        return parentOf(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
    }

    static long parentOf(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[1]);
    }

    private static void taskset(String cpus, long pid) throws IOException {
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, String.valueOf(pid)).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("taskset -a -p -c " + cpus + " " + pid + ": " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
