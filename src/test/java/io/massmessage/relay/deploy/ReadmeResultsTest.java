package io.massmessage.relay.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's result tables are the newest runs': the Delivery guarantees table is the table of the newest
 * {@code docs/benchmarks/<yyyyMMdd-HHmmss>-fault-suite.md} (written by {@code ./mvnw verify -Pfaults}), the
 * Benchmark table that of the newest {@code docs/benchmarks/<yyyyMMdd-HHmmss>-bench.md} (written by
 * {@code ./mvnw -Pbench}), and the README names that file.
 */
class ReadmeResultsTest {

    private static final Path RESULTS = Path.of("docs", "benchmarks");

    @ParameterizedTest
    @ValueSource(strings = {"fault-suite", "bench"})
    void theReadmesTableIsTheNewestRunsTable(String kind) throws IOException {
        Path newest = newest(kind);
        String readme = Files.readString(Path.of("README.md"));
        String marker = kind + "-table";
        int start = readme.indexOf("<!-- " + marker + " -->");
        int end = readme.indexOf("<!-- /" + marker + " -->");
        assertThat(start).as("README marks its %s table", kind).isNotNegative();
        assertThat(end).isGreaterThan(start);
        List<String> inReadme = table(readme.substring(start, end));
        assertThat(inReadme).as("README's %s table", kind).isNotEmpty();
        assertThat(inReadme).as("README's %s table against %s", kind, newest)
                .containsExactlyElementsOf(table(Files.readString(newest)));
        assertThat(readme).as("README names the run its table is from")
                .contains("docs/benchmarks/" + newest.getFileName());
    }

    private static Path newest(String kind) throws IOException {
        Pattern name = Pattern.compile("\\d{8}-\\d{6}-" + Pattern.quote(kind) + "\\.md");
        try (Stream<Path> files = Files.list(RESULTS)) {
            return files.filter(file -> name.matcher(file.getFileName().toString()).matches()).sorted()
                    .reduce((older, newer) -> newer)
                    .orElseThrow(() -> new AssertionError("no run in " + RESULTS + " matches " + name));
        }
    }

    /** The first Markdown table in {@code text}, row by row. */
    private static List<String> table(String text) {
        List<String> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("|")) {
                rows.add(line.strip());
            } else if (!rows.isEmpty()) {
                break;
            }
        }
        return rows;
    }
}
