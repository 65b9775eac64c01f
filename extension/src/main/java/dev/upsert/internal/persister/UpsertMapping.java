package dev.upsert.internal.persister;

import dev.upsert.internal.compat.HibernateAccess;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.hibernate.annotations.CreationTimestamp;
import org.hibernate.annotations.TenantId;
import org.hibernate.annotations.UpdateTimestamp;
import org.hibernate.mapping.BasicValue;
import org.hibernate.mapping.Collection;
import org.hibernate.mapping.Column;
import org.hibernate.mapping.Component;
import org.hibernate.mapping.Join;
import org.hibernate.mapping.JoinedSubclass;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.mapping.Property;
import org.hibernate.mapping.RootClass;
import org.hibernate.mapping.ToOne;
import org.hibernate.mapping.UnionSubclass;
import org.hibernate.mapping.UniqueKey;
import org.hibernate.mapping.Value;

import dev.upsert.Upsert;

/**
 * An {@link Upsert} annotation checked against Hibernate's boot model and resolved to attribute names: which
 * attributes form the key and which are overwritten on conflict. Every problem found is added to a list, so the
 * caller can report all mistakes of all entities at once.
 */
public final class UpsertMapping {

    final String entityName;
    public final Upsert annotation;
    /** Attribute paths of the conflict target; empty when {@link Upsert#constraint()} names it. */
    public final List<String> keyPaths;
    /** Top-level attribute names overwritten by DO UPDATE (never the id, the version, the key or insert-only ones). */
    public final Set<String> overwritten;
    /** Top-level attributes whose value is generated as "now" on update; left out of the unchanged-check. */
    public final Set<String> updateTimestamps;
    /** The {@code @TenantId} attribute, or null: every conflict and read-back is confined to the session's tenant. */
    public final String tenantAttribute;
    /**
     * The entity is one of a SINGLE_TABLE hierarchy: its insert writes the discriminator, and every conflict and
     * read-back is confined to rows of its own discriminator value (a key held by another entity type is taken).
     */
    public final boolean discriminated;

    private UpsertMapping(String entityName, Upsert annotation, List<String> keyPaths, Set<String> overwritten,
                          Set<String> updateTimestamps, String tenantAttribute, boolean discriminated) {
        this.entityName = entityName;
        this.annotation = annotation;
        this.keyPaths = keyPaths;
        this.overwritten = overwritten;
        this.updateTimestamps = updateTimestamps;
        this.tenantAttribute = tenantAttribute;
        this.discriminated = discriminated;
    }

    /**
     * The entity's {@code @Upsert}: its own, else its root entity's. {@code @Upsert} on the root of an inheritance
     * hierarchy applies to every entity of it, as {@code @Inheritance} and {@code @Table} on the root do.
     */
    public static Upsert annotationOf(PersistentClass model) {
        Class<?> mapped = model.getMappedClass();
        Upsert own = mapped == null ? null : mapped.getAnnotation(Upsert.class);
        if (own != null || model.getSuperclass() == null) {
            return own;
        }
        Class<?> root = model.getRootClass().getMappedClass();
        return root == null ? null : root.getAnnotation(Upsert.class);
    }

