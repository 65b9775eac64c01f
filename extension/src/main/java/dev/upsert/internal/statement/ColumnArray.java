package dev.upsert.internal.statement;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.hibernate.metamodel.mapping.JdbcMapping;
import org.hibernate.type.descriptor.WrapperOptions;
import org.hibernate.type.descriptor.java.InstantJavaType;
import org.hibernate.type.descriptor.java.JavaType;
import org.hibernate.type.descriptor.java.OffsetDateTimeJavaType;
import org.hibernate.type.descriptor.jdbc.BasicBinder;
import org.hibernate.type.descriptor.jdbc.BigIntJdbcType;
import org.hibernate.type.descriptor.jdbc.BooleanJdbcType;
import org.hibernate.type.descriptor.jdbc.DecimalJdbcType;
import org.hibernate.type.descriptor.jdbc.DoubleJdbcType;
import org.hibernate.type.descriptor.jdbc.IntegerJdbcType;
import org.hibernate.type.descriptor.jdbc.LongVarcharJdbcType;
import org.hibernate.type.descriptor.jdbc.NumericJdbcType;
import org.hibernate.type.descriptor.jdbc.SmallIntJdbcType;
import org.hibernate.type.descriptor.jdbc.TimestampUtcAsInstantJdbcType;
import org.hibernate.type.descriptor.jdbc.TimestampUtcAsJdbcTimestampJdbcType;
import org.hibernate.type.descriptor.jdbc.TimestampUtcAsOffsetDateTimeJdbcType;
import org.hibernate.type.descriptor.jdbc.UUIDJdbcType;
import org.hibernate.type.descriptor.jdbc.VarcharJdbcType;

/**
 * How one bound column travels in {@link UnnestUpsertStatement}: as one array parameter. The column's value is what
 * its Hibernate binder would send, taken without the binder where the binder is Hibernate's own for a plain JDBC type
 * ({@code javaType.unwrap(value, Long.class)} is exactly what {@code BigIntJdbcType}'s binder passes to
 * {@code setLong}):
 * <ul>
 * <li>{@code bigint}, {@code integer}, {@code smallint}, {@code double precision}, {@code boolean}, {@code text} and
 *     {@code varchar}: an array of the column's own type, which pgjdbc sends in binary and PostgreSQL reads without a
 *     cast. A {@code varchar(n)} value is assigned by the insert as Hibernate's own insert assigns it, so a value too
 *     long fails with 22001 (a cast would cut it silently);</li>
 * <li>{@code timestamptz}: microseconds since 1970 as {@code int8[]}, in binary, added to the epoch on the server
 *     ({@link #value}): exact over the whole range, and about twice as fast as parsing text on the server (2,000
 *     values: 0.5 ms against 1.0-1.7 ms, PostgreSQL 15), with no text to format in Java. pgjdbc sends no
 *     {@code timestamptz[]} in binary: its {@code ArrayEncoding} knows numbers, booleans, text and bytea, and a
 *     {@code PGBinaryObject} of {@code _timestamptz} goes out as text unless the connection enables binary
 *     transfer for it;</li>
 * <li>{@code uuid}, {@code numeric}: text, cast to the column's type on the server. pgjdbc has no binary array form
 *     for them, and a {@code text[]} cast was faster on the server than a typed array literal (200,000 values of
 *     timestamptz: 58-87 ms against 142-198 ms, PostgreSQL 15);</li>
 * <li>anything else (converters to other JDBC types, user types, JSON, PostgreSQL enums, {@code timestamp},
 *     {@code date}...): the text the column's own binder produces, caught by {@link UnnestUpsertStatement.Capture},
 *     cast to the column's type.</li>
 * </ul>
 * A cast never carries the column's modifier ({@link #castType}): {@code character(n)} gets its length checked by the
 * insert's assignment, like {@code varchar(n)}.
 */
public final class ColumnArray {

