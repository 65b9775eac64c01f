package dev.upsert.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.hibernate.engine.config.spi.ConfigurationService;

import dev.upsert.UpsertSettings;

/**
 * Reads the {@link UpsertSettings} strictly. Hibernate's own boolean converter turns anything but "true" into
 * false, so {@code upsert.validate_schema=yes} would silently switch the check off; here it is a boot error, as is a
 * misspelt key such as {@code upsert.validate-schema}.
 */
final class UpsertSettingValues {

    private static final List<String> KEYS = List.of(UpsertSettings.VALIDATE_SCHEMA, UpsertSettings.EXCEPTION_INCLUDE_VALUES);

    private UpsertSettingValues() {
    }

    /** One line per bad value or misspelt key. Other keys under the prefix are left alone: they may be someone else's. */
    static List<String> problems(Map<String, Object> settings) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Object> setting : settings.entrySet()) {
            String key = setting.getKey();
            if (KEYS.contains(key)) {
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
