package dev.upsert.testing;

import java.nio.file.Path;
import java.util.Locale;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link CitusTest}: one {@link CitusCluster} per JVM, kept in the root store (JUnit
 * closes it when the run ends), and one {@link TestSchema} on its coordinator per test class, each made when a test
 * first asks for it (a class that starts its own cluster starts no other). A cluster that fails to
 * start fails every Citus test with the reason; nothing is skipped unless the mode is {@code off}.
 */
public final class CitusExtension implements ExecutionCondition, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CitusExtension.class);

    /** Where the clusters' data directories go: the module's {@code target/}. */
    private static final Path BASE = Path.of("target");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String mode = System.getProperty(CitusCluster.MODE_PROPERTY, "off").trim().toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "required" -> ConditionEvaluationResult.enabled("-D" + CitusCluster.MODE_PROPERTY + "=required");
            case "off", "" -> ConditionEvaluationResult.disabled("Citus tests off: run them with -D"
                    + CitusCluster.MODE_PROPERTY + "=required (.ci/run does)");
            default -> throw new IllegalStateException("-D" + CitusCluster.MODE_PROPERTY + "=" + mode
                    + " is not a mode: use required or off");
        };
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestSchema.class || type == CitusCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == CitusCluster.class ? cluster(context) : schema(context);
    }

    static CitusCluster cluster(ExtensionContext context) {
        // the root store: one cluster for every class of the run, closed by JUnit at the end (and by its hook)
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(CitusCluster.class,
                k -> CitusCluster.start(BASE), CitusCluster.class);
    }

    private static TestSchema schema(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        Class<?> testClass = classContext.getRequiredTestClass();
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(TestSchema.class, k -> {
            CitusCluster cluster = cluster(context);
            TestDatabase coordinator = TestDatabase.of(TestDatabase.Provider.CITUS, cluster.jdbcUrl(), cluster.user(), "");
            return TestSchema.create(coordinator, testClass.getSimpleName());
        }, TestSchema.class);
    }
}
