package dev.upsert.internal.statement;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.hibernate.metamodel.mapping.JdbcMapping;
import org.hibernate.type.descriptor.ValueBinder;
import org.hibernate.type.descriptor.WrapperOptions;
import org.hibernate.type.descriptor.java.JavaType;
import org.hibernate.type.descriptor.java.OffsetDateTimeJavaType;
import org.hibernate.type.descriptor.jdbc.BasicBinder;
import org.hibernate.type.descriptor.jdbc.TimestampUtcAsJdbcTimestampJdbcType;

/**
 * A {@code timestamptz} column that Hibernate binds through {@link TimestampUtcAsJdbcTimestampJdbcType} (its PostgreSQL
 * default for {@code Instant} and {@code OffsetDateTime}), bound and read by the one-row statement as an
 * {@code OffsetDateTime} in UTC.
 * <p>
 * Why: that binder and extractor build a {@code java.util.Calendar} per value (7.4 a new one each time), which took a
 * tenth of the client time of a one-row upsert transaction in the benchmark's W4 profile. pgjdbc sends and reads the
 * same instant either way for a {@code timestamptz} column, rounded to microseconds half up alike (its
 * {@code TimestampUtils}). Only within the years 1583-9999 ({@link ColumnArray#isoYear}): outside, the
 * {@code java.sql.Timestamp} path speaks the Julian calendar, BC years or infinity, and Hibernate's own binder and
 * extractor do it, as everywhere else.
 */
public final class Timestamptz {

    private Timestamptz() {
    }

    /** Whether a column of catalog type {@code type} ({@code format_type}, null if unknown) bound by {@code mapping} applies. */
    public static boolean applies(JdbcMapping mapping, String type) {
        return type != null && type.startsWith("timestamp") && type.endsWith("with time zone")
                && mapping.getJdbcValueBinder() instanceof BasicBinder<?> binder
                && binder.getJdbcType().getClass() == TimestampUtcAsJdbcTimestampJdbcType.class;
    }

    /** Binds {@code value} (a JDBC value of {@code mapping}) at {@code position}, as the column's binder would. */
    @SuppressWarnings("unchecked")
    public static void bind(PreparedStatement statement, int position, Object value, JdbcMapping mapping,
                            WrapperOptions options) throws SQLException {
        if (value != null) {
            Instant instant = ((JavaType<Object>) mapping.getJdbcJavaType()).unwrap(value, Instant.class, options);
            if (ColumnArray.isoInstant(instant)) {
                statement.setObject(position, instant.atOffset(ZoneOffset.UTC));
                return;
            }
        }
        ((ValueBinder<Object>) mapping.getJdbcValueBinder()).bind(statement, value, position, options);
    }

    /** Reads the JDBC value at {@code position}, as the column's extractor would. */
    public static Object read(ResultSet rs, int position, JdbcMapping mapping, WrapperOptions options) throws SQLException {
        OffsetDateTime read = rs.getObject(position, OffsetDateTime.class);
        if (read == null) {
            return null;
        }
        if (!ColumnArray.isoSecond(read.toEpochSecond())) {
            return mapping.getJdbcValueExtractor().extract(rs, position, options);
        }
        JavaType<?> javaType = mapping.getJdbcJavaType();
        if (read.getOffset() == ZoneOffset.UTC && javaType.getClass() == OffsetDateTimeJavaType.class) {
            // what Hibernate's own type makes of the instant (instant.atOffset(UTC)), which pgjdbc's binary read
            // already is: not a second OffsetDateTime per value (on Java 17 each builds its own ZoneRules)
            return read;
        }
        return javaType.wrap(read.toInstant(), options);
    }
}
