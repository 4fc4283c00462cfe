package io.massmessage.relay.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's local-run entry point headless with its bounded sample feed and checks that
 * what it printed matches what the topics held.
 */
class LocalRunIT {

    @Test
    void printsOneLinePerCommandAndASummaryThatMatchesTheTopics() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Map<String, Integer> onTopics = new ConcurrentHashMap<>();
        LocalRun.Summary summary;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            summary = LocalRun.run(out, 0, 0, false, Duration.ofSeconds(120), bootstrap -> {
                try (KafkaTestClient reader = new KafkaTestClient(bootstrap, Topics.SUCCEEDED, Topics.FAILED,
                        Topics.RATE_LIMITED, Topics.DEAD_LETTER)) {
                    for (int i = 0; i < 10; i++) {
                        reader.poll();
                    }
                    onTopics.put("outcomes", reader.seen(r -> !r.topic().equals(Topics.DEAD_LETTER)).size());
                    onTopics.put("deadLetters", reader.seen(r -> r.topic().equals(Topics.DEAD_LETTER)).size());
                }
            });
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        int feed = SampleFeed.commands("x").size();
        assertThat(summary.sent()).isEqualTo(feed);
        assertThat(summary.total()).as("outcomes and dead letters read from the topics").isEqualTo(feed);
        assertThat(summary.deadLetters()).isEqualTo(SampleFeed.INVALID);
        assertThat(summary.outcomes()).containsEntry("failed/not_found", 1).containsEntry("failed/not_editable", 1);
        // every OnlyFansAPI and FansMetric update (24) and at least the first Fansly ones succeed; the Fansly
        // burst beyond the 16 a minute the simulator allows ends rate_limited
        assertThat(summary.outcomes().get("succeeded")).isGreaterThanOrEqualTo(25);
        assertThat(summary.outcomes().get("rate_limited")).isPositive();

        long outcomeLines = printed.lines().filter(l -> l.matches("^(onlyfansapi|fansmetric|fansly)\\s.*")).count();
        long deadLetterLines = printed.lines().filter(l -> l.startsWith("dead-letter ")).count();
        assertThat(outcomeLines + deadLetterLines).isEqualTo(feed);
        Matcher line = Pattern.compile("summary: (\\d+) commands -> (\\d+) outcomes .*, (\\d+) dead letters")
                .matcher(printed);
        assertThat(line.find()).as("summary line in:%n%s", printed).isTrue();
        assertThat(Integer.parseInt(line.group(1))).isEqualTo(feed);
        assertThat(Integer.parseInt(line.group(2))).isEqualTo(outcomeLines)
                .isEqualTo(summary.total() - summary.deadLetters());
        assertThat(Integer.parseInt(line.group(3))).isEqualTo(deadLetterLines).isEqualTo(summary.deadLetters());
        assertThat(onTopics).containsEntry("outcomes", Integer.parseInt(line.group(2)))
                .containsEntry("deadLetters", Integer.parseInt(line.group(3)));
    }
}
