package dev.upsert.testing;

import java.util.Locale;
import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link FailoverTest}: skips (or, when required, fails) without pg_auto_failover, and
 * keeps one {@link FailoverCluster} per test class in the class's store, so JUnit stops it when the class finishes.
 */
public final class FailoverExtension implements ExecutionCondition, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FailoverExtension.class);

    enum Mode { AUTO, REQUIRED, OFF }

    static Mode mode() {
        String value = System.getProperty(FailoverCluster.MODE_PROPERTY, "").trim();
        if (value.isEmpty()) {
            return Mode.AUTO;
        }
        try {
            return Mode.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("-D" + FailoverCluster.MODE_PROPERTY + "=" + value
                    + " is not a mode: use auto, required or off");
        }
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Mode mode = mode();
        if (mode == Mode.OFF) {
            return skip(context, "failover tests off (-D" + FailoverCluster.MODE_PROPERTY + "=off)");
        }
        Optional<String> reason = FailoverCluster.unavailableReason();
        if (reason.isEmpty()) {
            return ConditionEvaluationResult.enabled("pg_autoctl is installed");
        }
        if (mode == Mode.REQUIRED) {
            // run the tests, so that resolving the cluster fails with the reason
            return ConditionEvaluationResult.enabled("required: " + reason.get());
        }
        return skip(context, "failover tests skipped: " + reason.get());
    }

    private static ConditionEvaluationResult skip(ExtensionContext context, String reason) {
        if (context.getTestMethod().isEmpty()) {
            // once per class, on the console: surefire's report counts skips but does not say why
            System.out.println("[upsert-test] " + context.getDisplayName() + ": " + reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == FailoverCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(FailoverCluster.class,
                k -> FailoverCluster.start(), FailoverCluster.class);
    }
}
