package dev.upsert.testing;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules every module's test suite checks on that module's MAIN classes (issue 23: the packages of every
 * artifact form a directed acyclic graph).
 * <pre>{@code
 * @Test
 * void packagesFormNoCycle() {
 *     Architecture.assertNoPackageCycles("dev.upsert", UpsertAutoConfiguration.class);
 * }
 * }</pre>
 * The classes are read from where {@code mainClass} was loaded (the module's {@code target/classes}, or its jar), so
 * test classes and the other modules' jars on the class path are never part of the picture.
 */
public final class Architecture {

    private Architecture() {
    }

    /**
     * Fails when the packages under {@code rootPackage} (itself included) import each other in a loop, naming the
     * classes of each cycle.
     *
     * @param rootPackage the root of the packages checked, e.g. {@code dev.upsert}
     * @param mainClass   any class of the module's main code: its code source is what is imported
     */
    public static void assertNoPackageCycles(String rootPackage, Class<?> mainClass) {
        JavaClasses classes = mainClasses(mainClass);
        slices().assignedFrom(eachPackageUnder(rootPackage))
                .should().beFreeOfCycles()
                .allowEmptyShould(true)
                .check(classes);
    }

    /**
     * Fails when a package uses one drawn above it, or when a package under the root stands on no floor (a new
     * package must be placed in the drawing). Each floor is one package, exactly (not its subpackages); a floor may
     * use any floor below it.
     *
     * @param mainClass            any class of the module's main code
     * @param floorsTopToBottom    package names, the top floor first
     */
    public static void assertFloors(Class<?> mainClass, String rootPackage, String... floorsTopToBottom) {
        JavaClasses classes = mainClasses(mainClass);
        Set<String> unplaced = new TreeSet<>();
        for (JavaClass c : classes) {
            String p = c.getPackageName();
            if ((p.equals(rootPackage) || p.startsWith(rootPackage + ".")) && !Arrays.asList(floorsTopToBottom).contains(p)) {
                unplaced.add(p);
            }
        }
        if (!unplaced.isEmpty()) {
            throw new AssertionError("Packages on no floor (add them to the drawing, docs/architecture.md, and to "
                    + "this test): " + unplaced);
        }
        LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String floor : floorsTopToBottom) {
            layers = layers.layer(floor).definedBy(floor);
        }
        for (int i = 1; i < floorsTopToBottom.length; i++) {
            List<String> above = new ArrayList<>(Arrays.asList(floorsTopToBottom).subList(0, i));
            layers = layers.whereLayer(floorsTopToBottom[i]).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
        }
        layers.whereLayer(floorsTopToBottom[0]).mayNotBeAccessedByAnyLayer()
                .check(classes);
    }

    /** The module's main classes: everything under the code source (directory or jar) that loaded {@code mainClass}. */
    public static JavaClasses mainClasses(Class<?> mainClass) {
        CodeSource source = mainClass.getProtectionDomain().getCodeSource();
        if (source == null) {
            throw new IllegalArgumentException(mainClass + " has no code source");
        }
        try {
            Path location = Path.of(source.getLocation().toURI());
            if (Files.isRegularFile(location)) {
                // a packaged module (hibernate-lines runs the extension's tests against its jar): importPath would
                // look for class files beside the jar and find none, leaving every floor empty
                try (JarFile jar = new JarFile(location.toFile())) {
                    return new ClassFileImporter().importJar(jar);
                }
            }
            return new ClassFileImporter().importPath(location);
        } catch (URISyntaxException | IOException e) {
            throw new IllegalArgumentException(source.getLocation().toString(), e);
        }
    }

    /** One slice per package under (and including) {@code root}; classes outside it belong to none. */
    private static SliceAssignment eachPackageUnder(String root) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String p = javaClass.getPackageName();
                return p.equals(root) || p.startsWith(root + ".") ? SliceIdentifier.of(p) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "packages under " + root;
            }
        };
    }
}
