package io.massmessage.relay.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.simulator.Latency;
import io.massmessage.simulator.SimulatorSettings;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The outcome records a {@link KafkaTestClient} has read, by command id, for process-level tests. */
public final class OutcomeRecords {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OutcomeRecords() {}

    /** Simulator settings for process tests: 20–60 ms latency and budgets no test reaches. */
    public static SimulatorSettings unlimitedProviders() {
        var settings = new SimulatorSettings();
        settings.latency = new Latency.Uniform(20, 60);
        settings.perMinute.replaceAll((k, v) -> 10_000_000L);
        settings.perDay.replaceAll((k, v) -> 1_000_000_000L);
        return settings;
    }

    /** Creates the five topics with {@code partitions} each; returns the result topics to read. */
    public static String[] createTopics(TestBroker kafka, int partitions) {
        kafka.createTopics(partitions, Topics.COMMANDS, Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED,
                Topics.DEAD_LETTER);
        return new String[]{Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED, Topics.DEAD_LETTER};
    }

    /** The command id of every outcome record read so far, duplicates included (polls first). */
    public static List<String> commandIds(KafkaTestClient client) {
        return client.poll().stream().filter(r -> !r.topic().equals(Topics.DEAD_LETTER))
                .map(r -> commandId(KafkaTestClient.text(r.value()))).collect(Collectors.toList());
    }

    public static Set<String> distinctCommandIds(KafkaTestClient client) {
        return Set.copyOf(commandIds(client));
    }

    private static String commandId(String json) {
        try {
            return JSON.readTree(json).path("commandId").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
