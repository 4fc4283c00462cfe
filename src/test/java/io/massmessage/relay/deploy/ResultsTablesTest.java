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
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The documented result tables are the newest runs': the table of {@code docs/delivery-guarantees.md} is the table
 * of the newest {@code docs/benchmarks/<yyyyMMdd-HHmmss>-fault-suite.md} (written by {@code ./mvnw verify -Pfaults}),
 * the benchmark table of {@code docs/benchmarks/README.md} that of the newest
 * {@code docs/benchmarks/<yyyyMMdd-HHmmss>-bench.md} (written by {@code ./mvnw -Pbench}), and each names its file.
 */
class ResultsTablesTest {

    private static final Path RESULTS = Path.of("docs", "benchmarks");

    @ParameterizedTest
    @CsvSource({"fault-suite, docs/delivery-guarantees.md, benchmarks/", "bench, docs/benchmarks/README.md, ''"})
    void theDocumentedTableIsTheNewestRunsTable(String kind, String document, String linkPrefix) throws IOException {
        Path newest = newest(kind);
        String readme = Files.readString(Path.of(document));
        String marker = kind + "-table";
        int start = readme.indexOf("<!-- " + marker + " -->");
        int end = readme.indexOf("<!-- /" + marker + " -->");
        assertThat(start).as("%s marks its %s table", document, kind).isNotNegative();
        assertThat(end).isGreaterThan(start);
        List<String> inReadme = table(readme.substring(start, end));
        assertThat(inReadme).as("%s's %s table", document, kind).isNotEmpty();
        assertThat(inReadme).as("%s's %s table against %s", document, kind, newest)
                .containsExactlyElementsOf(table(Files.readString(newest)));
        assertThat(readme).as("%s names the run its table is from", document)
                .contains("](" + linkPrefix + newest.getFileName() + ")");
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
