package dev.upsert.upsert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.persistence.Column;
import jakarta.persistence.DiscriminatorValue;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Embedded;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.OneToMany;
import jakarta.persistence.SecondaryTable;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;

import org.hibernate.MappingException;
import org.hibernate.annotations.CreationTimestamp;
import org.hibernate.annotations.DiscriminatorFormula;
import org.hibernate.annotations.DynamicInsert;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.upsert.Upsert;
import dev.upsert.UpsertOutcome;
import dev.upsert.UpsertSettings;
import dev.upsert.Upserts;
import dev.upsert.testing.PostgresTest;
import dev.upsert.testing.TestSchema;

/**
 * Every misconfiguration the extension detects, one case per message: the SessionFactory is not built, the one
 * exception is the extension's ({@code UpsertMappingException}, a Hibernate {@link MappingException}), and its
 * single line names the entity, the attribute or setting where there is one, and the fix. Then: all problems of all
 * entities come in one exception, each once; with {@code upsert.validate_schema=false} the catalog problems surface
 * at the first persist instead; and misuse of {@link Upserts}.
 */
@PostgresTest
class UpsertMisconfigurationIT {

    private static final String MAPPING = "Invalid @Upsert mapping";
    private static final String SETTINGS = "Invalid upsert-hibernate settings";
    private static final Map<String, Object> NO_DDL = Map.of("jakarta.persistence.schema-generation.database.action", "none");

    // ---- entities, each with one mistake; tables are named after the entity so the cases never share one ----------

    @Entity @Table(name = "fine") @Upsert
    static class Fine { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; String name; }

    /** SINGLE_TABLE (the default) with @Upsert on a subclass only: the other entities would insert plainly. */
    @Entity @Table(name = "base_thing") @Inheritance
    static class BaseThing { @Id Long id; @Column(unique = true) String name; }

    @Entity @Upsert(on = "name") static class SubThing extends BaseThing { String extra; }

    @Entity @Table(name = "twice_base") @Upsert(on = "name")
    static class TwiceBase { @Id Long id; @Column(unique = true) String name; }

    @Entity @Upsert(on = "name") static class TwiceSub extends TwiceBase { String extra; }

    @Entity @Table(name = "formula_base") @DiscriminatorFormula("case when extra is null then 'B' else 'S' end")
    @DiscriminatorValue("B") @Upsert(on = "name")
    static class FormulaBase { @Id Long id; @Column(unique = true) String name; String extra; }

    @Entity @DiscriminatorValue("S") static class FormulaSub extends FormulaBase { }

    @Entity @Table(name = "null_kind_base") @DiscriminatorValue("null") @Upsert(on = "name")
    static class NullKindBase { @Id Long id; @Column(unique = true) String name; }

    @Entity @DiscriminatorValue("N") static class NullKindSub extends NullKindBase { String extra; }

    @Entity @Table(name = "soft_base") @org.hibernate.annotations.SoftDelete @Upsert(on = "name")
    static class SoftBase { @Id Long id; @Column(unique = true) String name; }

    @Entity static class SoftSub extends SoftBase { String extra; }

    /** A subclass's own unique attribute is no conflict target of the hierarchy: the root's key is. */
    @Entity @Table(name = "sub_key_base") @Upsert(on = "code")
    static class SubKeyBase { @Id Long id; String name; }

    @Entity static class SubKeySub extends SubKeyBase { @Column(unique = true) String code; }

    @Entity @Table(name = "joined_base") @Inheritance(strategy = InheritanceType.JOINED) @Upsert(on = "name")
    static class JoinedBase { @Id Long id; @Column(unique = true) String name; }

    @Entity @Table(name = "joined_sub") static class JoinedSub extends JoinedBase { String extra; }

    @Entity @Table(name = "union_base") @Inheritance(strategy = InheritanceType.TABLE_PER_CLASS) @Upsert(on = "name")
    static class UnionBase { @Id Long id; @Column(unique = true) String name; }

