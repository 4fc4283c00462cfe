package io.massmessage.relay.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.massmessage.relay.testing.EmbeddedKafka;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import io.massmessage.simulator.ProviderSimulator;
import io.massmessage.simulator.SimulatorSettings;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged service exports a command's spans (continuing its traceparent) once an operator sets
 * the standard {@code OTEL_EXPORTER_OTLP_ENDPOINT}; a WireMock server stands in for the collector
 * (OTLP over HTTP/protobuf). Without the variable nothing is exported (the other tests run so). Its
 * log is production's: JSON lines, the command's ids and trace id in each line's MDC.
 */
class TraceExportIT {

    @Test
    void exportsTheSpansOfACommandsTraceToTheConfiguredCollector() throws Exception {
        Vertx vertx = Vertx.vertx();
        WireMockServer collector = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        collector.start();
        collector.stubFor(post(urlEqualTo("/v1/traces")).willReturn(aResponse().withStatus(200)));
        Path logs = Files.createDirectories(Path.of("target", "trace-test"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(1);
                ProviderSimulator simulator = ProviderSimulator.start(vertx, 0, new SimulatorSettings(),
                        Clock.systemUTC());
                KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers(), createTopics(kafka))) {
            Map<String, String> props = ServiceProcess.against(kafka.bootstrapServers(), simulator);
            props.put("quarkus.http.port", "0");
            props.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:" + collector.port());
            props.put("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
            props.put("quarkus.otel.bsp.schedule.delay", "200ms");
            props.put("quarkus.log.category.\"io.massmessage.relay.outcomes\".level", "INFO");
            String traceId = "0af7651916cd43dd8448eb211c80a6e1";
            try (ServiceProcess service = ServiceProcess.start(props, logs.resolve("run.log"))) {
                client.send(Topics.COMMANDS, key("onlyfansapi", "acct_trace"),
                        command("trace-1", "onlyfansapi", "acct_trace", "1", "{\"text\":\"x\"}"),
                        Map.of("traceparent", "00-" + traceId + "-b7ad6b7169203331-01"));
                await().atMost(Duration.ofSeconds(60)).until(() -> client.poll().stream()
                        .anyMatch(r -> KafkaTestClient.text(r.value()).contains("trace-1")));
                byte[] id = HexFormat.of().parseHex(traceId);
                byte[] processSpan = (Topics.COMMANDS + " process").getBytes(StandardCharsets.UTF_8);
                byte[] clientSpan = "PUT onlyfansapi".getBytes(StandardCharsets.UTF_8);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    var exports = collector.findAll(postRequestedFor(urlEqualTo("/v1/traces")));
                    long spans = exports.stream().mapToLong(request -> occurrences(request.getBody(), id)).sum();
                    // the command's process span and, under it, the provider call, both in the command's trace
                    assertThat(spans).isGreaterThanOrEqualTo(2);
                    assertThat(exports.stream().mapToLong(request -> occurrences(request.getBody(), processSpan)).sum())
                            .isEqualTo(1);
                    assertThat(exports.stream().mapToLong(request -> occurrences(request.getBody(), clientSpan)).sum())
                            .isEqualTo(1);
                });
                service.stop();
            }
            // production logs are JSON lines; the command's outcome line carries its ids and trace
            var mapper = new ObjectMapper();
            var outcomeLine = Files.readAllLines(logs.resolve("run.log")).stream()
                    .filter(l -> l.startsWith("{") && l.contains("outcome succeeded")).findFirst()
                    .orElseThrow(() -> new AssertionError("no JSON outcome line in " + logs.resolve("run.log")));
            var json = mapper.readTree(outcomeLine);
            assertThat(json.path("level").asText()).isEqualTo("INFO");
            assertThat(json.at("/mdc/commandId").asText()).isEqualTo("trace-1");
            assertThat(json.at("/mdc/provider").asText()).isEqualTo("onlyfansapi");
            assertThat(json.at("/mdc/account").asText()).isEqualTo("acct_trace");
            assertThat(json.at("/mdc/traceId").asText()).isEqualTo(traceId);
        } finally {
            collector.stop();
            vertx.close();
        }
    }

    private static String[] createTopics(EmbeddedKafka kafka) {
        kafka.createTopics(1, Topics.COMMANDS, Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED,
                Topics.DEAD_LETTER);
        return new String[]{Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED};
    }

    private static long occurrences(byte[] haystack, byte[] needle) {
        long count = 0;
        outer : for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            count++;
        }
        return count;
    }
}
