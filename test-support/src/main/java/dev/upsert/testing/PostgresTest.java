package dev.upsert.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real PostgreSQL and a schema of its own, dropped after the class.
 * <p>
 * Declare a {@link TestSchema} parameter on a test method, a {@code @BeforeAll} method or the constructor to
 * receive it. The server is chosen once per JVM by {@link TestDatabase}: an external server
 * ({@code UPSERT_TEST_JDBC_URL}), else Testcontainers when a Docker engine answers, else embedded PostgreSQL.
 *
 * <pre>{@code
 * @PostgresTest
 * class AccountIT {
 *     @Test void stores(TestSchema db) {
 *         db.execute("create table t (id int primary key)");
 *         assertThat(db.queryLong("select count(*) from t")).isZero();
 *     }
 * }
 * }</pre>
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresExtension.class)
public @interface PostgresTest {
}
