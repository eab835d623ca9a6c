/**
 * Reads the `objects` section of a schema description (its model:
 * functions/domain/verification/schema-objects-model.ts) from the catalog. Called by `PgDatabaseInspector.describeSchema` inside its
 * `REPEATABLE READ READ ONLY` transaction with `search_path = pg_catalog`, so every statement here
 * sees one catalog snapshot and every printed name is schema-qualified. Works on PostgreSQL 13–18:
 * columns newer than 13 are read through `to_jsonb(row)` so a missing one is null instead of an
 * error — `pg_proc.prosqlbody` (14+, the parsed body of a SQL-standard `BEGIN ATOMIC`/`RETURN`
 * routine, whose `prosrc` is empty; https://www.postgresql.org/docs/14/catalog-pg-proc.html) and
 * `pg_inherits.inhdetachpending` (14+, `DETACH PARTITION … CONCURRENTLY` under way;
 * https://www.postgresql.org/docs/14/catalog-pg-inherits.html). Everything else used here exists
 * unchanged from 13 to 18 (`prokind` 11+, `pg_policies.permissive` 10+, `sha256()` 11+). Printed
 * forms (`pg_get_viewdef`, `pg_get_functiondef`, identity arguments — procedures print `IN bigint`
 * from 14) can differ between major versions, so a manifest compares with a restore of the same
 * major version (what a snapshot restore gives).
 * In 16+ a role can be granted the same role by several grantors: `memberOf` is distinct.
 *
 * What is deliberately left out, because it legitimately differs or is not the database's own:
 * - `pg_catalog`, `information_schema`, TOAST and temp schemas, and `dr_amcheck`, the schema the
 *   restore test itself creates amcheck in (and drops) — see AMCHECK_SCHEMA in verification-probe.ts;
 * - objects that belong to an extension (`pg_depend.deptype = 'e'`): the extension's name and
 *   version stand for them;
 * - roles that are superusers (on RDS that is `rdsadmin`, the service's own; no customer role can be
 *   one), the predefined `pg_*` roles, and the roles RDS manages (`rds_*`, `rdsadmin`,
 *   `rdsrepladmin`, `rdstopmgr`): RDS creates and changes them itself. The master user is NOT left
 *   out: it is an ordinary role (`NOSUPERUSER`, member of `rds_superuser`) and a restored instance
 *   keeps it. https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html
 * - role-wide settings of those roles (RDS sets some for `rdsadmin`), and instance parameters:
 *   they come from the DB parameter group, which a restore may legitimately change, not from the
 *   database (only `ALTER DATABASE/ROLE … SET`, stored in `pg_db_role_setting`, are read);
 * - passwords and their expiry (`pg_authid` is not read; resetting the master password after a
 *   restore is normal).
 */
import type { QueryResult, QueryResultRow } from 'pg';
import type {
  AccessDescription,
  DomainDescription,
  EnumDescription,
  ExtensionDescription,
  PartitionDescription,
  PolicyDescription,
  RoleDescription,
  RoutineDescription,
  RowSecurityDescription,
  SchemaObjects,
  SettingDescription,
  TriggerDescription,
  ViewDescription,
} from '../../domain/verification/schema-objects-model.ts';
import { SCHEMA_OBJECTS_FORMAT_VERSION } from '../../domain/verification/schema-objects-model.ts';

