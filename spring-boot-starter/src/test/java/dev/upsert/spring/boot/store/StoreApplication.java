package dev.upsert.spring.boot.store;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An ordinary Spring Boot application (Spring Data JPA, Spring MVC, Actuator) with the starter and nothing written
 * for upsert-hibernate but the {@code upsert.*} properties it chooses to set.
 */
@SpringBootApplication
public class StoreApplication {
}
