package dev.upsert.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@PostgresTest
class PostgresExtensionIT {

    @Test
    void serverIsTheMajorAskedForUnlessExternal(TestSchema db) {
        TestDatabase server = db.database();
        String expected = System.getProperty("upsert.test.postgres", "17");
        if (server.provider() != TestDatabase.Provider.EXTERNAL) {
            assertThat(server.serverMajor()).isEqualTo(Integer.parseInt(expected.isEmpty() ? "17" : expected));
        }
        assertThat(db.queryValue("show server_version")).isEqualTo(server.serverVersion());
    }

    @Test
    void connectionsAndUnqualifiedNamesLiveInTheClassSchema(TestSchema db) {
        assertThat(db.queryValue("select current_schema()")).isEqualTo(db.name());
        db.execute("create table probe (id int primary key); insert into probe values (1)");
        assertThat(db.queryLong("select count(*) from " + db.name() + ".probe")).isEqualTo(1);
        assertThat(db.jpaProperties()).containsEntry("hibernate.default_schema", db.name());
    }

    @Test
    void sameSchemaForEveryTestOfTheClass(TestSchema first, TestSchema second) {
        assertThat(first).isSameAs(second);
    }

    @Nested
    class AnotherClass {
        @Test
        void nestedTestsShareTheEnclosingSchema(TestSchema db) {
            assertThat(db.queryValue("select current_schema()")).isEqualTo(db.name());
        }
    }

    @Test
    void closingDropsTheSchemaAndItsTables(TestSchema db) {
        TestSchema other = TestSchema.create(db.database(), "dropme");
        other.execute("create table t (id int)");
        assertThat(other.name()).isNotEqualTo(db.name()).startsWith("t_dropme_");
        other.close();
        assertThat(db.queryLong("select count(*) from pg_namespace where nspname = '" + other.name() + "'")).isZero();
    }
}