    @Entity @Table(name = "union_sub") static class UnionSub extends UnionBase { String extra; }

    @Entity @Table(name = "two_tables") @SecondaryTable(name = "two_tables_more") @Upsert(on = "name")
    static class TwoTables { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String name; @Column(table = "two_tables_more") String more; }

    @Entity @Table(name = "dynamic_thing") @DynamicInsert @Upsert(on = "name")
    static class DynamicThing { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String name; }

    @Embeddable
    static class PairId { long a; long b; }

    @Entity @Table(name = "composite_id_thing") @Upsert(on = "name")
    static class CompositeIdThing { @EmbeddedId PairId id; @Column(unique = true) String name; }

    @Entity @Table(name = "instant_version") @Upsert(on = "name")
    static class InstantVersion { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String name; @Version Instant version; }

    @Entity @Table(name = "on_and_constraint") @Upsert(on = "name", constraint = "on_and_constraint_name_key")
    static class OnAndConstraint { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String name; }

    @Entity @Table(name = "where_and_constraint") @Upsert(constraint = "where_and_constraint_name_key", where = "name is not null")
    static class WhereAndConstraint { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String name; }

    @Entity @Table(name = "nothing_with_update") @Upsert(on = "email", action = Upsert.Action.NOTHING, update = "name", skipUnchanged = true)
    static class NothingWithUpdate { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; String name; }

    @Entity @Table(name = "update_and_exclude") @Upsert(on = "email", update = "name", exclude = "note")
    static class UpdateAndExclude { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; String name; String note; }

    @Entity @Table(name = "missing_key") @Upsert(on = "mail")
    static class MissingKey { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; String name; }

    @Embeddable
    static class TenantCode { @Column(name = "tenant_id") long tenantId; String code; }

    @Entity @Table(name = "missing_path", uniqueConstraints = @UniqueConstraint(columnNames = {"tenant_id", "code"})) @Upsert(on = {"key.tenant", "key.code"})
    static class MissingPath { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Embedded TenantCode key; String name; }

    @Entity @Table(name = "id_key") @Upsert(on = "id")
    static class IdKey { @Id Long id; String name; }

    @Entity @Table(name = "collection_key") @Upsert(on = "tags")
    static class CollectionKey { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @ElementCollection Set<String> tags; String name; }

    @Entity @Table(name = "missing_update") @Upsert(on = "email", update = "nmae")
    static class MissingUpdate { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; String name; }

    @Entity @Table(name = "missing_exclude") @Upsert(on = "email", exclude = "nmae")
    static class MissingExclude { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; String name; }

    @Entity @Table(name = "nested_update", uniqueConstraints = @UniqueConstraint(columnNames = {"tenant_id", "code"}))
    @Upsert(on = {"key.tenantId", "key.code"}, update = "key.code")
    static class NestedUpdate { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Embedded TenantCode key; String name; }

    @Entity @Table(name = "update_key") @Upsert(on = "email", update = "email")
    static class UpdateKey { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; String name; }

    @Entity @Table(name = "update_id") @Upsert(on = "email", update = "id")
    static class UpdateId { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; String name; }

    @Entity @Table(name = "update_version") @Upsert(on = "email", update = "version")
    static class UpdateVersion { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; @Version int version; }

    @Entity @Table(name = "update_insert_only") @Upsert(on = "email", update = "createdAt")
    static class UpdateInsertOnly { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; @CreationTimestamp Instant createdAt; }

    @Entity @Table(name = "no_key") @Upsert
    static class NoKey { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; String email; }

    @Entity @Table(name = "two_keys") @Upsert
    static class TwoKeys { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; @Column(unique = true) String handle; }

    @Entity @Table(name = "owner")
    static class Owner { @Id Long id; }

    @Entity @Table(name = "stale_association") @Upsert(on = "email", exclude = "owner")
    static class StaleAssociation { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; @ManyToOne Owner owner; }

    @Embeddable
    static class Address { String city; String street; }

