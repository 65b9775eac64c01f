package dev.upsert.internal.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;

import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.generator.BeforeExecutionGenerator;
import org.hibernate.generator.EventType;
import org.hibernate.generator.EventTypeSets;
import org.hibernate.id.Assigned;
import org.hibernate.id.IdentityGenerator;
import org.junit.jupiter.api.Test;

/** The per-line answers that must agree on both lines, whichever line this run compiled. */
class HibernateAccessTest {

    private static final HibernateAccess ACCESS = HibernateAccess.get();

    /** Persist reads an assigned id from the entity and sets none: 6.6's Assigned claims to generate on insert. */
    @Test
    void persistSetsNoIdForAnAssignedOne() {
        assertThat(ACCESS.setsGeneratedIdAtPersist(new Assigned(), new Object(), null)).isFalse();
    }

    @Test
    void persistSetsNoIdGeneratedByTheInsert() {
        assertThat(ACCESS.setsGeneratedIdAtPersist(new IdentityGenerator(), new Object(), null)).isFalse();
    }

    @Test
    void persistSetsAnIdGeneratedBeforeTheInsert() {
        assertThat(ACCESS.setsGeneratedIdAtPersist(new Before(), new Object(), null)).isTrue();
    }

    /** A sequence, UUID or block of ids: generated in Java before the statement. */
    private static final class Before implements BeforeExecutionGenerator {
        @Override
        public Object generate(SharedSessionContractImplementor session, Object owner, Object currentValue,
                               EventType eventType) {
            return 1L;
        }

        @Override
        public EnumSet<EventType> getEventTypes() {
            return EventTypeSets.INSERT_ONLY;
        }
    }
}
