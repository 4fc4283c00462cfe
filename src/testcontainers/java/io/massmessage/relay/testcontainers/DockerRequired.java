package io.massmessage.relay.testcontainers;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * With {@code -Ptestcontainers}, every test is skipped, saying why, where no Docker engine answers (as on the
 * machines this project is built on), instead of failing at the first container.
 */
public final class DockerRequired implements ExecutionCondition {

    private static volatile Boolean available;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (available == null) {
            available = DockerClientFactory.instance().isDockerAvailable();
            if (!available) {
                System.err.println("testcontainers profile: no Docker engine answers; every test is skipped");
            }
        }
        return available ? ConditionEvaluationResult.enabled("a Docker engine answers")
                : ConditionEvaluationResult.disabled("no Docker engine answers: the testcontainers profile runs the end-to-end "
                        + "tests against a Kafka container and needs one; ./mvnw verify uses the in-JVM broker instead");
    }
}