    @Entity @Table(name = "stale_embeddable") @Upsert(on = "email", skipUnchanged = true)
    static class StaleEmbeddable { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; @Embedded Address address; }

    @Entity @Table(name = "dialect_thing") @Upsert(on = "email")
    static class DialectThing { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; }

    @MappedSuperclass @Upsert(on = "email")
    static class UpsertBase { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; }

    @Entity @Table(name = "inherits_upsert")
    static class InheritsUpsert extends UpsertBase { String name; }

    @Entity @Table(name = "resolver_thing") @Upsert(on = "email")
    static class ResolverThing { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; }

    @Entity @Table(name = "no_index") @Upsert(on = "email")
    static class NoIndex { @Id Long id; String email; }

    @Entity @Table(name = "no_such_constraint") @Upsert(constraint = "no_such")
    static class NoSuchConstraint { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; }

    @Entity @Table(name = "deferred_by_name") @Upsert(constraint = "deferred_by_name_code_key")
    static class DeferredByName { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; String code; }

    @Entity @Table(name = "deferred_by_on") @Upsert(on = "code")
    static class DeferredByOn { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; String code; }

    @Entity @Table(name = "partial_other_where") @Upsert(on = "email", where = "deleted_at is not null")
    static class PartialOtherWhere { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; String email; @Column(name = "deleted_at") Instant deletedAt; }

    @Entity @Table(name = "partial_no_where") @Upsert(on = "email")
    static class PartialNoWhere { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; String email; @Column(name = "deleted_at") Instant deletedAt; }

    @Entity @Table(name = "missing_table") @Upsert(on = "email")
    static class MissingTable { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; }

    @Entity @Table(name = "bad_update_where") @Upsert(on = "email", updateWhere = "excluded.nope > bad_update_where.nope")
    static class BadUpdateWhere { @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id; @Column(unique = true) String email; String name; }

    @Entity @Table(name = "generated_key") @Upsert(on = "slug", action = Upsert.Action.NOTHING)
    static class GeneratedKey {
        @Id @GeneratedValue(strategy = GenerationType.IDENTITY) Long id;
        String title;
        @org.hibernate.annotations.Generated @Column(insertable = false, updatable = false) String slug;
    }

    // ---- the cases ------------------------------------------------------------------------------------------------

    /** One boot: these entities, settings and SQL run first; the exception must hold one line with every fragment. */
    record Mistake(List<Class<?>> entities, Map<String, Object> settings, String sql, String heading, List<String> fragments) {
    }

    private static Named<Mistake> mistake(String name, List<Class<?>> entities, String... fragments) {
        return Named.of(name, new Mistake(entities, Map.of(), null, MAPPING, List.of(fragments)));
    }

    private static Named<Mistake> mistake(String name, Class<?> entity, String... fragments) {
        return mistake(name, List.of(entity), fragments);
    }

    private static Named<Mistake> withSql(String name, Class<?> entity, String sql, String... fragments) {
        return Named.of(name, new Mistake(List.of(entity), NO_DDL, sql, MAPPING, List.of(fragments)));
    }

    private static Named<Mistake> withSettings(String name, Class<?> entity, Map<String, Object> settings, String heading,
                                               String... fragments) {
        return Named.of(name, new Mistake(List.of(entity), settings, null, heading, List.of(fragments)));
    }

