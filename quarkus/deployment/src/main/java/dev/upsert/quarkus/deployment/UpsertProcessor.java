package dev.upsert.quarkus.deployment;

import java.util.List;
import java.util.Optional;

import io.quarkus.agroal.spi.JdbcDataSourceBuildItem;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.datasource.common.runtime.DatabaseKind;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigurationDefaultBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ServiceProviderBuildItem;
import io.quarkus.deployment.metrics.MetricsCapabilityBuildItem;
import io.quarkus.runtime.metrics.MetricsFactory;
import io.quarkus.hibernate.orm.deployment.PersistenceUnitDescriptorBuildItem;
import io.quarkus.hibernate.orm.deployment.integration.HibernateOrmIntegrationRuntimeConfiguredBuildItem;

import dev.upsert.quarkus.runtime.UpsertMetricsProducer;
import dev.upsert.quarkus.runtime.UpsertRecorder;

/** Wires upsert-hibernate into every Hibernate ORM persistence unit of the application. */
class UpsertProcessor {

    static final String FEATURE = "upsert-hibernate";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    /** {@code quarkus.upsert.*} and the redacted error log, as runtime settings of every persistence unit. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void settings(UpsertRecorder recorder, List<PersistenceUnitDescriptorBuildItem> persistenceUnits,
            BuildProducer<HibernateOrmIntegrationRuntimeConfiguredBuildItem> integrations) {
        for (PersistenceUnitDescriptorBuildItem unit : persistenceUnits) {
            String name = unit.getPersistenceUnitName();
            integrations.produce(new HibernateOrmIntegrationRuntimeConfiguredBuildItem(FEATURE, name)
                    .setInitListener(recorder.runtimeListener(name)));
        }
    }

    /** {@code UpsertMetrics} as a {@code MeterBinder} bean when the application has quarkus-micrometer. */
    /**
     * pgjdbc's {@code logServerErrorDetail=false} on every PostgreSQL datasource unless
     * {@code quarkus.upsert.exception.include-values} is true: the driver's messages then leave out DETAIL and a
     * batch's bound parameters. On plain Hibernate those messages reach a log only if the application logs the cause
     * chain; in Quarkus, Narayana does, at WARN, for every failure inside a commit (a flush in beforeCompletion, a
     * deferred constraint at the database's COMMIT). The server's fields, DETAIL included, stay readable to the
     * converter ({@code ServerErrorMessage}), so {@code DuplicateKeyException} keeps its columns and values. A value the
     * user sets for that JDBC property wins: this is a configuration default.
     */
    @BuildStep
    void driverMessagesWithoutDetail(List<JdbcDataSourceBuildItem> dataSources,
            BuildProducer<RunTimeConfigurationDefaultBuildItem> defaults) {
        for (JdbcDataSourceBuildItem dataSource : dataSources) {
            if (!DatabaseKind.isPostgreSQL(dataSource.getDbKind())) {
                continue;
            }
            String prefix = dataSource.isDefault() ? "quarkus.datasource."
                    : "quarkus.datasource.\"" + dataSource.getName() + "\".";
            defaults.produce(new RunTimeConfigurationDefaultBuildItem(
                    prefix + "jdbc.additional-jdbc-properties.logServerErrorDetail",
                    "${quarkus.upsert.exception.include-values:false}"));
        }
    }

    @BuildStep
    void metrics(Optional<MetricsCapabilityBuildItem> metrics, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (metrics.isPresent() && metrics.get().metricsSupported(MetricsFactory.MICROMETER)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(UpsertMetricsProducer.class));
        }
    }

    /**
     * Native image: what Hibernate instantiates by name. The service files (integrators, contributors) are read by
     * Hibernate ORM's extension at build time; the persister is named by the resolver as a class, and its constructor
     * is called reflectively.
     */
    @BuildStep
    ReflectiveClassBuildItem reflection() {
        return ReflectiveClassBuildItem.builder(
                "dev.upsert.internal.persister.UpsertEntityPersister",
                "dev.upsert.internal.boot.UpsertIntegrator",
                "dev.upsert.internal.boot.DuplicateKeyIntegrator",
                "dev.upsert.internal.boot.UpsertServiceContributor",
                "dev.upsert.internal.boot.DuplicateKeyServices",
                "dev.upsert.internal.outcome.UpsertListenersContributor")
                .reason(getClass().getName())
                .constructors().methods().build();
    }

    /**
     * Native image: the public package's static helpers ({@code DuplicateKeyException.find}, {@code Upserts.outcome})
     * reach the implementation through {@code ServiceLoader} ({@code dev.upsert.UpsertImplementation}), which a native
     * image serves only for providers registered at build time.
     */
    @BuildStep
    ServiceProviderBuildItem publicApiEntry() {
        return ServiceProviderBuildItem.allProvidersFromClassPath("dev.upsert.UpsertImplementation");
    }
}