    public enum Kind {
        INT8("int8", "bigint"),
        INT4("int4", "integer"),
        INT2("int2", "smallint"),
        FLOAT8("float8", "double precision"),
        BOOL("bool", "boolean"),
        TEXT("text", "text"),
        /** An instant as microseconds since 1970, turned into a {@code timestamptz} by {@link #value}. */
        EPOCH_MICROS("int8", "bigint"),
        /** Text of a value unwrapped as the binder would, cast on the server. */
        CAST_TEXT("text", null),
        /** Text caught from the column's own binder, cast on the server. */
        CAPTURED("text", null);

        final String arrayType;
        final String sqlType;

        Kind(String arrayType, String sqlType) {
            this.arrayType = arrayType;
            this.sqlType = sqlType;
        }
    }

    private static final Set<Class<?>> INSTANT_TYPES = Set.of(TimestampUtcAsJdbcTimestampJdbcType.class,
            TimestampUtcAsInstantJdbcType.class, TimestampUtcAsOffsetDateTimeJdbcType.class);

    public final Kind kind;
    /** The parameter in the statement: {@code ?::int8[]}, {@code ?::text[]::uuid[]}. */
    public final String parameter;
    /** What the value is unwrapped to before it goes into the array; null for {@link Kind#CAPTURED}. */
    private final Class<?> unwrapTo;
    private final JavaType<Object> javaType;
    /** Hibernate's own {@code OffsetDateTime} or {@code Instant} type, whose unwrap to {@code Instant} is the plain one. */
    private final boolean hibernatesTemporal;

    private ColumnArray(Kind kind, String type, Class<?> unwrapTo, JavaType<Object> javaType) {
        this.kind = kind;
        // text goes into a varchar(n) column uncast: the insert's assignment checks the length, a cast would cut it
        this.parameter = kind.sqlType != null ? "?::" + kind.arrayType + "[]"
                : "?::text[]" + ("text".equals(type) || type.startsWith("character varying") ? "" : "::" + castType(type) + "[]");
        this.unwrapTo = unwrapTo;
        this.javaType = javaType;
        this.hibernatesTemporal = javaType != null
                && (javaType.getClass() == OffsetDateTimeJavaType.class || javaType.getClass() == InstantJavaType.class);
    }

    private static final Pattern TYPE_MODIFIER = Pattern.compile("\\(\\d+(,\\s*\\d+)?\\)");

    /**
     * The type a text array is cast to for a column of catalog type {@code type}: the type without its modifier, so
     * that the insert's assignment applies length, precision and scale exactly as it does to Hibernate's own insert.
     * An explicit cast to {@code character(n)} or {@code bit(n)} cuts a value that is too long without a word, where
     * the assignment fails with 22001; for {@code numeric(p,s)} and {@code timestamp(p)} the two round alike.
     */
    public static String castType(String type) {
        String base = TYPE_MODIFIER.matcher(type).replaceAll("");
        return switch (base) {
            case "character" -> "bpchar";  // "character" alone means character(1)
            case "bit" -> "\"bit\"";       // and "bit" alone bit(1); quoted, it has no length
            default -> base;
        };
    }