    static Stream<Named<Mistake>> mistakes() {
        return Stream.of(
                // checked on the boot model, before any SQL
                mistake("@Upsert on a subclass only", List.of(BaseThing.class, SubThing.class),
                        "@Upsert on SubThing: an entity below the root of an inheritance hierarchy cannot choose its own upsert",
                        "move @Upsert to the root entity BaseThing (it applies to every entity of the hierarchy)"),
                mistake("@Upsert on the root and a subclass", List.of(TwiceBase.class, TwiceSub.class),
                        "@Upsert on TwiceSub: the @Upsert on its root entity TwiceBase applies to every entity of the "
                        + "hierarchy", "remove @Upsert from TwiceSub"),
                mistake("@DiscriminatorFormula", List.of(FormulaBase.class, FormulaSub.class),
                        "@Upsert on FormulaBase: @DiscriminatorFormula is not supported", "map a @DiscriminatorColumn"),
                mistake("@DiscriminatorValue(\"null\")", List.of(NullKindBase.class, NullKindSub.class),
                        "@Upsert on NullKindBase: @DiscriminatorValue(\"null\") is not supported",
                        "give NullKindBase a value of its own"),
                mistake("@SoftDelete in a hierarchy", List.of(SoftBase.class, SoftSub.class),
                        "@Upsert on SoftBase: @SoftDelete in an inheritance hierarchy is not supported yet"),
                mistake("'on' names a subclass's attribute", List.of(SubKeyBase.class, SubKeySub.class),
                        "@Upsert on SubKeyBase: 'on' names 'code', an attribute of a subclass",
                        "move 'code' to SubKeyBase or name attributes of SubKeyBase"),
                mistake("JOINED inheritance", List.of(JoinedBase.class, JoinedSub.class),
                        "@Upsert on JoinedBase: entity inheritance JOINED is not supported (a row spans the tables of its "
                        + "class hierarchy, and one INSERT ... ON CONFLICT writes one table)", "use SINGLE_TABLE inheritance"),
                mistake("TABLE_PER_CLASS inheritance", List.of(UnionBase.class, UnionSub.class),
                        "@Upsert on UnionBase: entity inheritance TABLE_PER_CLASS is not supported (each class has its own table"),
                mistake("secondary table", TwoTables.class,
                        "@Upsert on TwoTables: secondary tables are not supported: two_tables_more (more)",
                        "map the entity to one table"),
                mistake("@DynamicInsert", DynamicThing.class,
                        "@Upsert on DynamicThing: @DynamicInsert is not supported", "remove it"),
                mistake("composite id", CompositeIdThing.class,
                        "@Upsert on CompositeIdThing: the id 'id' must be a single basic attribute",
                        "give the entity a single-column id and put the composite key in @Upsert(on = ...)"),
                mistake("@Version not an integer", InstantVersion.class,
                        "@Upsert on InstantVersion: @Version attribute 'version' must be an integer type (int, long, short)"),
                mistake("'on' and 'constraint' together", OnAndConstraint.class,
                        "@Upsert on OnAndConstraint: 'on' and 'constraint' both name the conflict target; keep one of them"),
                mistake("'where' with 'constraint'", WhereAndConstraint.class,
                        "@Upsert on WhereAndConstraint: 'where' goes with 'on'", "remove 'where'"),
                mistake("update options with action = NOTHING", NothingWithUpdate.class,
                        "@Upsert on NothingWithUpdate: action = NOTHING never updates, so 'update' and 'skipUnchanged' have no effect",
                        "remove them or use action = UPDATE"),
                mistake("'update' and 'exclude' together", UpdateAndExclude.class,
                        "@Upsert on UpdateAndExclude: 'update' and 'exclude' both choose the overwritten attributes; keep one of them"),
                mistake("'on' names a missing attribute", MissingKey.class,
                        "@Upsert on MissingKey: 'on' names 'mail', which does not exist (attributes: email, name)"),
                mistake("'on' names a missing embedded path", MissingPath.class,
                        "@Upsert on MissingPath: 'on' names 'key.tenant', which does not exist (attributes: code, tenantId)"),
                mistake("'on' names the id", IdKey.class,
                        "@Upsert on IdKey: 'on' names 'id', the id, which is not supported as a conflict target",
                        "name a unique key of other attributes (to insert or update by id, use merge)"),
                mistake("'on' names a collection", CollectionKey.class,
                        "@Upsert on CollectionKey: 'on' names 'tags', a collection",
                        "name the attributes whose columns form the unique key"),
                mistake("'update' names a missing attribute", MissingUpdate.class,
                        "@Upsert on MissingUpdate: 'update' names 'nmae', which does not exist (attributes: email, name)"),
                mistake("'exclude' names a missing attribute", MissingExclude.class,
                        "@Upsert on MissingExclude: 'exclude' names 'nmae', which does not exist (attributes: email, name)"),
                mistake("'update' names a nested path", NestedUpdate.class,
                        "@Upsert on NestedUpdate: 'update' names 'key.code', a nested path; name the top-level attribute 'key'"),
                mistake("'update' names the key", UpdateKey.class,
                        "@Upsert on UpdateKey: 'update' names 'email', which is never overwritten: it is part of the conflict key",
                        "remove it from 'update'"),
                mistake("'update' names the id", UpdateId.class,
                        "@Upsert on UpdateId: 'update' names 'id', which is never overwritten: it is the id", "remove it from 'update'"),
                mistake("'update' names the version", UpdateVersion.class,
                        "@Upsert on UpdateVersion: 'update' names 'version', which is never overwritten: it is the @Version",
                        "remove it from 'update'"),
                mistake("'update' names an insert-only attribute", UpdateInsertOnly.class,
                        "@Upsert on UpdateInsertOnly: 'update' names 'createdAt', which is never overwritten: it is insert-only",
                        "remove it from 'update'"),
                mistake("no conflict target", NoKey.class,
                        "@Upsert on NoKey: no conflict target: the entity has no @NaturalId and no unique key",
                        "name one with @Upsert(on = \"...\") or @Upsert(constraint = \"...\")"),
                mistake("two unique keys and no @NaturalId", TwoKeys.class,
                        "@Upsert on TwoKeys: no conflict target: the entity has 2 unique keys [[email], [handle]] and no @NaturalId",
                        "name one with @Upsert(on = \"...\")"),
                mistake("association a conflict may leave stale", List.of(StaleAssociation.class, Owner.class),
                        "@Upsert on StaleAssociation: attribute 'owner' (an association) cannot be written back",
                        "make it part of the key, let it be overwritten unconditionally, or map its columns as basic attributes"),
                mistake("embeddable a conflict may leave stale", StaleEmbeddable.class,
                        "@Upsert on StaleEmbeddable: attribute 'address' (an embeddable) cannot be written back",
                        "make it part of the key"),
                // checked by the integrator
                withSettings("dialect other than PostgreSQL", DialectThing.class, Map.of(
                                "hibernate.dialect", "org.hibernate.dialect.MariaDBDialect",
                                "hibernate.boot.allow_jdbc_metadata_access", "false",
                                "jakarta.persistence.schema-generation.database.action", "none"), MAPPING,
                        "@Upsert on DialectThing: @Upsert needs PostgreSQL", "this SessionFactory uses MariaDBDialect",
                        "Remove @Upsert or run on PostgreSQL 13 or newer"),
                mistake("@Upsert on a @MappedSuperclass", InheritsUpsert.class,
                        "@Upsert on UpsertBase: has no effect, because UpsertBase is not an entity and @Upsert is not inherited",
                        "InheritsUpsert would persist with plain inserts; put @Upsert on the entity InheritsUpsert"),
                withSettings("persister resolver replaced", ResolverThing.class, Map.of("hibernate.persister.resolver",
                                "org.hibernate.persister.internal.StandardPersisterClassResolver"), MAPPING,
                        "@Upsert on ResolverThing: Hibernate gave the entity SingleTableEntityPersister",
                        "persist would be a plain INSERT", "the setting hibernate.persister.resolver = "
                                + "org.hibernate.persister.internal.StandardPersisterClassResolver replaces the extension's resolver",
                        "remove it, or have your resolver return dev.upsert.internal.persister.UpsertEntityPersister for @Upsert entities"),
                withSettings("validate_schema is not a boolean", Fine.class, Map.of(UpsertSettings.VALIDATE_SCHEMA, "yes"), SETTINGS,
                        "setting upsert.validate_schema = 'yes' is not a boolean; set it to true or false"),
                withSettings("include_values is not a boolean", Fine.class, Map.of(UpsertSettings.EXCEPTION_INCLUDE_VALUES, "1"), SETTINGS,
                        "setting upsert.exception.include_values = '1' is not a boolean; set it to true or false"),
                withSettings("misspelt setting", Fine.class, Map.of("upsert.validateschema", "false"), SETTINGS,
                        "setting 'upsert.validateschema' is not a setting of upsert-hibernate",
                        "rename it to 'upsert.validate_schema' (settings: upsert.validate_schema, upsert.exception.include_values"),
                withSettings("include_values in Spring's environment-variable form is not a boolean", Fine.class,
                        Map.of("upsert.exception.include.values", "1"), SETTINGS,
                        "setting upsert.exception.include_values = '1' is not a boolean; set it to true or false"),
                withSettings("two spellings of one setting disagree", Fine.class,
                        Map.of(UpsertSettings.VALIDATE_SCHEMA, "true", "upsert.validate-schema", "false"), SETTINGS,
                        "are both upsert.validate_schema with different values; keep one of them"),
                // checked against pg_index / pg_constraint after schema generation
                mistake("'on' without a unique index", NoIndex.class,
                        "@Upsert on NoIndex: no non-deferrable unique index of", "matches the conflict target (email) of attribute(s) email",
                        "(unique indexes: no_index_pkey (id))", "create that index",
                        "or target an existing one with @Upsert(on = ...) or @Upsert(constraint = ...)"),
                mistake("'constraint' names no unique key", NoSuchConstraint.class,
                        "@Upsert on NoSuchConstraint: constraint 'no_such' is not a unique constraint or index of",
                        "no_such_constraint_email_key (email)", "name one of those"),
                withSql("'constraint' names a deferrable constraint", DeferredByName.class,
                        "create table deferred_by_name (id bigserial primary key, code varchar(255),"
                                + " constraint deferred_by_name_code_key unique (code) deferrable initially deferred)",
                        "@Upsert on DeferredByName: constraint 'deferred_by_name_code_key' is DEFERRABLE",
                        "make it NOT DEFERRABLE or target another unique key"),
                withSql("'on' matches only a deferrable constraint", DeferredByOn.class,
                        "create table deferred_by_on (id bigserial primary key, code varchar(255),"
                                + " constraint deferred_by_on_code_key unique (code) deferrable)",
                        "@Upsert on DeferredByOn: no non-deferrable unique index of", "matches the conflict target (code)",
                        "deferred_by_on_code_key (code) deferrable", "make that constraint NOT DEFERRABLE"),
                withSql("'where' differs from the partial index predicate", PartialOtherWhere.class,
                        "create table partial_other_where (id bigserial primary key, email varchar(255), deleted_at timestamp(6) with time zone);"
                                + " create unique index partial_other_where_live_uq on partial_other_where (email) where deleted_at is null",
                        "@Upsert on PartialOtherWhere: no non-deferrable unique index of",
                        "matches the conflict target (email) where deleted_at is not null",
                        "partial_other_where_live_uq (email) where deleted_at IS NULL",
                        "add the index predicate as @Upsert(where = ...)"),
                withSql("partial index and no 'where'", PartialNoWhere.class,
                        "create table partial_no_where (id bigserial primary key, email varchar(255), deleted_at timestamp(6) with time zone);"
                                + " create unique index partial_no_where_live_uq on partial_no_where (email) where deleted_at is null",
                        "@Upsert on PartialNoWhere: no non-deferrable unique index of", "matches the conflict target (email) of attribute(s) email (",
                        "partial_no_where_live_uq (email) where deleted_at IS NULL",
                        "add the index predicate as @Upsert(where = ...)"),
                withSql("a key generated by the database, with a read-back", GeneratedKey.class,
                        "create table generated_key (id bigserial primary key, title varchar(255),"
                                + " slug varchar(255) generated always as (lower(title)) stored unique)",
                        "@Upsert on GeneratedKey: key column(s) slug are not written by the insert (the database generates them)",
                        "cannot be read back by its key", "target a key of columns the application sets"),
                withSql("table missing at boot", MissingTable.class, "select 1",
                        "@Upsert on MissingTable: table", "missing_table does not exist when the SessionFactory is built",
                        "create it first (or let schema generation create it), or set upsert.validate_schema=false"),
                mistake("'updateWhere' that PostgreSQL rejects", BadUpdateWhere.class,
                        "@Upsert on BadUpdateWhere: PostgreSQL rejects the upsert statement (SQLSTATE 42703",
                        "column excluded.nope does not exist",
                        "fix 'updateWhere' (\"excluded.nope > bad_update_where.nope\")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void bootFailsWithOneLineNamingEntityAttributeAndFix(Mistake mistake, TestSchema db) {
        if (mistake.sql() != null) {
            db.execute(mistake.sql());
        }
        Throwable thrown = catchThrowable(() -> new Jpa(db, mistake.settings(), mistake.entities().toArray(Class<?>[]::new)).close());

        String message = theExtensionsException(thrown).getMessage();
        String heading = mistake.heading() + " (1 problem):\n - ";
        assertThat(message).startsWith(heading);
        String line = message.substring(heading.length());
        assertThat(line).doesNotContain("\n");
        for (String fragment : mistake.fragments()) {
            assertThat(line).contains(fragment);
        }
    }

    /** The only {@code UpsertMappingException} in the chain: boot did not wrap it twice or report it twice. */
    private static Throwable theExtensionsException(Throwable thrown) {
        assertThat(thrown).as("boot must fail").isNotNull();
        List<Throwable> ours = new ArrayList<>();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals("dev.upsert.internal.settings.UpsertMappingException")) {
                ours.add(t);
            }
            assertThat(t.getSuppressed()).as("suppressed by %s", t).isEmpty();
        }
        assertThat(ours).as("UpsertMappingException in %s", thrown).hasSize(1);
        assertThat(ours.get(0)).isInstanceOf(MappingException.class);
        return ours.get(0);
    }