    /** Resolves and checks the entity's {@code @Upsert}; returns null when a problem was added. */
    public static UpsertMapping analyze(PersistentClass model, List<String> problems) {
        Upsert upsert = annotationOf(model);
        String entity = simpleName(model);
        int before = problems.size();
        RootClass root = model.getRootClass();
        boolean hierarchy = model != root || model.hasSubclasses();
        String prefix = "@Upsert on " + (model == root ? entity : simpleName(root) + " (entity " + entity + ")") + ": ";
        // What the root's annotation and attributes get wrong is the root's to report, once, not once per subclass.
        List<String> rootProblems = model == root ? problems : new ArrayList<>();

        if (hierarchy) {
            String misplaced = misplacedInHierarchy(model, root);
            if (misplaced != null) {
                problems.add(misplaced);
                return null;
            }
            String refused = unsupportedInheritance(root);
            if (refused != null) {
                rootProblems.add("@Upsert on " + simpleName(root) + ": " + refused);
            }
            if (model.isDiscriminatorValueNull() || model.isDiscriminatorValueNotNull()) {
                problems.add(prefix + "@DiscriminatorValue(\"" + model.getDiscriminatorValue() + "\") is not supported: a "
                        + "conflict is confined to rows of the entity's own discriminator value, and this one matches "
                        + (model.isDiscriminatorValueNull() ? "NULL" : "any value") + "; give " + entity + " a value of its own");
            }
        }
        // Hibernate 7.4's temporal and audited entities (incubating) write history rows and columns of their own,
        // which the upsert would leave out; named, not referenced, since 6.6 to 7.3 lack them.
        for (String history : List.of("org.hibernate.annotations.Temporal", "org.hibernate.annotations.Audited")) {
            if (annotatedWith(model.getMappedClass(), history)) {
                problems.add(prefix + "@" + history.substring(history.lastIndexOf('.') + 1) + " (Hibernate's own history of "
                        + "each row) is not supported: the upsert writes the current row only, and the history would miss "
                        + "its changes; remove @Upsert or the annotation");
            }
        }
        if (model.getJoinClosureSpan() > 0) {
            List<String> secondary = new ArrayList<>();
            for (Join join : model.getJoinClosure()) {
                secondary.add(join.getTable().getName() + " (" + join.getProperties().stream().map(Property::getName)
                        .collect(Collectors.joining(", ")) + ")");
            }
            problems.add(prefix + "secondary tables are not supported: " + String.join("; ", secondary)
                    + "; map the entity to one table");
        }
        if (model.useDynamicInsert()) {
            problems.add(prefix + "@DynamicInsert is not supported (the upsert statement always lists every column); remove it");
        }
        // The upsert statement is the insert, and its DO UPDATE the update: custom SQL for either would be ignored.
        if (model.getCustomSQLInsert() != null) {
            problems.add(prefix + "@SQLInsert is not supported: the upsert statement replaces the entity's insert, so the "
                    + "custom SQL would be ignored; remove @SQLInsert (or @Upsert)");
        }
        if (model.getCustomSQLUpdate() != null) {
            problems.add(prefix + "@SQLUpdate is not supported: a conflict updates the stored row with the upsert statement's "
                    + "DO UPDATE, not the custom SQL; remove @SQLUpdate (or @Upsert)");
        }
        if (!model.isMutable() && upsert.action() == Upsert.Action.UPDATE) {
            problems.add(prefix + "@Immutable rows are never updated, but action = UPDATE overwrites the stored row on conflict; "
                    + "use @Upsert(action = NOTHING) for get-or-create, or remove @Immutable");
        }
        Property idProperty = model.getIdentifierProperty();
        if (idProperty == null || !(idProperty.getValue() instanceof BasicValue) || idProperty.getColumnSpan() != 1) {
            rootProblems.add(prefix + "the id" + (idProperty == null ? "" : " '" + idProperty.getName() + "'") + " must be a single "
                    + "basic attribute (composite ids are not supported); give the entity a single-column id and put the "
                    + "composite key in @Upsert(on = ...) instead");
        }
        Property version = model.getVersion();
        if (version != null && !isIntegral(version)) {
            rootProblems.add(prefix + "@Version attribute '" + version.getName() + "' must be an integer type (int, long, short): "
                    + "it is incremented in SQL on update");
        }

        boolean byConstraint = !upsert.constraint().isBlank();
        if (byConstraint && upsert.on().length > 0) {
            rootProblems.add(prefix + "'on' and 'constraint' both name the conflict target; keep one of them");
        }
        if (byConstraint && !upsert.where().isBlank()) {
            rootProblems.add(prefix + "'where' goes with 'on'; with 'constraint' the index predicate is read from the catalog, remove 'where'");
        }
        if (upsert.action() == Upsert.Action.NOTHING) {
            List<String> useless = new ArrayList<>();
            if (upsert.update().length > 0) {
                useless.add("'update'");
            }
            if (upsert.exclude().length > 0) {
                useless.add("'exclude'");
            }
            if (!upsert.updateWhere().isBlank()) {
                useless.add("'updateWhere'");
            }
            if (upsert.skipUnchanged()) {
                useless.add("'skipUnchanged'");
            }
            if (!useless.isEmpty()) {
                String listed = useless.size() == 1 ? useless.get(0)
                        : String.join(", ", useless.subList(0, useless.size() - 1)) + " and " + useless.get(useless.size() - 1);
                rootProblems.add(prefix + "action = NOTHING never updates, so " + listed
                        + (useless.size() == 1 ? " has" : " have") + " no effect; remove " + (useless.size() == 1 ? "it" : "them")
                        + " or use action = UPDATE");
            }
        }
        if (upsert.update().length > 0 && upsert.exclude().length > 0) {
            rootProblems.add(prefix + "'update' and 'exclude' both choose the overwritten attributes; keep one of them");
        }

        List<String> keyPaths = new ArrayList<>();
        if (upsert.on().length > 0) {
            for (String path : upsert.on()) {
                // the conflict target is the root's unique key, shared by every entity of a hierarchy
                String top = path.split("\\.")[0];
                if (hierarchy && !isRootProperty(root, top) && hasProperty(root.getSubclassPropertyClosure(), top)) {
                    rootProblems.add(prefix + "'on' names '" + path + "', an attribute of a subclass: the conflict target is a "
                            + "unique key of the root's table shared by every entity of the hierarchy; move '" + top + "' to "
                            + simpleName(root) + " or name attributes of " + simpleName(root));
                    continue;
                }
                Property property = resolvePath(root, path, prefix + "'on' names ", rootProblems);
                if (property != null && property == model.getIdentifierProperty()) {
                    rootProblems.add(prefix + "'on' names '" + path + "', the id, which is not supported as a conflict target; name "
                            + "a unique key of other attributes (to insert or update by id, use merge)");
                } else if (property != null && property.getValue() instanceof Collection) {
                    rootProblems.add(prefix + "'on' names '" + path + "', a collection, which has no column in the entity's table; "
                            + "name the attributes whose columns form the unique key");
                } else if (property != null) {
                    keyPaths.add(path);
                }
            }
        } else if (!byConstraint) {
            keyPaths.addAll(defaultKey(root, prefix, rootProblems));
        }

        Set<String> keyRoots = keyPaths.stream().map(p -> p.split("\\.")[0]).collect(Collectors.toSet());
        Set<String> candidates = new LinkedHashSet<>();
        Set<String> updateTimestamps = new LinkedHashSet<>();
        for (Property property : model.getPropertyClosure()) {
            String name = property.getName();
            if (property == version || keyRoots.contains(name) || property.getValue() instanceof Collection) {
                continue;
            }
            if (has(model, name, UpdateTimestamp.class)) {
                updateTimestamps.add(name);
            }
            if (HibernateAccess.get().isUpdatable(property) && property.isInsertable() && !has(model, name, CreationTimestamp.class)) {
                candidates.add(name);
            }
        }
        Set<String> overwritten = new LinkedHashSet<>();
        if (upsert.action() == Upsert.Action.UPDATE) {
            if (upsert.update().length > 0) {
                for (String name : upsert.update()) {
                    if (checkOverwritable(model, name, "'update'", keyRoots, candidates, prefix, rootProblems)) {
                        overwritten.add(name);
                    }
                }
            } else {
                overwritten.addAll(candidates);
                for (String name : upsert.exclude()) {
                    if (checkOverwritable(model, name, "'exclude'", keyRoots, candidates, prefix, rootProblems)) {
                        overwritten.remove(name);
                    }
                }
            }
        }

        // Only basic values can be read back from RETURNING; anything else must equal what the database holds.
        for (Property property : model.getPropertyClosure()) {
            String name = property.getName();
            Value value = property.getValue();
            // the root's attributes are checked with the root, a subclass's own ones with the subclass
            List<String> owner = hierarchy && model != root && isRootProperty(root, name) ? rootProblems : problems;
            boolean readBack = value instanceof BasicValue;
            boolean matchesStored = keyRoots.contains(name)
                    || (overwritten.contains(name) && upsert.updateWhere().isBlank() && !upsert.skipUnchanged());
            if ((value instanceof ToOne || value instanceof Component) && !readBack && !matchesStored) {
                owner.add(prefix + "attribute '" + name + "' (" + (value instanceof ToOne ? "an association" : "an embeddable")
                        + ") cannot be written back from the stored row after a conflict; make it part of the key, let it "
                        + "be overwritten unconditionally, or map its columns as basic attributes");
            }
        }

        String tenantAttribute = null;
        for (Property property : model.getPropertyClosure()) {
            if (has(model, property.getName(), TenantId.class)) {
                tenantAttribute = property.getName();
            }
        }

        if (problems.size() > before || rootProblems != problems && !rootProblems.isEmpty()) {
            return null;
        }
        return new UpsertMapping(model.getEntityName(), upsert, List.copyOf(keyPaths), overwritten, updateTimestamps,
                tenantAttribute, hierarchy);
    }

