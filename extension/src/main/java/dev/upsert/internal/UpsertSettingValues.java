package dev.upsert.internal;

import java.util.ArrayList;
import java.util.Collection;
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
 * misspelt key such as {@code upsert.validate-schema}.
 */
public final class UpsertSettingValues {

    private static final List<String> FLAGS = List.of(UpsertSettings.VALIDATE_SCHEMA, UpsertSettings.EXCEPTION_INCLUDE_VALUES);
    /** {@link UpsertSettings#CHECK_SEQUENCES}: its values, the default first. */
    static final List<String> CHECK_SEQUENCES_VALUES = List.of("warn", "fail", "off");
    private static final List<String> KEYS = List.of(UpsertSettings.VALIDATE_SCHEMA, UpsertSettings.EXCEPTION_INCLUDE_VALUES,
            UpsertSettings.METRICS_EXPECTED_CONSTRAINTS, UpsertSettings.CHECK_SEQUENCES);

    private UpsertSettingValues() {
    }

    /** One line per bad value or misspelt key. Other keys under the prefix are left alone: they may be someone else's. */
    static List<String> problems(Map<String, Object> settings) {
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
            for (String known : KEYS) {
                if (!key.equals(known) && normalize(key).equals(normalize(known))) {
                    problems.add("setting '" + key + "' is not a setting of upsert-hibernate and is ignored; rename it to '" + known + "'");
                }
            }
        }
        return problems;
    }

    /** The flag's value; {@link #problems} has already rejected anything but true and false. */
    static boolean flag(ConfigurationService configuration, String key, boolean defaultValue) {
        Boolean value = parse(configuration.getSettings().get(key));
        return value == null ? defaultValue : value;
    }

    /** {@link UpsertSettings#CHECK_SEQUENCES}, validated by {@link #problems}: warn, fail or off. */
    static String checkSequences(ConfigurationService configuration) {
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

    private static String text(Object value) {
        return value == null ? "" : value.toString().trim().toLowerCase(Locale.ROOT);
    }

    private static Boolean parse(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value == null ? "" : value.toString().trim();
        return text.equalsIgnoreCase("true") ? Boolean.TRUE : text.equalsIgnoreCase("false") ? Boolean.FALSE : null;
    }

    private static String normalize(String key) {
        return key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
