package dev.upsert.internal.settings;

import java.util.List;

import org.hibernate.MappingException;

/** Every {@code @Upsert} mapping problem found at boot, one per line, so a user fixes them all in one go. */
public final class UpsertMappingException extends MappingException {

    public UpsertMappingException(List<String> problems) {
        this("Invalid @Upsert mapping", problems);
    }

    /** {@code what}: the heading, e.g. "Invalid upsert-hibernate settings". */
    public UpsertMappingException(String what, List<String> problems) {
        super(what + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):\n - "
                + String.join("\n - ", problems));
    }
}
