package dev.upsert.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class its own {@link FailoverCluster} (a pg_auto_failover monitor, a primary and a synchronous standby
 * on loopback), started before the first test that asks for it and stopped when the class is done, pass or fail.
 * <p>
 * Declare a {@link FailoverCluster} parameter on a test method, a {@code @BeforeAll} method or the constructor. The
 * mode is {@code -Dupsert.test.failover}: {@code auto} (default) runs the class when {@code pg_autoctl} is installed
 * and otherwise skips it with a message saying which packages to install; {@code required} fails instead of
 * skipping (CI); {@code off} skips.
 *
 * <pre>{@code
 * @FailoverTest
 * class SwitchIT {
 *     @Test void survives(FailoverCluster cluster) {
 *         try (HikariDataSource pool = cluster.pool("switch", 4, "")) {
 *             FailoverCluster.Failover f = cluster.failover();
 *             assertThat(f.toPort()).isNotEqualTo(f.fromPort());
 *         }
 *     }
 * }
 * }</pre>
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("failover")
@ExtendWith(FailoverExtension.class)
public @interface FailoverTest {
}
