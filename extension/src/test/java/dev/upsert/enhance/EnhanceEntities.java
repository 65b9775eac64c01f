package dev.upsert.enhance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.hibernate.bytecode.enhance.spi.DefaultEnhancementContext;
import org.hibernate.bytecode.enhance.spi.Enhancer;
import org.hibernate.bytecode.enhance.spi.UnloadedClass;
import org.hibernate.bytecode.enhance.spi.UnloadedField;
import org.hibernate.bytecode.internal.bytebuddy.BytecodeProviderImpl;

/**
 * A build step (run by exec-maven-plugin at process-test-classes, on the module's test class path, so each module
 * uses the enhancer of the Hibernate it compiles against): bytecode-enhances, in place, the entity classes of one
 * compiled test package, as hibernate-maven-plugin or Quarkus would: dirty tracking and lazy initialization on,
 * association management and extended enhancement off (their defaults). Classes enhanced already are left alone.
 * <p>
 * Arguments: the test classes folder, the package. Fails when it enhanced nothing, so a broken step cannot pass as an
 * enhanced run.
 */
public final class EnhanceEntities {

    private EnhanceEntities() {
    }

    public static void main(String[] args) {
        Path classes = Path.of(args[0]);
        Path folder = classes.resolve(args[1].replace('.', '/'));
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Enhancer enhancer = new BytecodeProviderImpl().getEnhancer(new DefaultEnhancementContext() {
            @Override
            public ClassLoader getLoadingClassLoader() {
                return loader;
            }

            @Override
            public boolean doBiDirectionalAssociationManagement(UnloadedField field) {
                return false;
            }

            @Override
            public boolean doDirtyCheckingInline(UnloadedClass classDescriptor) {
                return true;
            }

            @Override
            public boolean hasLazyLoadableAttributes(UnloadedClass classDescriptor) {
                return true;
            }

            @Override
            public boolean doExtendedEnhancement(UnloadedClass classDescriptor) {
                return false;
            }
        });
        boolean already = alreadyEnhanced(folder);
        int enhanced = 0;
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> classFiles = files.filter(f -> f.toString().endsWith(".class")).sorted().toList();
            for (Path file : classFiles) {
                String name = args[1] + "." + file.getFileName().toString().replace(".class", "");
                byte[] result = enhancer.enhance(name, Files.readAllBytes(file));
                if (result != null) {
                    Files.write(file, result);
                    enhanced++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (enhanced == 0 && !already) {
            throw new IllegalStateException("no entity class was enhanced in " + folder);
        }
        System.out.println("[enhance] " + enhanced + " classes enhanced in " + args[1] + (already ? " (some were already)" : ""));
    }

    /** A second run of the step (an incremental build) finds the classes enhanced already: the marker is in the bytes. */
    private static boolean alreadyEnhanced(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                if (new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1).contains("$$_hibernate_getEntityInstance")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
