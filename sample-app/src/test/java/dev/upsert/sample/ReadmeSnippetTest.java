package dev.upsert.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The README's quick start is this module's code: every tagged region must appear in it verbatim. */
class ReadmeSnippetTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/upsert/sample");

    @ParameterizedTest
    @CsvSource({"Demo.java, quickstart-persist", "Registration.java, quickstart-catch", "Account.java, quickstart-entity"})
    void quickStartQuotesTheCompiledCode(String file, String tag) throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        String source = Files.readString(SOURCES.resolve(file));
        Matcher region = Pattern.compile("//tag::" + tag + "\\[]\\n(.*?)[ \\t]*//end::" + tag + "\\[]", Pattern.DOTALL).matcher(source);
        int found = 0;
        while (region.find()) {
            found++;
            for (String line : dedent(region.group(1))) {
                if (!line.startsWith("/**")) {
                    assertThat(readme).as("README line from %s [%s]", file, tag).contains(line);
                }
            }
        }
        assertThat(found).as("tagged regions in " + file).isPositive();
    }

    private static List<String> dedent(String text) {
        List<String> lines = text.lines().toList();
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().filter(l -> !l.isBlank()).map(l -> l.substring(indent)).toList();
    }
}
