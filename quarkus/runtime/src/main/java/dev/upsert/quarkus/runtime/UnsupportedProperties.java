package dev.upsert.quarkus.runtime;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.hibernate.orm.runtime.PersistenceUnitUtil;

/** Whether the user set a Hibernate property through {@code quarkus.hibernate-orm[.pu].unsupported-properties}. */
final class UnsupportedProperties {

    private UnsupportedProperties() {
    }

    static boolean sets(String persistenceUnit, String property) {
        String unit = PersistenceUnitUtil.isDefaultPersistenceUnit(persistenceUnit) ? "" : ".\"" + persistenceUnit + "\"";
        return ConfigProvider.getConfig()
                .getOptionalValue("quarkus.hibernate-orm" + unit + ".unsupported-properties.\"" + property + "\"", String.class)
                .isPresent();
    }
}