    /** The array form for a column of catalog type {@code type} ({@code format_type}) bound through {@code mapping}. */
    @SuppressWarnings("unchecked")
    public static ColumnArray of(JdbcMapping mapping, String type) {
        if (mapping.getJdbcValueBinder() instanceof BasicBinder<?> binder) {
            // exact classes: a subclass, or a dialect's own JdbcType, may bind differently
            Class<?> jdbcType = binder.getJdbcType().getClass();
            JavaType<Object> javaType = (JavaType<Object>) binder.getJavaType();
            if (jdbcType == BigIntJdbcType.class && type.equals("bigint")) {
                return new ColumnArray(Kind.INT8, type, Long.class, javaType);
            }
            if (jdbcType == IntegerJdbcType.class && type.equals("integer")) {
                return new ColumnArray(Kind.INT4, type, Integer.class, javaType);
            }
            if (jdbcType == SmallIntJdbcType.class && type.equals("smallint")) {
                return new ColumnArray(Kind.INT2, type, Short.class, javaType);
            }
            if (jdbcType == DoubleJdbcType.class && type.equals("double precision")) {
                return new ColumnArray(Kind.FLOAT8, type, Double.class, javaType);
            }
            if (jdbcType == BooleanJdbcType.class && type.equals("boolean")) {
                return new ColumnArray(Kind.BOOL, type, Boolean.class, javaType);
            }
            if ((jdbcType == VarcharJdbcType.class || jdbcType == LongVarcharJdbcType.class)
                    && (type.equals("text") || type.startsWith("character varying"))) {
                return new ColumnArray(Kind.TEXT, type, String.class, javaType);
            }
            if (INSTANT_TYPES.contains(jdbcType) && type.startsWith("timestamp") && type.endsWith("with time zone")) {
                return new ColumnArray(Kind.EPOCH_MICROS, type, Instant.class, javaType);
            }
            if ((jdbcType == UUIDJdbcType.class || jdbcType.getSimpleName().equals("PostgreSQLUUIDJdbcType"))
                    && type.equals("uuid")) {
                return new ColumnArray(Kind.CAST_TEXT, type, UUID.class, javaType);
            }
            if ((jdbcType == DecimalJdbcType.class || jdbcType == NumericJdbcType.class) && type.startsWith("numeric")) {
                return new ColumnArray(Kind.CAST_TEXT, type, BigDecimal.class, javaType);
            }
        }
        return new ColumnArray(Kind.CAPTURED, type, null, null);
    }

    /**
     * The array form for the parameter of a write expression ({@code @ColumnTransformer(write = "upper(?)")}), which
     * PostgreSQL types as {@code parameterType}: the type pgjdbc sends for the binder's setter where it sends one
     * ({@code setLong}: {@code int8}, {@code setString}: {@code varchar}), else the binder's text cast to
     * {@code parameterType}, as PostgreSQL reads an untyped parameter.
     */
    public static ColumnArray ofParameter(JdbcMapping mapping, String parameterType) {
        if (mapping.getJdbcValueBinder() instanceof BasicBinder<?> binder) {
            Class<?> jdbcType = binder.getJdbcType().getClass();
            @SuppressWarnings("unchecked")
            JavaType<Object> javaType = (JavaType<Object>) binder.getJavaType();
            if (jdbcType == BigIntJdbcType.class) {
                return new ColumnArray(Kind.INT8, parameterType, Long.class, javaType);
            }
            if (jdbcType == IntegerJdbcType.class) {
                return new ColumnArray(Kind.INT4, parameterType, Integer.class, javaType);
            }
            if (jdbcType == SmallIntJdbcType.class) {
                return new ColumnArray(Kind.INT2, parameterType, Short.class, javaType);
            }
            if (jdbcType == DoubleJdbcType.class) {
                return new ColumnArray(Kind.FLOAT8, parameterType, Double.class, javaType);
            }
            if (jdbcType == BooleanJdbcType.class) {
                return new ColumnArray(Kind.BOOL, parameterType, Boolean.class, javaType);
            }
            if (jdbcType == VarcharJdbcType.class || jdbcType == LongVarcharJdbcType.class) {
                return new ColumnArray(Kind.TEXT, parameterType, String.class, javaType);
            }
        }
        return new ColumnArray(Kind.CAPTURED, parameterType, null, null);
    }

    /** An empty array of {@code rows} elements of the type {@link #element} returns. */
    public Object[] newArray(int rows) {
        return switch (kind) {
            case INT8, EPOCH_MICROS -> new Long[rows];
            case INT4 -> new Integer[rows];
            case INT2 -> new Short[rows];
            case FLOAT8 -> new Double[rows];
            case BOOL -> new Boolean[rows];
            default -> new String[rows];
        };
    }

