package dev.upsert.internal;

import java.util.List;

import org.hibernate.MappingException;

/** Every {@code @Upsert} mapping problem found at boot, one per line, so a user fixes them all in one go. */
final class UpsertMappingException extends MappingException {

    UpsertMappingException(List<String> problems) {
        this("Invalid @Upsert mapping", problems);
    }

    /** {@code what}: the heading, e.g. "Invalid upsert-hibernate settings". */
    UpsertMappingException(String what, List<String> problems) {
        super(what + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):\n - "
                + String.join("\n - ", problems));
    }
}
