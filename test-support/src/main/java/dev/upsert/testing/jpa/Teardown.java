package dev.upsert.testing.jpa;

/** The end of a test class that opened several units, pools or roles in {@code @BeforeAll}. */
public final class Teardown {

    private Teardown() {
    }

    /**
     * Closes each resource in order, skipping nulls (what a failed {@code @BeforeAll} did not open); all of them even
     * when one fails, whose exception is then thrown with the others' suppressed.
     */
    public static void closeAll(AutoCloseable... resources) {
        RuntimeException failure = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