    // ---- many problems: one exception, every line once ------------------------------------------------------------

    @Entity @Table(name = "split_thing") @SecondaryTable(name = "split_more") @DynamicInsert
    @Upsert(on = "name")
    static class SplitThing {
        @Id Long id;
        String name;
        @Column(table = "split_more") String more;
        @Version Instant version;
    }

    @Entity @Table(name = "bad_one")
    @Upsert(on = "mail", exclude = "nope")
    static class BadOne { @Id Long id; String email; }

    @Entity @Table(name = "bad_two")
    @Upsert(on = "email", constraint = "x", action = Upsert.Action.NOTHING, skipUnchanged = true)
    static class BadTwo { @Id Long id; String email; }

    @Test
    void allProblemsOfOneEntityAreReportedTogetherOnce(TestSchema db) {
        Throwable thrown = catchThrowable(() -> new Jpa(db, JoinedBase.class, JoinedSub.class, SplitThing.class).close());
        assertLines(theExtensionsException(thrown).getMessage(), MAPPING,
                "@Upsert on JoinedBase: entity inheritance JOINED is not supported",
                "@Upsert on SplitThing: secondary tables are not supported: split_more (more); map the entity to one table",
                "@Upsert on SplitThing: @DynamicInsert is not supported",
                "@Upsert on SplitThing: @Version attribute 'version' must be an integer type");
    }

