package dev.upsert.internal.settings;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.hibernate.engine.config.spi.ConfigurationService;

import dev.upsert.UpsertSettings;

/**
 * Reads the {@link UpsertSettings} strictly. Hibernate's own boolean converter turns anything but "true" into
 * false, so {@code upsert.validate_schema=yes} would silently switch the check off; here it is a boot error, as is a
 * misspelt key such as {@code upsert.validateschema}.
 * <p>
 * Every key may be spelt the Spring way: {@code .}, {@code -} and {@code _} are the same separator and case does not
 * count, so {@code upsert.validate-schema} (kebab case) and {@code upsert.validate.schema} (what Spring Boot makes of
 * the environment variable {@code SPRING_JPA_PROPERTIES_UPSERT_VALIDATE_SCHEMA}) are {@code upsert.validate_schema}.
 * {@link #canonicalize} puts such a spelling under the documented key before anything reads it.
 */
public final class UpsertSettingValues {

    /** Every documented key: the {@code String} constants of {@link UpsertSettings}, so a new one needs no entry here. */
    static final List<String> KEYS = Arrays.stream(UpsertSettings.class.getFields())
            .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && !f.getName().equals("PREFIX"))
            .map(UpsertSettingValues::constant)
            .toList();
    /** The keys whose value is true or false. */
    private static final List<String> FLAGS = List.of(UpsertSettings.VALIDATE_SCHEMA, UpsertSettings.EXCEPTION_INCLUDE_VALUES);
    /** {@link UpsertSettings#CHECK_SEQUENCES}: its values, the default first. */
    static final List<String> CHECK_SEQUENCES_VALUES = List.of("warn", "fail", "off");

    private UpsertSettingValues() {
    }

    /**
     * The documented key for every other spelling of one among {@code settings}, with its value, for the caller to
     * apply; two spellings of one key with different values are a problem.
     */
    public static Map<String, Object> canonicalize(Map<?, ?> settings, List<String> problems) {
        Map<String, Object> canonical = new LinkedHashMap<>();
        Map<String, String> spelledAs = new LinkedHashMap<>();
        for (Map.Entry<?, ?> setting : settings.entrySet()) {
            String key = String.valueOf(setting.getKey());
            String known = known(key);
            if (known == null) {
                continue;
            }
            String earlier = spelledAs.putIfAbsent(known, key);
            Object other = earlier == null ? null : settings.get(earlier);
            if (earlier != null && !text(other).equals(text(setting.getValue()))) {
                problems.add("settings " + earlier + " = '" + other + "' and " + key + " = '" + setting.getValue() + "' are both "
                        + known + " with different values; keep one of them");
            } else if (!key.equals(known) && !settings.containsKey(known)) {
                canonical.put(known, setting.getValue());
            }
        }
        return canonical;
    }

    /** One line per bad value or misspelt key. Other keys under the prefix are left alone: they may be someone else's. */
    public static List<String> problems(Map<String, Object> settings) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Object> setting : settings.entrySet()) {
            String key = setting.getKey();
            if (key.equals(UpsertSettings.CHECK_SEQUENCES)) {
                if (!CHECK_SEQUENCES_VALUES.contains(text(setting.getValue()))) {
                    problems.add("setting " + key + " = '" + setting.getValue() + "' is not one of "
                            + String.join(", ", CHECK_SEQUENCES_VALUES) + "; set it to one of those");
                }
                continue;
            }
            if (key.equals(UpsertSettings.METRICS_EXPECTED_CONSTRAINTS)) {
                if (!(setting.getValue() instanceof String) && !(setting.getValue() instanceof Collection<?>)) {
                    problems.add("setting " + key + " = '" + setting.getValue() + "' is not a list of constraint names;"
                            + " set it to names separated by commas");
                }
                continue;
            }
            if (FLAGS.contains(key)) {
                if (parse(setting.getValue()) == null) {
                    problems.add("setting " + key + " = '" + setting.getValue() + "' is not a boolean; set it to true or false");
                }
                continue;
            }
            if (known(key) != null) {
                continue;  // another spelling of a key, already checked under the documented one
            }
            for (String known : KEYS) {
                if (letters(key).equals(letters(known))) {
                    problems.add("setting '" + key + "' is not a setting of upsert-hibernate; rename it to '"
                            + known + "' (settings: " + String.join(", ", KEYS) + ")");
                }
            }
        }
        return problems;
    }

    /** The flag's value; {@link #problems} has already rejected anything but true and false. */
    public static boolean flag(ConfigurationService configuration, String key, boolean defaultValue) {
        Boolean value = parse(configuration.getSettings().get(key));
        return value == null ? defaultValue : value;
    }

    /** {@link UpsertSettings#CHECK_SEQUENCES}, validated by {@link #problems}: warn, fail or off. */
    public static String checkSequences(ConfigurationService configuration) {
        Object value = configuration.getSettings().get(UpsertSettings.CHECK_SEQUENCES);
        return value == null ? CHECK_SEQUENCES_VALUES.get(0) : text(value);
    }

    /** A comma-separated list (or a collection) of names, trimmed, blanks dropped. */
    public static Set<String> names(Map<String, Object> settings, String key) {
        Object value = settings.get(key);
        Set<String> names = new LinkedHashSet<>();
        if (value instanceof Collection<?> list) {
            list.forEach(v -> names.add(String.valueOf(v).trim()));
        } else if (value != null) {
            for (String name : value.toString().split(",")) {
                names.add(name.trim());
            }
        }
        names.remove("");
        return names;
    }

    /** The documented key that {@code key} spells, or null. */
    static String known(String key) {
        String separated = separators(key);
        for (String known : KEYS) {
            if (separators(known).equals(separated)) {
                return known;
            }
        }
        return null;
    }

    private static Boolean parse(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        String text = text(value);
        return text.equals("true") ? Boolean.TRUE : text.equals("false") ? Boolean.FALSE : null;
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString().trim().toLowerCase(Locale.ROOT);
    }

    private static String separators(String key) {
        return key.toLowerCase(Locale.ROOT).replace('-', '.').replace('_', '.');
    }

    private static String letters(String key) {
        return key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    private static String constant(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
