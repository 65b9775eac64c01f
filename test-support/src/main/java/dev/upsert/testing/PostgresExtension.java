package dev.upsert.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link PostgresTest}: one schema per test class, created before the first
 * test and dropped (cascade) when the class is done, so a shared server stays clean.
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        schema(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestSchema.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return schema(context);
    }

    /**
     * The schema of the test class {@code context} belongs to, created on first use: for an extension registered after
     * {@link PostgresTest} that builds on it (a persistence unit booted once per class).
     */
    public static TestSchema schema(ExtensionContext context) {
        // Stored on the class-level context: JUnit closes it (dropping the schema) when the class finishes.
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        Class<?> testClass = classContext.getRequiredTestClass();
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(TestSchema.class,
                k -> TestSchema.create(TestDatabase.get(), testClass.getSimpleName()), TestSchema.class);
    }
}