    @Test
    void everyEntitysMistakesComeInOneException(TestSchema db) {
        Throwable thrown = catchThrowable(() -> new Jpa(db, BadOne.class, BadTwo.class).close());
        assertLines(theExtensionsException(thrown).getMessage(), MAPPING,
                "@Upsert on BadOne: 'on' names 'mail', which does not exist (attributes: email)",
                "@Upsert on BadOne: 'exclude' names 'nope', which does not exist",
                "@Upsert on BadTwo: 'on' and 'constraint' both name the conflict target",
                "@Upsert on BadTwo: action = NOTHING never updates, so 'skipUnchanged' has no effect; remove it");
    }

    /** Exactly these problems, in any order, each on its own line once (the prefixes given identify each line). */
    private static void assertLines(String message, String heading, String... starts) {
        assertThat(message).startsWith(heading + " (" + starts.length + " problems):\n - ");
        List<String> lines = Arrays.asList(message.substring(message.indexOf("\n - ") + 4).split("\n - "));
        assertThat(lines).hasSize(starts.length).doesNotHaveDuplicates();
        for (String start : starts) {
            assertThat(lines.stream().filter(line -> line.startsWith(start))).as(start).hasSize(1);
        }
    }

    // ---- validate_schema=false: the catalog problem comes with the first persist ----------------------------------

