package dev.upsert.internal.exception;

import dev.upsert.internal.catalog.UniqueKeyCatalog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import net.jqwik.api.RandomGenerator;
import net.jqwik.api.sessions.JqwikSession;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import dev.upsert.internal.exception.DetailArbitraries.Key;
import dev.upsert.internal.exception.DetailArbitraries.Part;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * The DETAIL that {@link DuplicateKeyDetailPropertyTest} feeds the parser is the one PostgreSQL sends: keys drawn
 * from the same generators (fixed seed) are created as real unique indexes, a row is inserted twice, and the server's
 * DETAIL and catalog text are compared with the tests' rendering.
 */
@PostgresTest
class DuplicateKeyDetailRenderingIT {

    private static final int KEYS = 60;

    @Test
    void serverPrintsDetailAndCatalogColumnsAsTheTestsRenderThem(TestSchema db) throws SQLException {
        // SQL NULL conflicts only under NULLS NOT DISTINCT (PostgreSQL 15+); before that the keys hold no NULL
        boolean nullsNotDistinct = db.database().serverMajor() >= 15;
        List<Key> keys = new ArrayList<>();
        // jqwik's generators need a session; a fixed seed draws the same keys on every run
        JqwikSession.run("7270510", () -> {
            RandomGenerator<Key> generator = DetailArbitraries.keys(nullsNotDistinct).generator(1000);
            Random random = JqwikSession.getRandom().orElseThrow();
            for (int i = 0; i < KEYS; i++) {
                keys.add(generator.next(random).value());
            }
        });
        int split = 0;
        int ambiguous = 0;
        int nulls = 0;
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            for (int i = 0; i < KEYS; i++) {
                Key key = keys.get(i);
                String table = "k" + i;
                List<String> columns = new ArrayList<>();
                List<String> elements = new ArrayList<>();
                for (Part part : key.parts()) {
                    columns.add("\"" + part.column().replace("\"", "\"\"") + "\" text");
                    elements.add(part.indexElement());
                }
                s.execute("create table " + table + " (" + String.join(", ", columns) + ")");
                s.execute("create unique index " + table + "_uq on " + table + " (" + String.join(", ", elements) + ")"
                        + (nullsNotDistinct ? " nulls not distinct" : ""));
                String insert = "insert into " + table + " values (" + "?, ".repeat(key.parts().size() - 1) + "?)";
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    for (int p = 0; p < key.parts().size(); p++) {
                        if (key.columnValues().get(p) == null) {
                            ps.setNull(p + 1, Types.VARCHAR);
                        } else {
                            ps.setString(p + 1, key.columnValues().get(p));
                        }
                    }
                    ps.executeUpdate();
                    PSQLException e = catchThrowableOfType(PSQLException.class, ps::executeUpdate);

                    assertThat((Throwable) e).as(key.detail()).isNotNull();
                    assertThat(e.getSQLState()).isEqualTo("23505");
                    String detail = e.getServerErrorMessage().getDetail();
                    assertThat(detail).isEqualTo(key.detail());
                    List<String> catalog = UniqueKeyCatalog.uniqueKeysOf(c, table).get(0).columns();
                    assertThat(catalog).isEqualTo(key.columns());

                    List<String> parsed = DuplicateKeyDetail.values(detail, catalog);
                    assertThat(parsed).isIn(key.printedValues(), List.of());
                    if (catalog.size() > 1) {
                        split += parsed.isEmpty() ? 0 : 1;
                        ambiguous += parsed.isEmpty() ? 1 : 0;
                    }
                    nulls += key.values().contains(null) ? 1 : 0;
                }
                assertThat(db.queryLong("select count(*) from " + table)).isOne();
            }
        }
        assertThat(split).as("multi-column keys split").isGreaterThan(10);
        assertThat(ambiguous).as("multi-column keys left unsplit").isGreaterThan(3);
        if (nullsNotDistinct) {
            assertThat(nulls).as("keys with a NULL").isGreaterThan(3);
        }
    }
}
