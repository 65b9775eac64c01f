package dev.upsert.testing.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A build step (run by exec-maven-plugin at generate-test-sources): copies test source files into another package of
 * a generated source root, changing only their {@code package} line. The extension's suite uses it to compile its
 * lifecycle tests a second time, in a package whose entities the build then bytecode-enhances, so one source runs
 * against plain and enhanced entities.
 * <p>
 * Arguments: the source folder, the generated source root, the target package, then the file names to copy (each
 * argument may list several, comma-separated: the modules that copy the same tests pass one shared property).
 */
public final class CopyIntoPackage {

    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+[\\w.]+\\s*;");

    private CopyIntoPackage() {
    }

    public static void main(String[] args) {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: CopyIntoPackage <source folder> <generated root> <package> <file>...");
        }
        Path from = Path.of(args[0]);
        Path to = Path.of(args[1]).resolve(args[2].replace('.', '/'));
        try {
            Files.createDirectories(to);
            // a file dropped from the list must not keep compiling from an earlier build's copy
            try (var stale = Files.list(to)) {
                for (Path file : stale.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Files.delete(file);
                }
            }
            for (int i = 3; i < args.length; i++) {
                for (String name : args[i].split(",")) {
                    String file = name.strip();
                    if (file.isEmpty()) {
                        continue;
                    }
                    String source = Files.readString(from.resolve(file), StandardCharsets.UTF_8);
                    Matcher line = PACKAGE.matcher(source);
                    if (!line.find()) {
                        throw new IllegalStateException(file + " has no package line");
                    }
                    String copy = source.substring(0, line.start()) + "package " + args[2] + ";" + source.substring(line.end());
                    Files.writeString(to.resolve(file), copy, StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