    /** Every spelling means the same key: documented, kebab case, Spring's form of SPRING_JPA_PROPERTIES_UPSERT_VALIDATE_SCHEMA. */
    @ParameterizedTest
    @ValueSource(strings = {UpsertSettings.VALIDATE_SCHEMA, "upsert.validate-schema", "upsert.validate.schema"})
    void withoutTheBootCheckAMissingIndexFailsTheFirstPersistAndWritesNothing(String key, TestSchema db) {
        db.execute("drop table if exists no_index; create table no_index (id bigint primary key, email varchar(255))");
        Map<String, Object> settings = new HashMap<>(NO_DDL);
        settings.put(key, "false");
        try (Jpa jpa = new Jpa(db, settings, NoIndex.class)) {
            Throwable thrown = catchThrowable(() -> jpa.run(em -> {
                NoIndex row = new NoIndex();
                row.id = 1L;
                row.email = "late@x.org";
                em.persist(row);
            }));
            assertThat(theExtensionsException(thrown).getMessage())
                    .startsWith(MAPPING + " (1 problem):\n - @Upsert on NoIndex: no non-deferrable unique index of")
                    .contains("create that index");
        }
        assertThat(db.queryLong("select count(*) from no_index")).isZero();
    }

    // ---- Upserts misuse --------------------------------------------------------------------------------------------