    private static boolean checkOverwritable(PersistentClass model, String name, String option, Set<String> keyRoots,
                                             Set<String> candidates, String prefix, List<String> problems) {
        if (!hasProperty(model.getPropertyClosure(), name) && hasProperty(model.getRootClass().getSubclassPropertyClosure(), name)) {
            return false;  // an attribute of another entity of the hierarchy: it applies to that one
        }
        if (resolvePath(model, name, prefix + option + " names ", problems) == null) {
            return false;
        }
        if (name.contains(".")) {
            problems.add(prefix + option + " names '" + name + "', a nested path; name the top-level attribute '"
                    + name.substring(0, name.indexOf('.')) + "'");
            return false;
        }
        if (!candidates.contains(name) && !option.equals("'exclude'")) {
            String why = keyRoots.contains(name) ? "it is part of the conflict key"
                    : name.equals(model.getIdentifierProperty() == null ? null : model.getIdentifierProperty().getName()) ? "it is the id"
                    : model.getVersion() != null && name.equals(model.getVersion().getName()) ? "it is the @Version (incremented automatically)"
                    : "it is insert-only (@Column(updatable = false) or @CreationTimestamp)";
            problems.add(prefix + option + " names '" + name + "', which is never overwritten: " + why + "; remove it from " + option);
            return false;
        }
        return true;
    }

