package io.massmessage.relay.devstack;

import static io.massmessage.relay.testing.KafkaTestClient.header;
import static io.massmessage.relay.testing.KafkaTestClient.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.testing.EmbeddedKafka;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import io.massmessage.simulator.Latency;
import io.massmessage.simulator.ProviderSimulator;
import io.massmessage.simulator.SimulatorSettings;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * The one-command local run: a real Kafka broker (KRaft, in this JVM), the provider simulator, the
 * packaged service as a child process, and a sample feed; prints one line per outcome and a
 * summary. With {@code -Dlocal.stay=true} it then stays up for your own commands (kcat) until Ctrl-C.
 * Started by {@code ./mvnw -Plocal} (see the README).
 */
public final class LocalRun {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROW = "%-12s %-12s %-11s %-13s %-20s %8s %9s%n";

    private LocalRun() {}

    /** What the run saw. */
    record Summary(int sent, Map<String, Integer> outcomes, int deadLetters) {
        int total() {
            return outcomes.values().stream().mapToInt(Integer::intValue).sum() + deadLetters;
        }
    }

    public static void main(String[] args) throws Exception {
        boolean stay = Boolean.getBoolean("local.stay");
        int kafkaPort = Integer.getInteger("local.kafka.port", 9092);
        int simulatorPort = Integer.getInteger("local.simulator.port", 8089);
        Summary summary = run(System.out, kafkaPort, simulatorPort, stay, Duration.ofSeconds(180), bootstrap -> {});
        System.exit(summary.total() == summary.sent() ? 0 : 1);
    }

