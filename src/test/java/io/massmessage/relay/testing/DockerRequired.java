package io.massmessage.relay.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * With {@code -Ptestcontainers} (which registers this condition), every test is skipped, saying why, where no
 * Docker engine answers (as on the machines this project is built on), instead of failing at the first
 * container. Outside that profile it enables everything. Testcontainers is looked up by name: the default
 * build does not have it.
 */
public final class DockerRequired implements ExecutionCondition {

    private static volatile Boolean available;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!"testcontainers".equals(System.getProperty("mmr-test.broker"))) {
            return ConditionEvaluationResult.enabled("the in-JVM broker");
        }
        if (available == null) {
            available = dockerAvailable();
            if (!available) {
                System.err.println("testcontainers profile: no Docker engine answers; every test is skipped");
            }
        }
        return available ? ConditionEvaluationResult.enabled("a Docker engine answers")
                : ConditionEvaluationResult
                        .disabled("no Docker engine answers: the testcontainers profile runs the end-to-end "
                                + "tests against a Kafka container and needs one; ./mvnw verify uses the in-JVM broker instead");
    }

    private static boolean dockerAvailable() {
        try {
            Class<?> factory = Class.forName("org.testcontainers.DockerClientFactory");
            Object instance = factory.getMethod("instance").invoke(null);
            return (Boolean) factory.getMethod("isDockerAvailable").invoke(instance);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }
}