    /** The entity's @NaturalId attributes, else its only single unique key, else a problem. */
    private static List<String> defaultKey(PersistentClass model, String prefix, List<String> problems) {
        List<String> naturalId = new ArrayList<>();
        for (Property property : model.getPropertyClosure()) {
            if (property.isNaturalIdentifier()) {
                naturalId.add(property.getName());
            }
        }
        if (!naturalId.isEmpty()) {
            return naturalId;
        }
        Set<List<String>> uniqueKeys = new LinkedHashSet<>();
        for (UniqueKey key : model.getTable().getUniqueKeys().values()) {
            List<String> attributes = attributesOf(model, key.getColumns());
            if (attributes != null) {
                uniqueKeys.add(attributes);
            }
        }
        for (Property property : model.getPropertyClosure()) {
            for (Column column : property.getColumns()) {
                if (column.isUnique() && property.getColumnSpan() == 1) {
                    uniqueKeys.add(List.of(property.getName()));
                }
            }
        }
        if (uniqueKeys.size() == 1) {
            return uniqueKeys.iterator().next();
        }
        problems.add(prefix + (uniqueKeys.isEmpty() ? "no conflict target: the entity has no @NaturalId and no unique key"
                : "no conflict target: the entity has " + uniqueKeys.size() + " unique keys " + uniqueKeys
                  + " and no @NaturalId") + "; name one with @Upsert(on = \"...\") or @Upsert(constraint = \"...\")");
        return List.of();
    }

    private static List<String> attributesOf(PersistentClass model, List<Column> columns) {
        List<String> names = new ArrayList<>();
        for (Column column : columns) {
            String found = null;
            for (Property property : model.getPropertyClosure()) {
                if (property.getColumnSpan() == 1 && property.getColumns().get(0).equals(column)) {
                    found = property.getName();
                }
            }
            if (found == null) {
                return null;
            }
            names.add(found);
        }
        return names;
    }

    /** The property at a dotted path, or null with a problem that lists what exists at that level. */
    private static Property resolvePath(PersistentClass model, String path, String what, List<String> problems) {
        String[] parts = path.split("\\.");
        List<Property> level = model.getPropertyClosure();
        Property found = null;
        boolean topLevel = true;
        for (String part : parts) {
            found = null;
            for (Property property : level) {
                if (property.getName().equals(part)) {
                    found = property;
                }
            }
            // getPropertyClosure() leaves out the id and returns a new list per call: compare by position, not identity
            Property id = model.getIdentifierProperty();
            if (found == null && topLevel && id != null && id.getName().equals(part)) {
                found = id;
            }
            topLevel = false;
            if (found == null) {
                problems.add(what + "'" + path + "', which does not exist (attributes: "
                        + level.stream().map(Property::getName).collect(Collectors.joining(", ")) + ")");
                return null;
            }
            level = found.getValue() instanceof Component component ? component.getProperties() : List.of();
        }
        return found;
    }

