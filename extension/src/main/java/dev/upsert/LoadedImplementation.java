package dev.upsert;

import java.util.ServiceLoader;

/** Holds the {@link UpsertImplementation}: loaded on first use, once (the JVM's class initialisation is the lock). */
final class LoadedImplementation {

    static final UpsertImplementation INSTANCE =
            ServiceLoader.load(UpsertImplementation.class, UpsertImplementation.class.getClassLoader())
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("upsert-hibernate: META-INF/services/"
                            + UpsertImplementation.class.getName() + " is missing from the jar"));

    private LoadedImplementation() {
    }
}
