package io.massmessage.relay.e2e;

import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;
import static io.massmessage.relay.testing.KafkaTestClient.header;
import static io.massmessage.relay.testing.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.RelayTestEnvironment;
import io.massmessage.relay.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A failure injected at each stage of the pipeline (validation, building the request, reading the
 * answer, publishing the outcome) ends that command as an outcome or a dead letter naming the stage,
 * and the commands after it on the same partition are still answered; health stays UP.
 */
@QuarkusTest
@QuarkusTestResource(RelayTestEnvironment.class)
@TestProfile(PipelineFaultInjectionTest.WithFaultyProvider.class)
class PipelineFaultInjectionTest {

    /** Enables the {@code faulty} provider. */
    public static class WithFaultyProvider implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mmr-test.faulty-provider", "true", "relay.retry.max-attempts", "2");
        }
    }

    @TestHTTPResource("/q/health/live")
    URL live;

    @Test
    void aFailureAtAnyStageEndsOnlyItsOwnCommand() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String account = "fy" + run;
        String key = key("fansly", account);
        try (KafkaTestClient kafka = new KafkaTestClient(RelayTestEnvironment.kafka().bootstrapServers(),
                Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED, Topics.DEAD_LETTER)) {
            List<String> stages = List.of(FaultyAdapter.IN_CHECK, FaultyAdapter.IN_REQUEST, FaultyAdapter.IN_INTERPRET,
                    FaultyAdapter.HUGE_OUTCOME);
            for (int i = 0; i < stages.size(); i++) {
                String stage = stages.get(i);
                // one at a time: the faulty adapter tells stages apart by the last account it built a request for
                kafka.send(Topics.COMMANDS, key, command(run + "-" + stage, "faulty", stage + "-" + run, "m" + i,
                        "{\"text\":\"x\"}"));
                int answered = i + 1;
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    kafka.poll();
                    return answers(kafka, run).size() == answered;
                });
                kafka.send(Topics.COMMANDS, key,
                        command(run + "-ok" + i, "fansly", account, "v" + i, "{\"text\":\"ok\"}"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    kafka.poll();
                    return okOutcomes(kafka, run).size() == answered;
                });
            }

            ConsumerRecord<byte[], byte[]> check = answerOf(kafka, run, FaultyAdapter.IN_CHECK);
            assertThat(check.topic()).isEqualTo(Topics.DEAD_LETTER);
            assertThat(header(check, "dead-letter-cause")).isEqualTo("invalid");
            assertThat(header(check, "dead-letter-reason"))
                    .isEqualTo("payload: could not be validated (IllegalStateException)");

            ConsumerRecord<byte[], byte[]> request = answerOf(kafka, run, FaultyAdapter.IN_REQUEST);
            assertThat(request.topic()).isEqualTo(Topics.DEAD_LETTER);
            assertThat(header(request, "dead-letter-cause")).isEqualTo("internal");
            assertThat(header(request, "dead-letter-reason"))
                    .isEqualTo("the relay could not process this command (IllegalArgumentException)");

            ConsumerRecord<byte[], byte[]> interpret = answerOf(kafka, run, FaultyAdapter.IN_INTERPRET);
            assertThat(interpret.topic()).as("an answer that cannot be read is a transient fault")
                    .isEqualTo(Topics.FAILED);
            assertThat(text(interpret.value())).contains("\"category\":\"unavailable\"")
                    .contains("IllegalStateException");

            ConsumerRecord<byte[], byte[]> huge = answerOf(kafka, run, FaultyAdapter.HUGE_OUTCOME);
            assertThat(huge.topic()).isEqualTo(Topics.DEAD_LETTER);
            assertThat(header(huge, "dead-letter-cause")).isEqualTo("unpublished");
            assertThat(header(huge, "dead-letter-reason"))
                    .startsWith(
                            "its outcome could not be published: the succeeded topic refused the outcome (RecordTooLargeException)");

            assertThat(okOutcomes(kafka, run)).hasSize(stages.size())
                    .allSatisfy(r -> assertThat(r.topic()).isEqualTo(Topics.SUCCEEDED));
            assertThat(answers(kafka, run)).as("exactly one answer per injected failure").hasSize(stages.size());
        }
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(live.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    }

    private static List<ConsumerRecord<byte[], byte[]>> answers(KafkaTestClient kafka, String run) {
        return kafka.seen(r -> r.value() != null && text(r.value()).contains("\"" + run + "-throw")
                || r.value() != null && text(r.value()).contains("\"" + run + "-huge"));
    }

    private static ConsumerRecord<byte[], byte[]> answerOf(KafkaTestClient kafka, String run, String stage) {
        return kafka.seen(r -> r.value() != null && text(r.value()).contains("\"" + run + "-" + stage + "\"")).get(0);
    }

    private static List<ConsumerRecord<byte[], byte[]>> okOutcomes(KafkaTestClient kafka, String run) {
        return kafka.seen(r -> !r.topic().equals(Topics.DEAD_LETTER) && text(r.value()).contains("\"" + run + "-ok"));
    }
}
