package dev.upsert.spring.shop;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An ordinary Spring Boot application: Spring Data JPA, HikariCP, Spring MVC; nothing written for upsert-hibernate.
 * spring-boot-tests boots it with the plain jar, the starter's tests with the starter; each module adds its own advice
 * for a duplicate key to this package. Its sources, in spring-boot-tests/src/shared, are compiled into both modules' tests.
 */
@SpringBootApplication
public class ShopApplication {
}
