package dev.upsert.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.zaxxer.hikari.HikariDataSource;

@FailoverTest
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FailoverClusterIT {

    /**
     * Writes through the pool go to the primary; after {@link FailoverCluster#failover()} the other node is primary,
     * holds the committed row and takes writes through the same pool; {@link FailoverCluster#close()} leaves no
     * process, no listening port and no directory behind.
     */
    @Test
    void poolFollowsThePrimaryAcrossAFailoverAndCloseLeavesNothingBehind(FailoverCluster cluster) throws Exception {
        int before = cluster.primaryPort();
        try (HikariDataSource pool = cluster.pool("failover-cluster-it", 2, "")) {
            execute(pool, "create table probe (id int primary key); insert into probe values (1)");
            assertThat(port(pool)).isEqualTo(before);

            FailoverCluster.Failover failover = cluster.failover();

            assertThat(failover.fromPort()).isEqualTo(before);
            assertThat(failover.toPort()).isNotEqualTo(before).isEqualTo(cluster.primaryPort());
            assertThat(failover.withoutPrimary()).isPositive();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + failover.toPort() + "/postgres",
                    cluster.user(), "")) {
                assertThat(single(c, "select string_agg(id::text, ',') from probe")).isEqualTo("1");
                assertThat(single(c, "select pg_is_in_recovery()::text")).isEqualTo("false");
            }
            // the pool's old connections are dead: a couple of attempts may fail before it has new ones
            for (int attempt = 1; ; attempt++) {
                try {
                    execute(pool, "insert into probe values (2)");
                    break;
                } catch (SQLException e) {
                    assertThat(attempt).as("attempts before the pool reaches the new primary").isLessThan(5);
                }
            }
            assertThat(port(pool)).isEqualTo(failover.toPort());
        }

        var processes = cluster.processes();
        assertThat(processes).isNotEmpty();
        cluster.close();
        assertThat(processes).noneMatch(ProcessHandle::isAlive);
        assertThat(Files.exists(cluster.directory())).isFalse();
        for (int port : cluster.ports()) {
            assertThat(listening(port)).as("port %d still listening", port).isFalse();
        }
    }

    private static void execute(HikariDataSource pool, String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static int port(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return Integer.parseInt(single(c, "select inet_server_port()::text"));
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
