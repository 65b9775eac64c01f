package dev.upsert.internal.exception;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.List;

import jakarta.persistence.RollbackException;

import org.hibernate.TransactionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import dev.upsert.DuplicateKeyException;

/** Finding the server's fields in the shapes pgjdbc and Hibernate nest them in, without a database. */
class DuplicateKeyServerErrorTest {

    static PSQLException unique(String detail) {
        String fields = "SERROR\0VERROR\0C23505\0Mduplicate key value violates unique constraint \"pages_tenant_slug_uq\"\0"
                + (detail == null ? "" : "D" + detail + "\0") + "sapp\0tpages\0npages_tenant_slug_uq\0";
        return new PSQLException(new ServerErrorMessage(fields));
    }

    @Test
    void foundInBatchUpdateExceptionNextExceptionAndCauses() {
        PSQLException server = unique("Key (tenant_id, slug)=(1, home) already exists.");
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", "23505", 0, new int[0], server);
        batch.setNextException(server);

        DuplicateKeyServerError error = DuplicateKeyServerError.find(new RuntimeException(batch));
        assertThat((Object) error.exception()).isSameAs(server);
        assertThat(error.schema()).isEqualTo("app");
        assertThat(error.table()).isEqualTo("pages");
        assertThat(error.constraint()).isEqualTo("pages_tenant_slug_uq");
        assertThat(error.detail()).isEqualTo("Key (tenant_id, slug)=(1, home) already exists.");
        assertThat(DuplicateKeyServerError.isUniqueViolation(batch)).isTrue();
    }

    @Test
    void aCitusWorkersErrorNamesTheShardsIndexInItsMessageOnly() {
        // what the coordinator re-raises: message and DETAIL, no schema, table or constraint field
        PSQLException citus = new PSQLException(new ServerErrorMessage("SERROR\0VERROR\0C23505\0Mduplicate key value violates"
                + " unique constraint \"account_tenant_id_email_key_102009\"\0DKey (tenant_id, email)=(1, ann@x.org) already exists.\0"
                + "Wwhile executing command on 127.0.0.1:9701\0"));
        DuplicateKeyServerError error = DuplicateKeyServerError.find(citus);
        assertThat(error.table()).isNull();
        assertThat(error.reportedIndex()).isEqualTo("account_tenant_id_email_key_102009");
        DuplicateKeyServerError resolved = error.resolved("app", "account", "account_tenant_id_email_key");
        assertThat(resolved.constraint()).isEqualTo("account_tenant_id_email_key");
        assertThat(resolved.reportedIndex()).as("a resolved error is not resolved again").isNull();
        // PostgreSQL's own error has its fields: the message is not read
        assertThat(DuplicateKeyServerError.find(unique(null)).reportedIndex()).isNull();
    }

    @Test
    void otherStatesAndDriversAreNotDuplicates() {
        assertThat(DuplicateKeyServerError.find(new SQLException("boom", "23505"))).isNull();
        assertThat(DuplicateKeyServerError.find(new PSQLException(new ServerErrorMessage("SERROR\0C23503\0Mfk\0")))).isNull();
        assertThat(DuplicateKeyServerError.find(null)).isNull();
        SQLException loop = new SQLException("loop", "23505");
        loop.setNextException(loop);
        assertThat(DuplicateKeyServerError.find(loop)).isNull();
    }

    /** Narayana's one-phase commit: a RollbackException without a cause, the resource's XAException suppressed on it. */
    @Test
    void findSearchesSuppressedExceptionsAndTheirCauses() {
        PSQLException server = unique("Key (tenant_id, slug)=(1, home) already exists.");
        javax.transaction.xa.XAException xa = new javax.transaction.xa.XAException("Error trying to transactionCommit local transaction");
        xa.initCause(server);
        jakarta.transaction.RollbackException rollback = new jakarta.transaction.RollbackException("ARJUNA016053: Could not commit transaction.");
        rollback.addSuppressed(xa);

        DuplicateKeyException e = DuplicateKeyException.find(new RuntimeException("Error invoking subclass method", rollback)).orElseThrow();
        assertThat(e.getConstraintName()).isEqualTo("pages_tenant_slug_uq");
        assertThat(e.getColumnNames()).containsExactly("tenant_id", "slug");
        Throwable selfSuppressing = new RuntimeException("loop");
        selfSuppressing.addSuppressed(new RuntimeException("no cause", selfSuppressing));
        assertThat(DuplicateKeyException.find(selfSuppressing)).isEmpty();
    }

