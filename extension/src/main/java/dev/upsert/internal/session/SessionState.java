package dev.upsert.internal.session;

import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.resource.transaction.spi.TransactionCoordinator;

/**
 * The library's state in one session, one value per {@link Slot}.
 * <p>
 * Hibernate's event listeners, persisters and generators are shared by every session of a SessionFactory, and 6.6 to
 * 7.3 give a session no place for an extension's state (7.4's {@code Session.getExtension} is the first). A global
 * map keyed by session needs a lock that every transaction of every thread takes several times; measured under
 * eight threads (W4 of the benchmark), its monitor was where they queued. So the state lives in the session's own
 * transaction coordinator, which the library decorates for resource-local transactions ({@link Holder}): a field read,
 * no lock, gone with the session. A session without that decoration or sharing another session's coordinator
 * ({@code sessionWithOptions().connection()}) falls back to a synchronized map with weak keys. JTA sessions are
 * without it: Hibernate finds a JTA coordinator by its class ({@code delayedAfterCompletion} tests
 * {@code instanceof JtaTransactionCoordinatorImpl}), so a decorated one would lose its delayed after-completion.
 * <p>
 * A session is used by one thread at a time, so a slot's value needs no lock of its own.
 */
public final class SessionState {

    /** A place for one kind of value in every session's state; create one per kind, as a constant. */
    public static final class Slot<T> {
        private static int count;
        private final int index;

        public Slot() {
            synchronized (Slot.class) {
                index = count++;
            }
        }
    }

    /** Implemented by the transaction coordinator the library decorates: one per session, built with it. */
    public interface Holder {
        /** The state of {@code session}, or null when this coordinator is not {@code session}'s own. */
        SessionState sessionState(SharedSessionContractImplementor session);
    }

    private static final Map<SharedSessionContractImplementor, SessionState> UNDECORATED = new WeakHashMap<>();

    private Object[] values = new Object[4];

    /** For a {@link Holder}, which keeps the one of its session. */
    public SessionState() {
    }

    /** The state of {@code session}. */
    public static SessionState of(SharedSessionContractImplementor session) {
        TransactionCoordinator coordinator = session.getTransactionCoordinator();
        if (coordinator instanceof Holder holder) {
            SessionState own = holder.sessionState(session);
            if (own != null) {
                return own;
            }
        }
        synchronized (UNDECORATED) {
            return UNDECORATED.computeIfAbsent(session, s -> new SessionState());
        }
    }

    /** The value in {@code slot}, or null. */
    @SuppressWarnings("unchecked")
    public <T> T get(Slot<T> slot) {
        return slot.index < values.length ? (T) values[slot.index] : null;
    }

    /** The value in {@code slot}, created by {@code create} and kept if there is none. */
    public <T> T computeIfAbsent(Slot<T> slot, Supplier<T> create) {
        T value = get(slot);
        if (value == null) {
            value = create.get();
            set(slot, value);
        }
        return value;
    }

    /** Puts {@code value} (null: clears the slot). */
    public <T> void set(Slot<T> slot, T value) {
        if (slot.index >= values.length) {
            values = Arrays.copyOf(values, Math.max(slot.index + 1, values.length * 2));
        }
        values[slot.index] = value;
    }
}
