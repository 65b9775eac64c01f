package dev.upsert.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

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
    void otherStatesAndDriversAreNotDuplicates() {
        assertThat(DuplicateKeyServerError.find(new SQLException("boom", "23505"))).isNull();
        assertThat(DuplicateKeyServerError.find(new PSQLException(new ServerErrorMessage("SERROR\0C23503\0Mfk\0")))).isNull();
        assertThat(DuplicateKeyServerError.find(null)).isNull();
        SQLException loop = new SQLException("loop", "23505");
        loop.setNextException(loop);
        assertThat(DuplicateKeyServerError.find(loop)).isNull();
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
        assertThat(e.getCause()).isSameAs(server);
        assertThat(DuplicateKeyException.find(new RuntimeException("no database here"))).isEmpty();
        assertThat(DuplicateKeyException.find(null)).isEmpty();
    }

    @Test
    void localizedOrHiddenDetailLeavesEverythingButTheValues() {
        for (String detail : new String[] {null, "Schlüssel »(tenant_id, slug)=(1, home)« existiert bereits.",
                "La clé « (tenant_id, slug)=(1, home) » existe déjà."}) {
            DuplicateKeyException e = DuplicateKeyException.find(unique(detail)).orElseThrow();
            assertThat(e.getConstraintName()).isEqualTo("pages_tenant_slug_uq");
            assertThat(e.getSchemaName()).isEqualTo("app");
            assertThat(e.getTableName()).isEqualTo("pages");
            assertThat(e.getKeyValues()).isEmpty();
            assertThat(e.getMessage()).doesNotContain("home");
        }
    }
}