    /**
     * The array element for a non-null JDBC value, or null for a value only the column's binder sends faithfully (the
     * statement then must not run); only for kinds other than {@link Kind#CAPTURED}.
     */
    public Object element(Object value, WrapperOptions options) {
        if (kind == Kind.EPOCH_MICROS) {
            // Hibernate's own types read directly (what their unwrap to Instant computes), without an Instant per value
            if (hibernatesTemporal && value instanceof OffsetDateTime dateTime) {
                return epochMicros(dateTime.toEpochSecond(), dateTime.getNano());
            }
            Instant instant = hibernatesTemporal && value instanceof Instant given ? given
                    : (Instant) javaType.unwrap(value, Instant.class, options);
            return epochMicros(instant.getEpochSecond(), instant.getNano());
        }
        Object unwrapped = javaType.unwrap(value, unwrapTo, options);
        if (kind != Kind.CAST_TEXT) {
            return unwrapped;
        }
        // the input text PostgreSQL reads: a plain decimal, a UUID
        return unwrapped instanceof BigDecimal decimal ? decimal.toPlainString() : unwrapped.toString();
    }

    /**
     * The instant as microseconds since 1970, or null outside {@link #isoYear}'s years, which the binder's
     * {@code java.sql.Timestamp} sends in another calendar than the proleptic one PostgreSQL uses.
     */
    private static Long epochMicros(long epochSecond, int nanos) {
        return isoSecond(epochSecond) ? epochSecond * 1_000_000 + micros(nanos) : null;
    }

    /** Nanoseconds as microseconds, rounded half up as pgjdbc rounds what the binder sets (its TimestampUtils). */
    static long micros(int nanos) {
        return (nanos + 500) / 1_000;
    }

    /**
     * True for the years whose ISO text is what pgjdbc sends for the binder's value: 1583 to 9999. Before the Gregorian
     * reform, a binder that goes through {@code java.sql.Timestamp} or {@code Date} sends Julian calendar dates (days
     * apart from the ISO ones); PostgreSQL spells years before 1 with BC, and reads no sign before a five-digit year.
     * Values outside take the statements that bind through Hibernate's own binders.
     */
    public static boolean isoYear(int year) {
        return year >= 1583 && year <= 9999;
    }

    /** Whether {@code instant} falls in {@link #isoYear}'s range (UTC). */
    static boolean isoInstant(Instant instant) {
        return isoSecond(instant.getEpochSecond());
    }

    /** Whether the UTC epoch second {@code seconds} falls in {@link #isoYear}'s range. */
    static boolean isoSecond(long seconds) {
        return seconds >= FIRST_ISO_SECOND && seconds < AFTER_ISO_SECONDS;
    }

    /** {@link #isoYear}'s range as UTC epoch seconds, for instants (no date arithmetic per value). */
    private static final long FIRST_ISO_SECOND = LocalDateTime.of(1583, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final long AFTER_ISO_SECONDS = LocalDateTime.of(10000, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);

    /**
     * The column's value in SQL, given the unnested element {@code element}: the element itself, or for
     * {@link Kind#EPOCH_MICROS} the instant it counts. An {@code interval} multiplication goes through {@code float8},
     * exact for whole numbers up to 2^53: within 285 years of 1970 (1685-2255) one multiplication of microseconds
     * is exact, and half the server's work of the two exact integer steps that every other year takes (200,000
     * values, PostgreSQL 15: 19 ms against 28-46 ms). A value of {@code timestamp(p)} rounds on assignment, as from
     * Hibernate's own insert.
     */
    public String value(String element) {
        return kind != Kind.EPOCH_MICROS ? element
                : "(case when " + element + " between -" + EXACT_MICROS + " and " + EXACT_MICROS
                        + " then timestamptz 'epoch' + " + element + " * interval '1 microsecond'"
                        + " else timestamptz 'epoch' + (" + element + " / 1000000) * interval '1 second' + ("
                        + element + " % 1000000) * interval '1 microsecond' end)";
    }

    /** 2^53: every whole number of microseconds up to it is exact as a {@code float8}. */
    private static final long EXACT_MICROS = 1L << 53;

    public java.sql.Array create(Connection connection, Object[] elements) throws SQLException {
        return connection.createArrayOf(kind.arrayType, elements);
    }
}
