package dev.upsert.spring.shop;

import org.springframework.data.jpa.repository.JpaRepository;

// tag::repository[]
public interface CustomerRepository extends JpaRepository<Customer, Long> {
}
// end::repository[]
