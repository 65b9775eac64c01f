package dev.upsert.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The cluster the Citus tests run on: a coordinator that knows its two workers and distributes a table over them,
 * and a {@link CitusCluster#close()} that leaves no process, no listening port and no directory behind.
 */
@CitusTest
class CitusClusterIT {

    @Test
    void distributesOverTwoWorkersAndCloseLeavesNothingBehind() throws Exception {
        CitusCluster cluster = CitusCluster.start(Path.of("target"));
        List<Integer> ports = new ArrayList<>(cluster.workerPorts());
        ports.add(cluster.coordinatorPort());
        Path dir = cluster.directory();
        List<ProcessHandle> processes;
        try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), cluster.user(), "");
             Statement s = c.createStatement()) {
            s.execute("create table t (k bigint primary key); select create_distributed_table('t', 'k');"
                    + " insert into t select generate_series(1, 100)");
            try (ResultSet rs = s.executeQuery("select count(*), count(distinct nodeport) from citus_shards where table_name = 't'::regclass")) {
                rs.next();
                assertThat(rs.getInt(1)).as("shards").isEqualTo(32);
                assertThat(rs.getInt(2)).as("workers holding them").isEqualTo(2);
            }
            try (ResultSet rs = s.executeQuery("select count(*) from t")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(100);
            }
            processes = cluster.processes();
            assertThat(processes).isNotEmpty();
        } finally {
            cluster.close();
        }
        for (ProcessHandle process : processes) {
            assertThat(process.isAlive()).as("process %d", process.pid()).isFalse();
        }
        for (int port : ports) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                throw new AssertionError("port " + port + " still accepts connections");
            } catch (java.io.IOException expected) {
                // nothing listens any more
            }
        }
        assertThat(Files.exists(dir)).isFalse();
    }
}