    @Test
    void upsertsOutcomeRefusesNullsAndAClosedEntityManagerAndIsEmptyWhenThereIsNoOutcome(TestSchema db) {
        try (Jpa jpa = new Jpa(db, Fine.class, Owner.class)) {
            assertThatThrownBy(() -> Upserts.outcome(null, new Fine())).isInstanceOf(NullPointerException.class).hasMessage("em");
            jpa.run(em -> assertThatThrownBy(() -> Upserts.outcome(em, null)).isInstanceOf(NullPointerException.class).hasMessage("entity"));
            var closed = jpa.factory.createEntityManager();
            closed.close();
            assertThatThrownBy(() -> Upserts.outcome(closed, new Fine())).isInstanceOf(IllegalStateException.class);
            jpa.run(em -> {
                assertThat(Upserts.outcome(em, new Fine())).as("not managed").isEmpty();
                assertThat(Upserts.outcome(em, "not an entity")).isEmpty();
                Owner owner = new Owner();
                owner.id = 1L;
                em.persist(owner);
                em.flush();
                assertThat(Upserts.outcome(em, owner)).as("not an @Upsert entity").isEmpty();
                Fine fine = new Fine();
                fine.email = "fine@x.org";
                em.persist(fine);
                em.flush();  // IDENTITY upserts wait for the flush like the others
                assertThat(Upserts.outcome(em, fine)).contains(UpsertOutcome.INSERTED);
            });
        }
        assertThat(db.query("select email from fine")).containsExactly(List.of("fine@x.org"));
        assertThat(db.queryLong("select count(*) from owner")).isEqualTo(1);
    }
}
