package dev.upsert.internal.exception;

import dev.upsert.internal.persister.IdentityBlockGenerator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.generator.Generator;
import org.hibernate.id.IdentityGenerator;
import org.hibernate.id.enhanced.PooledOptimizer;
import org.hibernate.id.enhanced.SequenceStyleGenerator;
import org.hibernate.metamodel.mapping.BasicValuedModelPart;
import org.hibernate.persister.entity.EntityPersister;

import dev.upsert.SequenceDrift;
import dev.upsert.internal.catalog.FreeConnection;

/**
 * Whether the sequence behind a generated id is behind its table. Which ids are generated, and by which kind of
 * sequence, is taken from the metamodel when the SessionFactory is built (no query); the sequence itself (an
 * identity's or serial's own, a {@code nextval} default's, or the {@code @SequenceGenerator}'s) and the values are
 * read only when asked: at boot ({@code upsert.check_sequences}) and after a 23505 on exactly such an id column.
 */
public final class SequenceDriftCheck {

    /** A root entity's single-column generated id; {@code sequence} null when the column's default generates it. */
    record GeneratedId(EntityPersister persister, String table, String column, String sequence, boolean pooled) {
    }

    // The sequence: the generator's, else the one the column owns (identity: deptype i, serial: deptype a), else the
    // one its default calls (nextval('s') depends on s). pg_sequence_last_value is null until the first nextval.
    private static final String SEQUENCE = """
            select quote_ident(sn.nspname) || '.' || quote_ident(sc.relname), pg_sequence_last_value(sc.oid),
                   s.seqincrement, s.seqstart, quote_ident(tn.nspname) || '.' || quote_ident(tc.relname)
              from pg_class tc
              join pg_namespace tn on tn.oid = tc.relnamespace
              join pg_attribute a on a.attrelid = tc.oid and a.attname = ? and not a.attisdropped
              join pg_class sc on sc.oid = coalesce(to_regclass(?),
                   (select d.objid from pg_depend d join pg_class x on x.oid = d.objid and x.relkind = 'S'
                     where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
                       and d.refobjid = tc.oid and d.refobjsubid = a.attnum and d.deptype in ('a', 'i') limit 1),
                   (select d.refobjid from pg_attrdef ad
                      join pg_depend d on d.classid = 'pg_attrdef'::regclass and d.objid = ad.oid
                                      and d.refclassid = 'pg_class'::regclass
                      join pg_class x on x.oid = d.refobjid and x.relkind = 'S'
                     where ad.adrelid = tc.oid and ad.adnum = a.attnum limit 1))
              join pg_namespace sn on sn.oid = sc.relnamespace
              join pg_sequence s on s.seqrelid = sc.oid
             where tc.oid = to_regclass(?)
            """;

    private final SessionFactoryImplementor factory;
    private final List<GeneratedId> ids;

    public SequenceDriftCheck(SessionFactoryImplementor factory) {
        this.factory = factory;
        List<GeneratedId> found = new ArrayList<>();
        if (factory.getJdbcServices().getDialect() instanceof PostgreSQLDialect) {
            factory.getMappingMetamodel().forEachEntityDescriptor(persister -> {
                GeneratedId id = generatedId(factory, persister);
                if (id != null) {
                    found.add(id);
                }
            });
        }
        found.sort(Comparator.comparing(id -> id.persister().getEntityName()));
        this.ids = List.copyOf(found);
    }

    private static GeneratedId generatedId(SessionFactoryImplementor factory, EntityPersister persister) {
        if (persister.getRootEntityDescriptor().getEntityPersister() != persister) {
            return null;
        }
        BasicValuedModelPart id = persister.getIdentifierMapping().asBasicValuedModelPart();
        if (id == null || !Number.class.isAssignableFrom(id.getJavaType().getJavaTypeClass())
                && !id.getJavaType().getJavaTypeClass().isPrimitive()) {
            return null;
        }
        String table = persister.getMappedTableDetails().getTableName();
        Generator generator = persister.getGenerator();
        if (generator instanceof IdentityBlockGenerator block) {
            generator = block.replaced;  // an @Upsert entity's ids drawn in blocks: still the mapped sequence or identity
        }
        if (generator instanceof SequenceStyleGenerator sequence && sequence.getDatabaseStructure().isPhysicalSequence()) {
            String name = factory.getSqlStringGenerationContext().format(sequence.getDatabaseStructure().getPhysicalName());
            return new GeneratedId(persister, table, id.getSelectionExpression(), name,
                    sequence.getOptimizer() instanceof PooledOptimizer);
        }
        if (persister.isIdentifierAssignedByInsert() || generator instanceof IdentityGenerator) {
            return new GeneratedId(persister, table, id.getSelectionExpression(), null, false);
        }
        return null;
    }