    /** Runs the whole stack; returns once the feed is answered (or, with {@code stay}, after Ctrl-C). */
    static Summary run(PrintStream out, int kafkaPort, int simulatorPort, boolean stay, Duration timeout,
            Consumer<String> beforeShutdown) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "local-run"));
        Path kafkaData = work.resolve("kafka");
        deleteTree(kafkaData);
        Vertx vertx = Vertx.vertx();
        EmbeddedKafka kafka = EmbeddedKafka.start(kafkaData, portOrFree(kafkaPort), 4);
        kafka.createTopics(4, Topics.COMMANDS, Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED,
                Topics.DEAD_LETTER);
        SimulatorSettings settings = new SimulatorSettings();
        settings.latency = new Latency.Uniform(50, 250);
        settings.serverErrorRate = 0.08;
        settings.perMinute.put("fansly", 16L);
        ProviderSimulator simulator = ProviderSimulator.start(vertx, portOrFree(simulatorPort), settings,
                Clock.systemUTC());
        simulator.deliver("fansmetric", "84000", "999");

        Map<String, String> props = ServiceProcess.against(kafka.bootstrapServers(), simulator);
        props.put("relay.rate-limit.max-wait", "5s");
        props.put("quarkus.http.port", String.valueOf(portOrFree(8080)));
        props.put("quarkus.log.category.\"io.massmessage\".level", "WARN");
        props.put("quarkus.log.console.json.enabled", "false"); // readable on a developer's screen; production writes JSON
        ServiceProcess service = ServiceProcess.start(props, work.resolve("service.log"));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopped.countDown();
            out.println();
            out.println("stopping: service, simulator, broker");
            shutdown(service, simulator, vertx, kafka);
        });
        Runtime.getRuntime().addShutdownHook(hook);

        out.println("mass-message-relay local run");
        out.printf("  broker     %s  (Apache Kafka %s, KRaft, data in %s)%n", kafka.bootstrapServers(),
                AppInfoParser.getVersion(), kafkaData);
        out.printf("  simulator  %s  (OnlyFansAPI, FansMetric, Fansly API; 8%% server errors; Fansly 16 req/min)%n",
                simulator.baseUrl());
        out.printf("  service    pid %d, http port %s, log %s%n", service.pid(), props.get("quarkus.http.port"),
                work.resolve("service.log"));

        String run = UUID.randomUUID().toString().substring(0, 6);
        List<Map.Entry<String, String>> feed = SampleFeed.commands(run);
        Map<String, Integer> outcomes = new TreeMap<>();
        int deadLetters = 0;
        try (KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers(), Topics.SUCCEEDED, Topics.FAILED,
                Topics.RATE_LIMITED, Topics.DEAD_LETTER)) {
            client.sendAll(Topics.COMMANDS, feed);
            out.printf("sent %d sample commands to %s (%d of them invalid)%n%n", feed.size(), Topics.COMMANDS,
                    SampleFeed.INVALID);
            out.printf(ROW, "PROVIDER", "ACCOUNT", "MESSAGE", "OUTCOME", "CATEGORY", "ATTEMPTS", "DURATION");
            long deadline = System.nanoTime() + timeout.toNanos();
            int printed = 0;
            boolean hinted = false;
            while (stopped.getCount() > 0 && service.isAlive()) {
                List<ConsumerRecord<byte[], byte[]>> seen = client.poll();
                for (; printed < seen.size(); printed++) {
                    ConsumerRecord<byte[], byte[]> record = seen.get(printed);
                    if (record.topic().equals(Topics.DEAD_LETTER)) {
                        deadLetters++;
                        out.printf("%-12s key=%-22s %s%n", "dead-letter", text(record.key()),
                                header(record, "dead-letter-reason"));
                    } else {
                        JsonNode event = JSON.readTree(record.value());
                        String category = event.path("error").path("category").asText("-");
                        outcomes.merge(event.path("outcome").asText() + (category.equals("-") ? "" : "/" + category), 1,
                                Integer::sum);
                        out.printf(ROW, event.path("provider").asText(), event.path("account").asText(),
                                event.path("messageId").asText(), event.path("outcome").asText(), category,
                                event.path("attempts").asText(), event.path("durationMs").asText() + " ms");
                    }
                }
                boolean answered = printed >= feed.size();
                if (!stay && (answered || System.nanoTime() > deadline)) {
                    break;
                }
                if (stay && answered && !hinted) {
                    hinted = true;
                    out.printf("%nthe sample feed is answered; the stack stays up. Send your own commands, e.g.:%n"
                            + "  echo 'fansly:fy_demo|{\"commandId\":\"mine-1\",\"provider\":\"fansly\",\"account\":\"fy_demo\","
                            + "\"messageId\":\"s1\",\"update\":{\"text\":\"hello\"}}' | kcat -P -b %s -t %s -K '|'%n"
                            + "  kcat -C -b %s -t %s -f '%%k %%s\\n'%n"
                            + "new outcomes print below; Ctrl-C stops everything.%n", kafka.bootstrapServers(),
                            Topics.COMMANDS,
                            kafka.bootstrapServers(), Topics.SUCCEEDED);
                }
            }
            if (!service.isAlive()) {
                out.println("the service stopped; see " + work.resolve("service.log"));
            }
            if (stay) {
                return new Summary(feed.size(), outcomes, deadLetters);
            }
        }
        Summary summary = new Summary(feed.size(), outcomes, deadLetters);
        out.println();
        out.printf("summary: %d commands -> %d outcomes %s, %d dead letters; simulator answered %d requests %s, "
                + "at most %d at once%n", summary.sent(), summary.total() - deadLetters, outcomes, deadLetters,
                simulator.counters().total(), simulator.counters().byProviderStatus(),
                simulator.counters().maxConcurrent());
        beforeShutdown.accept(kafka.bootstrapServers());
        Runtime.getRuntime().removeShutdownHook(hook);
        hook.run();
        return summary;
    }

    private static void shutdown(ServiceProcess service, ProviderSimulator simulator, Vertx vertx,
            EmbeddedKafka kafka) {
        try {
            service.stop();
        } catch (Exception ignored) {
            // already gone
        }
        simulator.close();
        vertx.close();
        kafka.close();
    }

    private static int portOrFree(int preferred) throws IOException {
        if (preferred == 0) {
            return EmbeddedKafka.freePort();
        }
        try (ServerSocket socket = new ServerSocket(preferred)) {
            return preferred;
        } catch (IOException taken) {
            return EmbeddedKafka.freePort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
