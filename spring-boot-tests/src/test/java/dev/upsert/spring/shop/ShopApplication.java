package dev.upsert.spring.shop;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An ordinary Spring Boot application: Spring Data JPA, HikariCP, Spring MVC; nothing configured for upsert-hibernate. */
@SpringBootApplication
public class ShopApplication {
}