/** What this module needs of a connection (the inspector's session). */
export interface ObjectsSession {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** The schema the verification probe creates amcheck in; equal to AMCHECK_SCHEMA (a test checks). */
export const PROBE_OWN_SCHEMA = 'dr_amcheck';

/** Namespaces that are not the database's own (see the module comment). */
const USER_NAMESPACE = (alias: string): string =>
  `${alias}.nspname NOT IN ('pg_catalog', 'information_schema', '${PROBE_OWN_SCHEMA}') AND ${alias}.nspname !~ '^pg_(toast|temp_)'`;

/** True when an extension owns the object (`classid` is the catalog it lives in). */
const NOT_EXTENSION_MEMBER = (catalog: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = '${catalog}'::regclass AND dep.objid = ${oid} AND dep.deptype = 'e')`;

/** Roles the platform owns (see the module comment): never listed as roles of the database. */
export const PLATFORM_ROLE_SQL = `(r.rolsuper OR r.rolname ~ '^(pg_|rds_)' OR r.rolname IN ('rdsadmin', 'rdsrepladmin', 'rdstopmgr'))`;

const KIND_WORD = `CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function' END`;

const ROUTINES_SQL = `
SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments,
       ${KIND_WORD} AS kind,
       encode(sha256(convert_to(p.prosrc || coalesce(to_jsonb(p) ->> 'prosqlbody', ''), 'UTF8')), 'hex') AS body,
       CASE WHEN p.prokind = 'a' THEN
         (SELECT format('AGGREGATE (SFUNC = %s, STYPE = %s, FINALFUNC = %s, COMBINEFUNC = %s, INITCOND = %s)',
                        a.aggtransfn::regproc, format_type(a.aggtranstype, NULL), a.aggfinalfn::regproc,
                        a.aggcombinefn::regproc, coalesce(a.agginitval, 'none'))
            FROM pg_aggregate a WHERE a.aggfnoid = p.oid)
       ELSE pg_get_functiondef(p.oid) END AS definition
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}`;

const TRIGGERS_SQL = `
SELECT n.nspname AS schema, c.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition,
       CASE t.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' ELSE 'always' END AS enabled
  FROM pg_trigger t
  JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`;

const VIEWS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized, pg_get_viewdef(c.oid) AS definition,
       CASE WHEN c.relkind = 'm' THEN c.relispopulated END AS populated
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`;

const ENUMS_SQL = `
SELECT n.nspname AS schema, t.typname AS name,
       (SELECT coalesce(json_agg(e.enumlabel ORDER BY e.enumsortorder), '[]'::json) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels
  FROM pg_type t
  JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typtype = 'e' AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}`;

const DOMAINS_SQL = `
SELECT n.nspname AS schema, t.typname AS name, format_type(t.typbasetype, t.typtypmod) AS type, t.typnotnull AS "notNull",
       t.typdefault AS default,
       (SELECT coalesce(json_agg(c.conname || ': ' || pg_get_constraintdef(c.oid) ORDER BY c.conname), '[]'::json)
          FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c') AS constraints
  FROM pg_type t
  JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typtype = 'd' AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}`;

const EXTENSIONS_SQL = `
SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
  FROM pg_extension e
  JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE NOT (e.extname = 'amcheck' AND n.nspname = '${PROBE_OWN_SCHEMA}')`;

/**
 * Owners and effective grants of schemas, relations, columns with grants, routines and types. A
 * NULL ACL means the owner's defaults, spelled out with `acldefault` (object type letters:
 * n schema, r relation, s sequence, f function, T type). Grantee 0 is PUBLIC.
 */
const ACCESS_SQL = `
WITH objects AS (
  SELECT 'schema ' || n.nspname AS object, NULL::text AS table_name, n.nspowner AS owner,
         coalesce(n.nspacl, acldefault('n', n.nspowner)) AS acl
    FROM pg_namespace n
   WHERE ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}
  UNION ALL
  SELECT CASE c.relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table ' WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
                        WHEN 'S' THEN 'sequence ' ELSE 'foreign table ' END || n.nspname || '.' || c.relname,
         -- A sequence owned by a column (serial, identity) belongs to that column's table.
         CASE WHEN c.relkind = 'S' THEN
           (SELECT tn.nspname || '.' || t.relname
              FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
             WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
               AND d.deptype IN ('a', 'i') LIMIT 1)
         ELSE n.nspname || '.' || c.relname END,
         c.relowner, coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
  UNION ALL
  SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname, n.nspname || '.' || c.relname, NULL, a.attacl
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND ${USER_NAMESPACE('n')}
     AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
  UNION ALL
  SELECT ${KIND_WORD} || ' ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
         NULL, p.proowner, coalesce(p.proacl, acldefault('f', p.proowner))
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}
  UNION ALL
  SELECT 'type ' || n.nspname || '.' || t.typname, NULL, t.typowner, coalesce(t.typacl, acldefault('T', t.typowner))
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE (t.typtype IN ('e', 'd', 'r', 'm')
          OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
     AND ${USER_NAMESPACE('n')} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}
)
SELECT o.object, o.table_name AS table,
       CASE WHEN o.owner IS NULL THEN NULL ELSE pg_get_userbyid(o.owner) END AS owner,
       (SELECT coalesce(json_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END
                                 || ' ' || x.privilege_type || CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END), '[]'::json)
          FROM aclexplode(o.acl) x) AS grants,
       (SELECT coalesce(json_agg(DISTINCT pg_get_userbyid(x.grantee)), '[]'::json)
          FROM aclexplode(o.acl) x WHERE x.grantee <> 0) AS grantees
  FROM objects o`;

const ROW_SECURITY_SQL = `
SELECT n.nspname AS schema, c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity) AND ${USER_NAMESPACE('n')}`;

const POLICIES_SQL = `
SELECT p.schemaname AS schema, p.tablename AS table, p.policyname AS name, p.cmd AS command,
       p.permissive = 'PERMISSIVE' AS permissive, to_json(p.roles::text[]) AS roles, p.qual AS using, p.with_check AS check
  FROM pg_policies p
 WHERE p.schemaname NOT IN ('pg_catalog', 'information_schema', '${PROBE_OWN_SCHEMA}')`;

/** Settings of this database (any role or all), and role-wide settings (filtered to the listed roles later). */
const SETTINGS_SQL = `
SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END AS role,
       s.setdatabase <> 0 AS database,
       split_part(c.setting, '=', 1) AS name,
       substr(c.setting, strpos(c.setting, '=') + 1) AS value,
       coalesce((SELECT ${PLATFORM_ROLE_SQL} FROM pg_roles r WHERE r.oid = s.setrole), false) AS platform
  FROM pg_db_role_setting s
  CROSS JOIN LATERAL unnest(s.setconfig) AS c(setting)
 WHERE s.setdatabase = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
    OR (s.setdatabase = 0 AND s.setrole <> 0)`;

/** A partition being detached concurrently (14+) is still in pg_inherits, marked pending. */
const PARTITIONS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, pn.nspname || '.' || pc.relname AS parent,
       pg_get_expr(c.relpartbound, c.oid)
         || CASE WHEN (to_jsonb(i) ->> 'inhdetachpending') = 'true' THEN ' (detach pending)' ELSE '' END AS bound
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_inherits i ON i.inhrelid = c.oid
  JOIN pg_class pc ON pc.oid = i.inhparent
  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
 WHERE c.relispartition AND c.relkind IN ('r', 'p', 'f') AND ${USER_NAMESPACE('n')}`;

