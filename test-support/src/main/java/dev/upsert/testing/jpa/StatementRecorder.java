package dev.upsert.testing.jpa;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Every SQL string a session factory prepares, in order: pass {@link #setting()} to the persistence unit, then
 * assert on the recorder (it is an {@link Iterable}, so AssertJ's {@code assertThat(recorder)} reads the
 * statements).
 *
 * <pre>{@code
 * StatementRecorder statements = new StatementRecorder();
 * EntityManagerFactory emf = PersistenceUnit.inSchema(db, "drop-and-create", statements.setting(), Account.class);
 * statements.clear();
 * ... persist, flush ...
 * assertThat(statements).singleElement().asString().startsWith("insert into account");
 * }</pre>
 *
 * One instance serves every session of the factory (Hibernate takes an instance as well as a class name), so it
 * records from all threads.
 */
public final class StatementRecorder implements StatementInspector, Iterable<String> {

    private final Predicate<String> kept;
    private final List<String> statements = new ArrayList<>();

    /** Records every statement. */
    public StatementRecorder() {
        this(sql -> true);
    }

    /** Records the statements {@code kept} accepts, e.g. {@code sql -> !sql.contains("nextval(")}. */
    public StatementRecorder(Predicate<String> kept) {
        this.kept = kept;
    }

    /** The setting that installs this recorder: {@code hibernate.session_factory.statement_inspector}. */
    public Map<String, Object> setting() {
        return Map.of("hibernate.session_factory.statement_inspector", this);
    }

    @Override
    public String inspect(String sql) {
        if (kept.test(sql)) {
            synchronized (statements) {
                statements.add(sql);
            }
        }
        return sql;
    }

    /** Forgets what was recorded so far (after the boot and the warm-up, before what a test counts). */
    public void clear() {
        synchronized (statements) {
            statements.clear();
        }
    }

    /** A copy of what was recorded, in order. */
    public List<String> statements() {
        synchronized (statements) {
            return List.copyOf(statements);
        }
    }

    public Stream<String> stream() {
        return statements().stream();
    }

    @Override
    public Iterator<String> iterator() {
        return statements().iterator();
    }

    @Override
    public String toString() {
        return statements().toString();
    }
}
