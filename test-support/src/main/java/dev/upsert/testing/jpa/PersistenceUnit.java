package dev.upsert.testing.jpa;

import java.net.URL;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.sql.DataSource;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.SharedCacheMode;
import jakarta.persistence.ValidationMode;
import jakarta.persistence.spi.ClassTransformer;
import jakarta.persistence.spi.PersistenceUnitInfo;
import jakarta.persistence.spi.PersistenceUnitTransactionType;

import org.hibernate.Version;
import org.hibernate.jpa.HibernatePersistenceProvider;

import dev.upsert.testing.TestSchema;

/**
 * The test suites' one JPA bootstrap: a persistence unit of the given entities and settings, built by Hibernate's JPA
 * provider the way a container (or Spring's LocalContainerEntityManagerFactoryBean) builds it. Spelled so that it
 * compiles and runs on every Hibernate line the suite runs on (7.x's {@code HibernatePersistenceConfiguration} is JPA
 * 3.2; 6.6 implements JPA 3.1).
 */
public final class PersistenceUnit {

    private PersistenceUnit() {
    }

    /** Whether this run is on Hibernate 6.6, where a few of Hibernate's own answers differ (each test says which). */
    public static boolean hibernate66() {
        return Version.getVersionString().startsWith("6.6.");
    }

    public static EntityManagerFactory create(String name, Map<String, ?> settings, Class<?>... entities) {
        return new HibernatePersistenceProvider().createContainerEntityManagerFactory(new Info(name, entities), settings);
    }

    /**
     * A unit over the test schema: its URL, credentials and default schema, then {@code schemaAction} (JPA's
     * {@code schema-generation.database.action}: {@code "drop-and-create"} for tables from the mapping, {@code "none"}
     * for the test's own SQL), then {@code settings}, which win.
     */
    public static EntityManagerFactory inSchema(TestSchema db, String schemaAction, Map<String, ?> settings,
                                                Class<?>... entities) {
        Map<String, Object> all = new LinkedHashMap<>(db.jpaProperties());
        all.put("jakarta.persistence.schema-generation.database.action", schemaAction);
        all.putAll(settings);
        return create(db.name(), all, entities);
    }

    /** Only what a resource-local unit with listed classes needs; the settings come through the integration map. */
    private record Info(String name, Class<?>[] entities) implements PersistenceUnitInfo {

        @Override
        public String getPersistenceUnitName() {
            return name;
        }

        @Override
        public String getPersistenceProviderClassName() {
            return HibernatePersistenceProvider.class.getName();
        }

        // JPA 3.2 declares these two; 3.1 (Hibernate 6.6) does not, hence no @Override
        public String getScopeAnnotationName() {
            return null;
        }

        public List<String> getQualifierAnnotationNames() {
            return List.of();
        }

        @Override
        @SuppressWarnings("deprecation")  // JPA 3.2 moved the enum; the spi one is what both versions' method returns
        public PersistenceUnitTransactionType getTransactionType() {
            return PersistenceUnitTransactionType.RESOURCE_LOCAL;
        }

        @Override
        public DataSource getJtaDataSource() {
            return null;
        }

        @Override
        public DataSource getNonJtaDataSource() {
            return null;
        }

        @Override
        public List<String> getMappingFileNames() {
            return List.of();
        }

        @Override
        public List<URL> getJarFileUrls() {
            return List.of();
        }

        @Override
        public URL getPersistenceUnitRootUrl() {
            return null;
        }

        @Override
        public List<String> getManagedClassNames() {
            return Arrays.stream(entities).map(Class::getName).toList();
        }

        @Override
        public boolean excludeUnlistedClasses() {
            return true;
        }

        @Override
        public SharedCacheMode getSharedCacheMode() {
            return SharedCacheMode.UNSPECIFIED;
        }

        @Override
        public ValidationMode getValidationMode() {
            return ValidationMode.AUTO;
        }

        @Override
        public Properties getProperties() {
            return new Properties();
        }

        @Override
        public String getPersistenceXMLSchemaVersion() {
            return "3.0";
        }

        @Override
        public ClassLoader getClassLoader() {
            return PersistenceUnit.class.getClassLoader();
        }

        @Override
        public void addTransformer(ClassTransformer transformer) {
        }

        @Override
        public ClassLoader getNewTempClassLoader() {
            return null;
        }
    }
}
