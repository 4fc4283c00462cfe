package io.massmessage.relay.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The fault suite's table: one row per scenario, appended to {@code docs/benchmarks/<run>-fault-suite.md} and
 * printed whole after each scenario, so the last scenario prints the table of the run (README "Delivery guarantees").
 */
final class FaultReport {

    /** One file per run of the suite (Maven sets {@code fault-suite.run} to the build's time). */
    static final Path FILE = Path.of("docs", "benchmarks",
            System.getProperty("fault-suite.run", "manual").replaceAll("[^0-9A-Za-z-]", "") + "-fault-suite.md");
    private static final String HEADER = "| scenario | commands | without outcome | duplicate outcomes | repeated calls | final state right | time |\n"
            + "|---|---:|---:|---:|---:|---|---:|\n";

    private FaultReport() {}

    /** One scenario's figures. */
    record Row(String scenario, long commands, long withoutOutcome, long duplicates, long repeatedCalls,
            String finalState, Duration time) {
        String markdown() {
            return String.format("| %s | %,d | %d | %d | %d | %s | %d min %02d s |%n", scenario, commands,
                    withoutOutcome,
                    duplicates, repeatedCalls, finalState, time.toMinutes(), time.toSecondsPart());
        }
    }

    static synchronized void add(Row row) {
        System.out.println("fault suite row: " + row.markdown().trim());
        try {
            Files.createDirectories(FILE.getParent());
            try {
                // scenarios run in two JVMs at once: whichever comes first writes the header
                Files.writeString(FILE,
                        "# Fault suite run\n\n`./mvnw verify -Pfaults`, " + LocalDate.now() + ", "
                                + Runtime.getRuntime().availableProcessors() + " cores, Java "
                                + System.getProperty("java.version") + "\n\n" + HEADER,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException written) {
                // the header is there
            }
            Files.writeString(FILE, row.markdown(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            System.out.println("\n" + Files.readString(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * "yes" when every message's last applied update is its newest command's, else how many are not and, for the
     * first of them, the updates it got in their order (its tail): a newest command never applied and an older one
     * applied after it read differently there.
     */
    static String finalState(Map<String, String> expected, Map<String, List<String>> applied) {
        List<String> wrong = expected.entrySet().stream().filter(e -> {
            List<String> updates = applied.get(e.getKey());
            return updates == null || updates.isEmpty() || !updates.get(updates.size() - 1).equals(e.getValue());
        }).map(Map.Entry::getKey).sorted().toList();
        if (wrong.isEmpty()) {
            return "yes (" + expected.size() + " messages)";
        }
        String first = wrong.get(0);
        List<String> updates = applied.getOrDefault(first, List.of());
        return "NO: " + wrong.size() + " of " + expected.size() + " messages (" + first + " expected "
                + expected.get(first) + ", got " + updates.subList(Math.max(0, updates.size() - 4), updates.size())
                + ")";
    }
}
