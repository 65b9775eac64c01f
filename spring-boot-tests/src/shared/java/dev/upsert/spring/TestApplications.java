package dev.upsert.spring;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import dev.upsert.testing.TestSchema;

/** Boots the settings probes of both Spring modules on a test schema, without a web server, tables created and dropped. */
public final class TestApplications {

    private TestApplications() {
    }

    /** The application with these properties and this process environment (Spring's own environment-variable source), no web server. */
    public static ConfigurableApplicationContext boot(Class<?>[] sources, TestSchema db, Map<String, Object> properties,
                                                      Map<String, Object> variables) {
        Map<String, Object> all = db.springProperties();
        all.put("spring.jpa.hibernate.ddl-auto", "create-drop");
        all.putAll(properties);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        SpringApplication application = new SpringApplicationBuilder(sources)
                .web(WebApplicationType.NONE).environment(environment).properties(all).build();
        return application.run();
    }
}