    @Test
    void findConvertsAnUnconvertedServerErrorUnderACommitFailure() {
        PSQLException server = unique("Key (tenant_id, slug)=(1, home) already exists.");
        RollbackException commit = new RollbackException("Error while committing the transaction",
                new TransactionException("Unable to commit against JDBC Connection", server));

        DuplicateKeyException e = DuplicateKeyException.find(commit).orElseThrow();
        assertThat(e.getConstraintName()).isEqualTo("pages_tenant_slug_uq");
        assertThat(e.getSchemaName()).isEqualTo("app");
        assertThat(e.getTableName()).isEqualTo("pages");
        assertThat(e.getColumnNames()).containsExactly("tenant_id", "slug");
        assertThat(e.getEntityClass()).isEmpty();
        assertThat(e.getAttributeNames()).isEmpty();
        assertThat(e.getKeyValues()).containsExactly(entry("tenant_id", "1"), entry("slug", "home"));
        assertThat(e.getMessage()).doesNotContain("home").contains("pages_tenant_slug_uq", "25P02");
        assertRedactedCopyOf(e, server);
        assertThat(DuplicateKeyException.find(new RuntimeException("no database here"))).isEmpty();
        assertThat(DuplicateKeyException.find(null)).isEmpty();
    }

    /**
     * The fields a German and a French PostgreSQL 15 sent for the same 23505 (lc_messages de_DE.UTF-8 / fr_FR.UTF-8,
     * Debian's postgres-15.mo), byte for byte, and a hidden DETAIL. Without a SessionFactory nothing knows the
     * catalog or the entity: constraint, schema and table are complete, columns and values are empty (unknown), never
     * read out of the translated sentence.
     */
    @Test
    void localizedOrHiddenDetailLeavesEverythingButColumnsAndValues() {
        String german = "SFEHLER\0VERROR\0C23505\0"
                + "Mdoppelter Schlüsselwert verletzt Unique-Constraint »pages_tenant_slug_uq«\0"
                + "DSchlüssel »(tenant_id, slug)=(1, home)« existiert bereits.\0"
                + "sapp\0tpages\0npages_tenant_slug_uq\0Fnbtinsert.c\0L664\0R_bt_check_unique\0";
        String french = "SERREUR\0VERROR\0C23505\0"
                + "Mla valeur d'une clé dupliquée rompt la contrainte unique « pages_tenant_slug_uq »\0"
                + "DLa clé « (tenant_id, slug)=(1, home) » existe déjà.\0"
                + "sapp\0tpages\0npages_tenant_slug_uq\0Fnbtinsert.c\0L664\0R_bt_check_unique\0";
        for (PSQLException server : List.of(new PSQLException(new ServerErrorMessage(german)),
                new PSQLException(new ServerErrorMessage(french)), unique(null))) {
            DuplicateKeyServerError error = DuplicateKeyServerError.find(server);
            assertThat(error.detail()).isEqualTo(server.getServerErrorMessage().getDetail());

            DuplicateKeyException e = DuplicateKeyException.find(server).orElseThrow();
            assertThat(e.getConstraintName()).isEqualTo("pages_tenant_slug_uq");
            assertThat(e.getSchemaName()).isEqualTo("app");
            assertThat(e.getTableName()).isEqualTo("pages");
            assertThat(e.getSQLState()).isEqualTo("23505");
            assertThat(e.getColumnNames()).isEmpty();
            assertThat(e.getEntityClass()).isEmpty();
            assertThat(e.getAttributeNames()).isEmpty();
            assertThat(e.getKeyValues()).isEmpty();
            assertRedactedCopyOf(e, server);
            assertThat(e.getMessage()).isEqualTo("Duplicate key: unique key \"pages_tenant_slug_uq\" on table app.pages"
                    + " is already taken. PostgreSQL has aborted the transaction (further statements fail with 25P02):"
                    + " retry in a new transaction, or use @Upsert(action = NOTHING) to skip duplicates.");
        }
    }

    /**
     * The cause is the driver's exception without DETAIL in its message (a stack trace prints it), its server fields
     * the driver's own.
     */
    private static void assertRedactedCopyOf(DuplicateKeyException e, PSQLException server) {
        assertThat(e.getCause()).isInstanceOf(PSQLException.class).isSameAs(e.getSQLException());
        PSQLException copy = (PSQLException) e.getCause();
        assertThat(copy.getServerErrorMessage()).isSameAs(server.getServerErrorMessage());
        assertThat(copy.getSQLState()).isEqualTo("23505");
        assertThat(copy.getStackTrace()).isEqualTo(server.getStackTrace());
        assertThat(copy.getMessage()).contains("pages_tenant_slug_uq").doesNotContain("home");
    }
}
