package dev.upsert.spring.boot.drift;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An application started on a database restored without its sequence values: {@code restored_item_seq} is far
 * behind the table's ids, a probe for {@code upsert.check-sequences}.
 */
@SpringBootApplication
public class RestoredApplication {

    @Entity
    @Table(name = "restored_item")
    public static class RestoredItem {
        @Id @GeneratedValue @SequenceGenerator(name = "restored_item_seq", allocationSize = 50) Long id;
        String name;
    }
}
