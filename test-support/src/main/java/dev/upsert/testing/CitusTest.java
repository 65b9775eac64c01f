package dev.upsert.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against a Citus cluster ({@link CitusCluster}: a coordinator and two workers on loopback), with a
 * schema of its own on the coordinator, dropped (on every node) after the class.
 * <p>
 * Declare a {@link TestSchema} parameter (the schema, on the coordinator) and/or a {@link CitusCluster} parameter on a
 * test method, a {@code @BeforeAll} method or the constructor. One cluster serves every Citus test class of the JVM;
 * it starts before the first one and stops when the test run ends, pass or fail (and in a shutdown hook).
 * <p>
 * Tagged {@code citus}: the build leaves these classes out unless {@code -Dupsert.test.citus=required}, which selects
 * only them (see the root pom) and fails every test, rather than skipping it, when the cluster cannot start.
 *
 * <pre>{@code
 * @CitusTest
 * class AccountCitusIT {
 *     @Test void distributes(TestSchema db) {
 *         db.execute("create table account (tenant_id bigint, id bigint, primary key (tenant_id, id));"
 *                 + "select create_distributed_table('account', 'tenant_id')");
 *     }
 * }
 * }</pre>
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("citus")
@ExtendWith(CitusExtension.class)
public @interface CitusTest {
}