    private static boolean isIntegral(Property version) {
        if (!(version.getValue() instanceof BasicValue basic)) {
            return false;
        }
        try {
            Class<?> type = basic.resolve().getDomainJavaType().getJavaTypeClass();
            return Arrays.asList(Integer.class, int.class, Long.class, long.class, Short.class, short.class).contains(type);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean has(PersistentClass model, String attribute, Class<? extends java.lang.annotation.Annotation> type) {
        for (Class<?> c = model.getMappedClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getName().equals(attribute) && field.isAnnotationPresent(type)) {
                    return true;
                }
            }
            String getter = "get" + attribute.substring(0, 1).toUpperCase(Locale.ROOT) + attribute.substring(1);
            for (Method method : c.getDeclaredMethods()) {
                if (method.getName().equals(getter) && method.isAnnotationPresent(type)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean annotatedWith(Class<?> mapped, String annotation) {
        if (mapped == null) {
            return false;
        }
        for (var a : mapped.getAnnotations()) {
            if (a.annotationType().getName().equals(annotation)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why the upsert cannot write the hierarchy under {@code root}, or null: SINGLE_TABLE with a discriminator column
     * is written (the discriminator and the persisted subclass's columns, the conflict confined to its own type).
     */
    private static String unsupportedInheritance(RootClass root) {
        PersistentClass sub = root.getSubclasses().isEmpty() ? null : root.getSubclasses().iterator().next();
        String advice = "; use SINGLE_TABLE inheritance (@Inheritance(strategy = SINGLE_TABLE)), or put @Upsert on an entity "
                + "without superclass or subclass entities (a @MappedSuperclass is fine)";
        if (sub instanceof JoinedSubclass) {
            return "entity inheritance JOINED is not supported (a row spans the tables of its class hierarchy, and one "
                    + "INSERT ... ON CONFLICT writes one table)" + advice;
        }
        if (sub instanceof UnionSubclass) {
            return "entity inheritance TABLE_PER_CLASS is not supported (each class has its own table, and a unique key across "
                    + "them is no index PostgreSQL can arbitrate a conflict on)" + advice;
        }
        Value discriminator = root.getDiscriminator();
        if (discriminator != null && discriminator.hasFormula()) {
            return "@DiscriminatorFormula is not supported: the upsert confines a conflict to rows of the persisted entity's "
                    + "type by the discriminator column, which a formula does not write; map a @DiscriminatorColumn";
        }
        // a conflict with a soft-deleted row revives it whatever the DO UPDATE's condition says (OnConflictClause), so
        // the type guard would not hold there: a soft-deleted Supplier row would come back for a Customer
        if (root.getSoftDeleteColumn() != null) {
            return "@SoftDelete in an inheritance hierarchy is not supported yet: reviving a soft-deleted row of another entity "
                    + "type would hand it to the persisted entity; remove @SoftDelete (or @Upsert)";
        }
        if (discriminator != null && !root.isDiscriminatorInsertable()) {
            return "a discriminator that is not inserted (@DiscriminatorOptions(insert = false)) is not supported: the upsert "
                    + "writes the discriminator of the persisted entity itself; remove insert = false";
        }
        return null;
    }

    /**
     * {@code @Upsert} on an entity below the root of its hierarchy: the conflict target is a unique key of the root's
     * table, shared by every entity of the hierarchy, so the annotation belongs on the root (and applies to all).
     */
    private static String misplacedInHierarchy(PersistentClass model, RootClass root) {
        if (model == root || model.getMappedClass() == null || !model.getMappedClass().isAnnotationPresent(Upsert.class)) {
            return null;
        }
        String entity = simpleName(model);
        String rootName = simpleName(root);
        if (root.getMappedClass() != null && root.getMappedClass().isAnnotationPresent(Upsert.class)) {
            return "@Upsert on " + entity + ": the @Upsert on its root entity " + rootName + " applies to every entity of the "
                    + "hierarchy, and one hierarchy has one conflict target; remove @Upsert from " + entity;
        }
        return "@Upsert on " + entity + ": an entity below the root of an inheritance hierarchy cannot choose its own upsert: "
                + "its conflict target is a unique key of " + rootName + "'s table, and the other entities of the hierarchy "
                + "would insert plainly into it; move @Upsert to the root entity " + rootName + " (it applies to every "
                + "entity of the hierarchy)";
    }

    private static boolean isRootProperty(RootClass root, String name) {
        return hasProperty(root.getPropertyClosure(), name);
    }

    private static boolean hasProperty(List<Property> properties, String name) {
        return properties.stream().anyMatch(p -> p.getName().equals(name));
    }

    public static String simpleName(PersistentClass model) {
        Class<?> mapped = model.getMappedClass();
        return mapped != null ? mapped.getSimpleName() : model.getEntityName();
    }
}
