package dev.upsert.bench;

import dev.upsert.testing.RoundTrips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Runs W1 (batched upserts, one thread), W2 (concurrent single-row upserts), W3 (the idempotent inbox), W4 (one row per
 * transaction, 1 and 8 threads) and the heap check, and prints the
 * results table. Options: {@code --rows N} (W1 upserts, default 20,000), {@code --rounds R} (measured rounds, default 5),
 * {@code --warm-up R} (W1's and W3's warm-up rounds before them, default 5), {@code --w2-ops N} (per thread, default 1,000; 0 skips W2), {@code --memory-rows N}
 * (default 100,000; 0 skips), {@code --w3-events N} (W3, the idempotent inbox, default 20,000; 0 skips), {@code --w4-tx N} (W4 transactions per run, default 4,000; 0 skips), {@code --w4-rounds R} (W4 measured rounds on one thread, default 7: a one-thread round lasts about a second, and a median of three such rounds moved by several percent between runs on a shared machine; eight times as many on eight threads, {@link OneRowTransactions#MANY_THREAD_ROUNDS_PER_ROUND}; before them, warm-up rounds until the JIT is quiet, {@link Jit}), {@code --w4-pin on|off} (W4 on one thread with this JVM and the embedded server on separate CPUs, default on: {@link Placement}), {@code --only a,b} (W1 and W4 contenders whose name contains one of these).
 * {@code BENCH_JDBC_URL} (+ {@code BENCH_JDBC_USER}, {@code BENCH_JDBC_PASSWORD}) uses that server instead of an
 * embedded one.
 * <p>
 * {@code --citus}: W1 and W4 only, on a Citus cluster (a coordinator and two workers the benchmark starts and stops,
 * or the coordinator {@code BENCH_JDBC_URL} names), table {@code account} hash-distributed by {@code tenant_id} with
 * the key {@code (tenant_id, email)}: {@code @Upsert} against the raw SQL on the same cluster.
 */
public final class Benchmarks {

    private static final int ROWS_PER_TRANSACTION = 1_000;
    private static final int W2_THREADS = 8;
    private static final int W2_KEYS = 200;

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jboss.logging.provider", "slf4j");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // failures are counted and reported in the table; Hibernate would also log each one
        System.setProperty("org.slf4j.simpleLogger.log.org.hibernate.orm.jdbc.error", "off");
        System.setProperty("org.slf4j.simpleLogger.log.org.hibernate.orm.jdbc.batch", "off");
        Options options = Options.parse(args);

        try (BenchDatabase db = options.citus ? BenchDatabase.startCitus(scratchDirectory()) : BenchDatabase.start()) {
            String header = header(db, options);
            System.out.println(header);
            List<Contender> contenders = new ArrayList<>();
            Map<String, String> bootFailures = new LinkedHashMap<>();
            String persister = buildContenders(db, options, contenders, bootFailures);
            System.out.println("@Upsert entity persister: " + persister);

            Map<Contender, List<Run>> runs = new LinkedHashMap<>();
            contenders.forEach(c -> runs.put(c, new ArrayList<>()));
            for (int i = 0; i < options.warmUp + options.rounds; i++) {
                boolean warmUp = i < options.warmUp;
                Workload workload = Workload.w1(options.rows, i);
                List<List<AccountRow>> transactions = Workload.chunks(workload.upserts(), ROWS_PER_TRANSACTION);
                StringBuilder progress = new StringBuilder(warmUp ? "warm-up " + (i + 1) + ":" : "round " + (i - options.warmUp + 1) + ":");
                for (Contender c : Workload.inRoundOrder(contenders, i)) {
                    Run run = Run.of(db, c, workload, transactions, warmUp);
                    runs.get(c).add(run);
                    progress.append(String.format(" %s %s;", c.name(), run.progress()));
                }
                System.out.println(progress);
            }

            // One more W1 run per contender, untimed, counting pgjdbc's round trips (protocol logging is slow).
            Map<Contender, Long> roundTrips = new LinkedHashMap<>();
            Workload counted = Workload.w1(options.rows, options.warmUp + options.rounds);
            for (Contender c : contenders) {
                db.reset(counted.seed());
                try {
                    roundTrips.put(c, RoundTrips.count(
                            () -> c.upsertAll(Workload.chunks(counted.upserts(), ROWS_PER_TRANSACTION))));
                } catch (Exception e) {
                    // already reported by the measured runs
                }
            }

            List<Contention.Result> contention = new ArrayList<>();
            if (options.w2Ops > 0 && !options.citus) {
                for (Contender c : contenders) {
                    if (c.inContention()) {
                        contention.add(Contention.run(db, c, W2_THREADS, options.w2Ops, W2_KEYS));
                    }
                }
            }
            String inbox = options.citus ? "W2, W3 and the heap check: not run on Citus\n"
                    : options.w3Events > 0 ? Inbox.run(db, options) : "W3: skipped (--w3-events 0)\n";
            String oneRow = options.w4Transactions > 0 ? OneRowTransactions.run(db, options.w4Transactions, options.w4Rounds, options.w4Pin, options::selects)
                    : "W4: skipped (--w4-tx 0)\n";
            String memory = options.citus ? "not run on Citus" : "skipped (--memory-rows 0)";
            if (options.memoryRows > 0 && !options.citus) {
                EntityUpsert upsert = contenders.stream()
                        .filter(c -> c instanceof EntityUpsert && c.name().equals("@Upsert seq"))
                        .map(EntityUpsert.class::cast).findFirst().orElse(null);
                memory = upsert == null ? "not measured: " + bootFailures.getOrDefault("@Upsert seq", "@Upsert seq not selected")
                        : HeapCheck.run(db, upsert, options.memoryRows);
            }

            System.out.println();
            System.out.println(header);
            System.out.println("@Upsert entity persister: " + persister);
            System.out.println(Report.table(runs, roundTrips, bootFailures, options, db.table()));
            if (!contention.isEmpty()) {
                System.out.printf("W2: %d threads x %,d single-row upserts, one transaction each, over %d shared keys, empty table"
                        + " (checks failures and row count, not ids)%n",
                        W2_THREADS, options.w2Ops, W2_KEYS);
                contention.forEach(r -> System.out.println(r.line()));
            }
            System.out.print(inbox);
            System.out.print(oneRow);
            System.out.println("Memory: " + memory);
            System.out.println("Load average at the end: " + loadAverage());
            contenders.forEach(Contender::close);
        }
    }

    /** Boots every selected contender; one that cannot boot is reported, not dropped. Returns the persister class. */
    private static String buildContenders(BenchDatabase db, Options options, List<Contender> contenders,
                                          Map<String, String> bootFailures) {
        Lineup lineup = new Lineup(db, options, contenders, bootFailures);
        AccountTable table = db.table();
        for (JdbcBatchUpsert.Returning returning : JdbcBatchUpsert.Returning.values()) {
            if (options.citus && returning == JdbcBatchUpsert.Returning.EVERY_COLUMN) {
                continue;  // a round trip per row: pgjdbc's limit, shown on PostgreSQL; on Citus it only adds minutes
            }
            lineup.add(new JdbcBatchUpsert(db.dataSource(false), table, false, returning));
            if (returning == JdbcBatchUpsert.Returning.NOTHING) {
                lineup.add(new JdbcBatchUpsert(db.dataSource(true), table, true, returning));
            }
        }
        lineup.add(new JdbcUnnestUpsert(db.dataSource(false), table, false));
        lineup.add(new JdbcUnnestUpsert(db.dataSource(false), table, true));
        if (options.citus) {
            // the distributed table's key is (tenant_id, email): entities of their own; find-then-save and @SQLInsert stay on PostgreSQL
            lineup.entity("@Upsert seq", DistributedUpsertSequenceAccount.class, DistributedUpsertSequenceAccount::new, EntityUpsert.Style.PERSIST, false);
            lineup.entity("@Upsert seq, rewrite", DistributedUpsertSequenceAccount.class, DistributedUpsertSequenceAccount::new, EntityUpsert.Style.PERSIST, true);
            lineup.entity("@Upsert identity", DistributedUpsertIdentityAccount.class, DistributedUpsertIdentityAccount::new, EntityUpsert.Style.PERSIST, false);
        } else {
            lineup.entity("JPA find-then-save, rewrite", FindThenSaveAccount.class, FindThenSaveAccount::new, EntityUpsert.Style.FIND_THEN_SAVE, true);
            lineup.entity("JPA find-then-save, AUTO flush", FindThenSaveAccount.class, FindThenSaveAccount::new, EntityUpsert.Style.FIND_THEN_SAVE_AUTO_FLUSH, false);
            lineup.entity("@SQLInsert", SqlInsertAccount.class, SqlInsertAccount::new, EntityUpsert.Style.PERSIST, false);
            lineup.entity("@SQLInsert, rewrite", SqlInsertAccount.class, SqlInsertAccount::new, EntityUpsert.Style.PERSIST, true);
            lineup.entity("@Upsert seq", UpsertSequenceAccount.class, UpsertSequenceAccount::new, EntityUpsert.Style.PERSIST, false);
            lineup.entity("@Upsert seq, rewrite", UpsertSequenceAccount.class, UpsertSequenceAccount::new, EntityUpsert.Style.PERSIST, true);
            lineup.entity("@Upsert identity", UpsertIdentityAccount.class, UpsertIdentityAccount::new, EntityUpsert.Style.PERSIST, false);
        }
        return contenders.stream()
                .filter(c -> c instanceof EntityUpsert && c.name().startsWith("@Upsert"))
                .map(c -> ((EntityUpsert) c).persisterClass())
                .findFirst()
                .map(p -> p.startsWith("org.hibernate.") ? p + " (Hibernate's own: @Upsert is NOT in effect)" : p)
                .orElse("n/a (no @Upsert contender booted)");
    }

    /** The W1 contenders as they boot: those {@code --only} selects, in order, and why one did not boot. */
    private record Lineup(BenchDatabase db, Options options, List<Contender> contenders, Map<String, String> bootFailures) {

        void add(Contender raw) {
            if (options.selects(raw.name())) {
                contenders.add(raw);
            }
        }

        /** An entity contender in its own persistence unit, on the plain or the rewriting pool. */
        <E extends AccountEntity> void entity(String name, Class<E> type, Supplier<E> factory, EntityUpsert.Style style,
                                              boolean rewrite) {
            if (!options.selects(name)) {
                return;
            }
            try {
                contenders.add(new EntityUpsert(name, type, factory, style, db.dataSource(rewrite)));
            } catch (RuntimeException e) {
                bootFailures.put(name, "boot failed: " + BenchDatabase.oneLine(e));
            }
        }
    }

    private static String header(BenchDatabase db, Options options) {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(cpu);
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the processor count below still says something
        }
        return String.format(Locale.ROOT, """
                upsert-hibernate benchmarks, %s
                PostgreSQL %s, %s; statement counts: %s
                %d CPUs (%s), %s, Java %s (%s), %s %s; load average at the start: %s
                Hibernate %s, pgjdbc %s
                W1: %,d upserts (half on %,d seeded rows, half new, shuffled), %,d per transaction, 1 thread; %d warm-up + %d measured rounds""",
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                db.serverVersion(), db.description(),
                db.statementStatsProblem() == null ? "pg_stat_statements" : "n/a (" + db.statementStatsProblem() + ")",
                Runtime.getRuntime().availableProcessors(), cpu, memoryText(),
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                System.getProperty("os.name"), System.getProperty("os.arch"), loadAverage(),
                org.hibernate.Version.getVersionString(), org.postgresql.util.DriverInfo.DRIVER_VERSION,
                options.rows, options.rows / 2, ROWS_PER_TRANSACTION, options.warmUp, options.rounds);
    }

    /** The 1, 5 and 15 minute load averages: on a shared machine they say how much the figures can be trusted. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Where {@code --citus} puts its cluster: next to the jar ({@code benchmarks/target}), else the temporary directory. */
    private static Path scratchDirectory() {
        try {
            Path jar = Path.of(Benchmarks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return (Files.isDirectory(jar) ? jar : jar.getParent()).resolve("citus");
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return Path.of(System.getProperty("java.io.tmpdir"), "upsert-bench-citus");
        }
    }

    private static String memoryText() {
        try {
            String total = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\D+", "");
            return String.format("%.0f GB RAM", Long.parseLong(total) / 1024.0 / 1024.0);
        } catch (IOException | RuntimeException e) {
            return "RAM unknown";
        }
    }

    /**
     * One W1 run of one contender: timed, then counted and verified. {@code cpuNanos} is the CPU time of the calling
     * thread over the run (W1 runs on one thread): what the client spent apart from waiting for the server.
     */
    record Run(boolean warmUp, double seconds, long cpuNanos, int rows, OptionalLong statements, List<String> problems)
            implements Report.Timed {

        @Override
        public int units() {
            return rows;
        }

        static Run of(BenchDatabase db, Contender c, Workload workload, List<List<AccountRow>> transactions,
                      boolean warmUp) throws Exception {
            Map<String, Long> seededIds = db.reset(workload.seed());
            System.gc();
            db.resetStatementCounts();
            Map<String, Contender.Held> held;
            Stopwatch watch = Stopwatch.start();
            try {
                held = c.upsertAll(transactions);
            } catch (Exception e) {
                return new Run(warmUp, Double.NaN, 0, workload.upserts().size(), OptionalLong.empty(),
                        List.of("exception: " + BenchDatabase.oneLine(e)));
            }
            double seconds = watch.seconds();
            long cpuNanos = watch.cpuNanos();
            OptionalLong statements = db.statementCount();
            List<String> problems = Verifier.check(workload, seededIds, db.rows(), held);
            return new Run(warmUp, seconds, cpuNanos, workload.upserts().size(), statements, problems);
        }
    }

    static final class Options {
        int rows = 20_000;
        int rounds = 5;
        /**
         * W1's and W3's warm-up rounds: each contender's code runs compiled before it is measured. With a single one,
         * {@code @Upsert}'s client CPU per row kept falling for about ten measured rounds (9 µs to 4 µs) while the
         * raw statements', with far less code to compile, showed no trend (docs/benchmarks.md).
         */
        int warmUp = 5;
        int w2Ops = 1_000;
        int memoryRows = 100_000;
        int w3Events = 20_000;
        int w4Transactions = 4_000;
        int w4Rounds = 7;
        /** W4 on one thread with the client and the embedded server on separate CPUs ({@link Placement}). */
        boolean w4Pin = true;
        List<String> only = List.of();
        boolean citus;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--citus")) {
                    o.citus = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + " needs a value; options: --rows N --rounds R --warm-up R --w2-ops N --memory-rows N --w3-events N --w4-tx N --w4-rounds R --w4-pin on|off --only a,b --citus");
                }
                String value = args[++i];
                switch (arg) {
                    case "--rows" -> o.rows = Integer.parseInt(value.replace("_", ""));
                    case "--rounds" -> o.rounds = Integer.parseInt(value);
                    case "--warm-up" -> o.warmUp = Integer.parseInt(value);
                    case "--w2-ops" -> o.w2Ops = Integer.parseInt(value.replace("_", ""));
                    case "--memory-rows" -> o.memoryRows = Integer.parseInt(value.replace("_", ""));
                    case "--w3-events" -> o.w3Events = Integer.parseInt(value.replace("_", ""));
                    case "--w4-tx" -> o.w4Transactions = Integer.parseInt(value.replace("_", ""));
                    case "--w4-rounds" -> o.w4Rounds = Integer.parseInt(value);
                    case "--w4-pin" -> o.w4Pin = switch (value) {
                        case "on" -> true;
                        case "off" -> false;
                        default -> throw new IllegalArgumentException("--w4-pin takes on or off, not " + value);
                    };
                    case "--only" -> o.only = List.of(value.toLowerCase(Locale.ROOT).split(","));
                    default -> throw new IllegalArgumentException("unknown option " + arg
                            + "; options: --rows N --rounds R --warm-up R --w2-ops N --memory-rows N --w3-events N --w4-tx N --w4-rounds R --w4-pin on|off --only a,b --citus");
                }
            }
            if (o.rows < 2 || o.rounds < 1 || o.warmUp < 0 || o.w4Rounds < 1 || o.w4Transactions == 1) {
                throw new IllegalArgumentException("--rows must be at least 2, --w4-tx 0 or at least 2, --rounds and --w4-rounds at least 1, --warm-up at least 0");
            }
            return o;
        }

        boolean selects(String contender) {
            String name = contender.toLowerCase(Locale.ROOT);
            return only.isEmpty() || only.stream().anyMatch(name::contains);
        }
    }
}
