package dev.upsert.internal.persister;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Calendar;
import java.util.TimeZone;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PGobject;

/** The text each JDBC value travels as inside the statement's arrays: what PostgreSQL's input functions read. */
class UnnestUpsertStatementTest {

    private static String text(Object value) {
        return UnnestUpsertStatement.Capture.text(value, null);
    }

    @Test
    void numbersAndTextKeepEveryDigitAndCharacter() {
        assertThat(text(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(text(new BigDecimal("0.10"))).isEqualTo("0.10");
        assertThat(text(42L)).isEqualTo("42");
        assertThat(text(0.1d)).isEqualTo("0.1");
        assertThat(text("a,b \"c\" {d} \\ e")).isEqualTo("a,b \"c\" {d} \\ e");
        assertThat(text(true)).isEqualTo("true");
        UUID uuid = UUID.randomUUID();
        assertThat(text(uuid)).isEqualTo(uuid.toString());
    }

    @Test
    void instantsCarryTheirOffsetSoTimestamptzReadsTheSameInstant() {
        assertThat(text(Instant.parse("2024-06-01T10:00:00.123456Z"))).isEqualTo("2024-06-01T10:00:00.123456Z");
        assertThat(text(OffsetDateTime.of(2024, 6, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2)))).isEqualTo("2024-06-01T12:00+02:00");
        Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        Timestamp ts = Timestamp.from(Instant.parse("2024-06-01T10:00:00Z"));
        assertThat(UnnestUpsertStatement.Capture.text(ts, utc)).isEqualTo("2024-06-01T10:00Z");
        assertThat(text(java.sql.Date.valueOf(LocalDate.of(2024, 2, 29)))).isEqualTo("2024-02-29");
    }

    @Test
    void bytesAreHexAndDatabaseObjectsTheirOwnText() throws Exception {
        assertThat(text(new byte[] {0, 15, (byte) 255})).isEqualTo("\\x000fff");
        PGobject json = new PGobject();
        json.setType("jsonb");
        json.setValue("{\"a\": 1}");
        assertThat(text(json)).isEqualTo("{\"a\": 1}");
    }

    @Test
    void aValueItCannotCarryIsRefusedSoThePerRowPathTakesOver() {
        assertThat(text(new Object())).isNull();
        assertThat(text(new int[] {1, 2})).isNull();
    }
}