    /**
     * After a 23505 on {@code schema.table (columns)}: the drift, if one of {@code columns} is a mapped generated id,
     * its sequence is behind, and a connection is free at once. Nothing at all runs for a key without the id. A key
     * of more columns counts too: on a Citus distributed table the primary key must include the distribution column,
     * {@code (tenant_id, id)}, and there a generated id that collides is as much a sign of drift; {@link #drift}
     * reports one only if the sequence is really behind the table.
     */
    public Optional<SequenceDrift> afterViolation(String schema, String table, List<String> columns) {
        if (columns.isEmpty() || table == null) {
            return Optional.empty();
        }
        GeneratedId id = null;
        for (GeneratedId candidate : ids) {
            if (DuplicateKeyContext.sameTable(candidate.table(), schema, table) && columns.stream()
                    .anyMatch(c -> DuplicateKeyContext.normalize(c).equals(DuplicateKeyContext.normalize(candidate.column())))) {
                id = candidate;
            }
        }
        if (id == null) {
            return Optional.empty();
        }
        Connection connection = FreeConnection.obtain(factory);
        if (connection == null) {
            return Optional.empty();
        }
        try {
            return drift(connection, id, true);
        } catch (SQLException | RuntimeException e) {
            return Optional.empty();  // a diagnosis, never a second failure
        } finally {
            FreeConnection.release(factory, connection);
        }
    }

    public boolean isEmpty() {
        return ids.isEmpty();
    }

    /** At boot: one line per drifted sequence, naming the entity, the sequence and the repair. */
    public List<String> driftedAtBoot(Connection connection) throws SQLException {
        List<String> lines = new ArrayList<>();
        for (GeneratedId id : ids) {
            Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
            try {
                drift(connection, id, false).ifPresent(drift -> lines.add("entity "
                        + id.persister().getMappedClass().getSimpleName() + ": sequence " + drift.sequenceName()
                        + " is behind table " + id.table() + " (its next value is not above the largest " + id.column()
                        + "), so new rows would fail with 23505 on the primary key; repair it with: " + drift.repairSql()));
            } catch (SQLException e) {
                if (savepoint != null) {
                    connection.rollback(savepoint);  // an error aborts an open transaction; the next entity still runs
                }
                // a table or sequence that does not exist (yet): nothing to compare
            }
        }
        return lines;
    }

    static Optional<SequenceDrift> drift(Connection connection, GeneratedId id, boolean afterViolation) throws SQLException {
        String sequence;
        Long lastValue;
        long increment;
        long start;
        String table;
        try (PreparedStatement ps = connection.prepareStatement(SEQUENCE)) {
            ps.setString(1, DuplicateKeyContext.normalize(id.column()));
            ps.setString(2, id.sequence());
            ps.setString(3, id.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                sequence = rs.getString(1);
                lastValue = rs.getObject(2) == null ? null : rs.getLong(2);
                increment = rs.getLong(3);
                start = rs.getLong(4);
                table = rs.getString(5);
            }
        }
        Long max;
        try (PreparedStatement ps = connection.prepareStatement("select max(" + id.column() + ") from " + table);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            max = rs.getObject(1) == null ? null : rs.getLong(1);
        }
        if (max == null || increment <= 0) {
            return Optional.empty();
        }
        // At boot: the values the sequence hands out next. After a violation: the ones it handed out last, which the
        // failed insert used (a healthy sequence never hands out an id at or below the table's largest).
        long value = lastValue == null ? start : afterViolation ? lastValue : lastValue + increment;
        // Hibernate's pooled optimizer hands out the increment-1 values below each sequence value too
        long lowest = id.pooled() ? value - increment + 1 : value;
        if (lowest > max) {
            return Optional.empty();
        }
        String repair = "select setval('" + sequence.replace("'", "''") + "', (select max(" + id.column() + ") from "
                + table + "))";
        return Optional.of(new SequenceDrift(sequence, lastValue == null ? start : lastValue, max, repair));
    }
}
