package io.massmessage.relay.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.massmessage.relay.testing.Commands;
import io.massmessage.relay.testing.EmbeddedKafka;
import io.massmessage.relay.testing.HttpProbe;
import io.massmessage.relay.testing.OutcomeRecords;
import io.massmessage.relay.testing.ProcessStack;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's {@code prometheus}, which {@code .ci/run} installs) scrapes the packaged service's
 * {@code /q/metrics}: the target is up, every query of the Grafana dashboard ({@code deploy/grafana-dashboard.json})
 * evaluates and returns series, and every alert expression of {@code deploy/prometheus-rules.yaml} evaluates.
 * Skipped, saying so, where no {@code prometheus} is on the PATH.
 */
class PrometheusScrapeIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void prometheusScrapesTheServiceAndEveryDashboardQueryAndAlertEvaluates() throws Exception {
        assumeTrue(onPath("prometheus"),
                "prometheus is not on the PATH (.ci/run installs Debian's prometheus): not run");
        var settings = OutcomeRecords.unlimitedProviders();
        settings.serverErrorRate = 0.2; // retries and failed outcomes, for their panels
        try (ProcessStack stack = ProcessStack.start(settings, "prometheus-test")) {
            int port = EmbeddedKafka.freePort();
            Map<String, String> props = stack.serviceProperties();
            props.put("quarkus.http.port", String.valueOf(port));
            props.put("relay.retry.max-attempts", "2"); // with 20 % of answers 500, some retries and some failed outcomes
            List<Map.Entry<String, String>> feed = new ArrayList<>();
            String[][] targets = {{"onlyfansapi", "acct_prom"}, {"fansmetric", "4242"}, {"fansly", "fyprom"}};
            for (int i = 0; i < 300; i++) {
                String[] t = targets[i % 3];
                String messageId = t[0].equals("fansmetric") ? String.valueOf(900 + i % 10) : "m" + (i % 10);
                feed.add(Map.entry(Commands.key(t[0], t[1]),
                        Commands.command("prom-" + i, t[0], t[1], messageId, "{\"text\":\"x\"}")));
            }
            feed.add(Map.entry(Commands.key("fansly", "fyprom"), "not json"));
            stack.client().sendAll(Topics.COMMANDS, feed);

            Path dir = Files.createDirectories(stack.logs().resolve("prometheus"));
            int prometheusPort = EmbeddedKafka.freePort();
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: relay
                        metrics_path: /q/metrics
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                    """.formatted(port));
            try (ServiceProcess service = ServiceProcess.start(props, stack.logs().resolve("service.log"))) {
                assertThat(HttpProbe.await(port, "/q/health/ready", 200, Duration.ofSeconds(60))).isTrue();
                Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + prometheusPort)
                        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!"1".equals(firstValue(query(prometheusPort, "up{job=\"relay\"}")))
                            && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                    }
                    assertThat(firstValue(query(prometheusPort, "up{job=\"relay\"}"))).as("the relay target is up")
                            .isEqualTo("1");
                    while (OutcomeRecords.distinctCommandIds(stack.client()).size() < 300
                            && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                    }
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(6)); // a few scrapes after the work, for rate()

                    List<String> dashboard = new ArrayList<>();
                    JSON.readTree(Path.of("deploy", "grafana-dashboard.json").toFile()).findValues("expr")
                            .forEach(expr -> dashboard.add(expr.asText()));
                    assertThat(dashboard).isNotEmpty();
                    for (String expr : dashboard) {
                        JsonNode answer = query(prometheusPort, expr);
                        assertThat(answer.path("status").asText()).as("%s: %s", expr, answer).isEqualTo("success");
                        assertThat(answer.at("/data/result")).as("series for the dashboard's %s", expr).isNotEmpty();
                    }
                    JsonNode rules = new ObjectMapper(new YAMLFactory())
                            .readTree(Path.of("deploy", "prometheus-rules.yaml").toFile());
                    List<String> alerts = new ArrayList<>();
                    rules.at("/groups").forEach(
                            group -> group.path("rules").forEach(rule -> alerts.add(rule.path("expr").asText())));
                    assertThat(alerts).hasSize(5);
                    for (String expr : alerts) {
                        JsonNode answer = query(prometheusPort, expr);
                        assertThat(answer.path("status").asText()).as("%s: %s", expr, answer).isEqualTo("success");
                    }
                    System.out.printf(
                            "prometheus test: target up; %d dashboard queries with series, %d alert expressions evaluated%n",
                            dashboard.size(), alerts.size());
                } finally {
                    prometheus.destroy();
                    prometheus.waitFor(10, TimeUnit.SECONDS);
                }
                service.stop();
            }
        }
    }

    private static JsonNode query(int port, String expr) {
        String body = HttpProbe.body(port, "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        try {
            return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createObjectNode().put("error", body);
        }
    }

    private static String firstValue(JsonNode answer) {
        JsonNode result = answer.at("/data/result/0/value/1");
        return result.isMissingNode() ? null : result.asText();
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