const ROLES_SQL = `
SELECT r.rolname AS name, r.rolcanlogin AS login, r.rolinherit AS inherit, r.rolcreaterole AS "createRole",
       r.rolcreatedb AS "createDb", r.rolreplication AS replication, r.rolbypassrls AS "bypassRls",
       r.rolconnlimit AS "connectionLimit",
       (SELECT coalesce(json_agg(DISTINCT g.rolname), '[]'::json)
          FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS "memberOf"
  FROM pg_roles r
 WHERE r.rolname = ANY($1::text[]) AND NOT ${PLATFORM_ROLE_SQL}`;

interface AccessRow extends AccessDescription, QueryResultRow {
  readonly grantees: string[];
}

interface SettingRow extends SettingDescription, QueryResultRow {
  readonly platform: boolean;
}

/**
 * Reads every section. Must run inside the caller's read-only transaction (one catalog snapshot).
 *
 * 1. Routines, triggers, views, enums, domains, extensions, access, row level security, policies, settings, partitions.
 * 2. The roles those name (owners, grantees, policy roles, setting roles), less the platform's.
 * 3. Role-wide settings are kept for the listed roles only; the platform's settings are dropped.
 */
export async function describeSchemaObjects(session: ObjectsSession): Promise<SchemaObjects> {
  const rows = async <R extends QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]> =>
    (await session.query<R>(sql, values)).rows;
  const routines = await rows<RoutineDescription & QueryResultRow>(ROUTINES_SQL);
  const triggers = await rows<TriggerDescription & QueryResultRow>(TRIGGERS_SQL);
  const views = await rows<ViewDescription & QueryResultRow>(VIEWS_SQL);
  const enums = await rows<EnumDescription & QueryResultRow>(ENUMS_SQL);
  const domains = await rows<DomainDescription & QueryResultRow>(DOMAINS_SQL);
  const extensions = await rows<ExtensionDescription & QueryResultRow>(EXTENSIONS_SQL);
  const access = await rows<AccessRow>(ACCESS_SQL);
  const rowSecurity = await rows<RowSecurityDescription & QueryResultRow>(ROW_SECURITY_SQL);
  const policies = await rows<PolicyDescription & QueryResultRow>(POLICIES_SQL);
  const settings = (await rows<SettingRow>(SETTINGS_SQL)).filter((setting) => !setting.platform);
  const partitions = await rows<PartitionDescription & QueryResultRow>(PARTITIONS_SQL);

  const named = new Set<string>();
  for (const entry of access) {
    if (entry.owner !== null) named.add(entry.owner);
    for (const grantee of entry.grantees) named.add(grantee);
  }
  for (const policy of policies) for (const role of policy.roles) named.add(role);
  for (const setting of settings) if (setting.database && setting.role !== null) named.add(setting.role);
  const roles = await rows<RoleDescription & QueryResultRow>(ROLES_SQL, [[...named]]);
  const listed = new Set(roles.map((role) => role.name));

  return {
    formatVersion: SCHEMA_OBJECTS_FORMAT_VERSION,
    routines: routines.map((r) => ({ schema: r.schema, name: r.name, arguments: r.arguments, kind: r.kind, body: r.body, definition: r.definition })),
    triggers: triggers.map((t) => ({ schema: t.schema, table: t.table, name: t.name, definition: t.definition, enabled: t.enabled })),
    views: views.map((v) => ({ schema: v.schema, name: v.name, materialized: v.materialized, definition: v.definition, populated: v.populated })),
    enums: enums.map((e) => ({ schema: e.schema, name: e.name, labels: e.labels })),
    domains: domains.map((d) => ({ schema: d.schema, name: d.name, type: d.type, notNull: d.notNull, default: d.default, constraints: d.constraints })),
    extensions: extensions.map((e) => ({ name: e.name, version: e.version, schema: e.schema })),
    roles: roles.map((r) => ({
      name: r.name,
      login: r.login,
      inherit: r.inherit,
      createRole: r.createRole,
      createDb: r.createDb,
      replication: r.replication,
      bypassRls: r.bypassRls,
      connectionLimit: r.connectionLimit,
      memberOf: r.memberOf,
    })),
    access: access.map((a) => ({ object: a.object, table: a.table, owner: a.owner, grants: a.grants })),
    rowSecurity: rowSecurity.map((r) => ({ schema: r.schema, table: r.table, enabled: r.enabled, forced: r.forced })),
    policies: policies.map((p) => ({
      schema: p.schema,
      table: p.table,
      name: p.name,
      command: p.command,
      permissive: p.permissive,
      roles: p.roles,
      using: p.using,
      check: p.check,
    })),
    settings: settings
      .filter((s) => s.database || (s.role !== null && listed.has(s.role)))
      .map((s) => ({ role: s.role, database: s.database, name: s.name, value: s.value })),
    partitions: partitions.map((p) => ({ schema: p.schema, name: p.name, parent: p.parent, bound: p.bound })),
  };
}
