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

/**
 * The README's quick start and the code shown in docs/ are compiled code: every tagged region must appear in the page
 * verbatim.
 */
class ReadmeSnippetTest {

    @ParameterizedTest
    @CsvSource({
            "README.md, sample-app/src/main/java/dev/upsert/sample/Demo.java, quickstart-persist",
            "README.md, sample-app/src/main/java/dev/upsert/sample/Registration.java, quickstart-catch",
            "README.md, sample-app/src/main/java/dev/upsert/sample/Account.java, quickstart-entity",
            "docs/duplicate-keys.md, extension/src/test/java/dev/upsert/DuplicateKeyReadmeIT.java, signup"})
    void pageQuotesTheCompiledCode(String page, String file, String tag) throws IOException {
        // the module's tests run in sample-app/; pages and sources are named from the repository root
        String text = Files.readString(Path.of("..").resolve(page));
        String source = Files.readString(Path.of("..").resolve(file));
        Matcher region = Pattern.compile("//tag::" + tag + "\\[]\\n(.*?)[ \\t]*//end::" + tag + "\\[]", Pattern.DOTALL).matcher(source);
        int found = 0;
        while (region.find()) {
            found++;
            for (String line : dedent(region.group(1))) {
                if (!line.startsWith("/**")) {
                    assertThat(text).as("%s line from %s [%s]", page, file, tag).contains(line);
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
