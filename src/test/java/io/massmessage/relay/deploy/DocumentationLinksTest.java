package io.massmessage.relay.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the project's Markdown files leads to a file or folder of the repository: none leaves it,
 * none is broken. The README stays an entrance.
 */
class DocumentationLinksTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everyRelativeLinkStaysInTheRepositoryAndLeadsSomewhere() throws IOException {
        List<String> wrong = new ArrayList<>();
        int links = 0;
        for (Path document : documents()) {
            Matcher link = LINK.matcher(Files.readString(document));
            while (link.find()) {
                String target = link.group(1);
                if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("#")
                        || target.startsWith("mailto:")) {
                    continue;
                }
                links++;
                String path = target.replaceFirst("#.*$", "");
                Path resolved = document.getParent().resolve(path).toAbsolutePath().normalize();
                if (!resolved.startsWith(ROOT)) {
                    wrong.add(ROOT.relativize(document) + ": " + target + " leaves the repository");
                } else if (!Files.exists(resolved)) {
                    wrong.add(ROOT.relativize(document) + ": " + target + " does not exist");
                }
            }
        }
        assertThat(links).as("relative links found").isGreaterThan(20);
        assertThat(wrong).isEmpty();
    }

    @Test
    void theReadmeIsAnEntranceOfAtMostTwoHundredLines() throws IOException {
        assertThat(Files.readAllLines(ROOT.resolve("README.md"))).hasSizeLessThanOrEqualTo(200);
    }

    private static List<Path> documents() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            // what the build, npm and git write is not the project's documentation
            return files.filter(file -> file.toString().endsWith(".md"))
                    .filter(file -> !file.toString().matches(".*/(target|node_modules|\\.git)/.*")).toList();
        }
    }
}
