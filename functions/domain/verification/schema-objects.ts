/**
 * The rules of the non-table part of a schema description (its model is `schema-objects-model.ts`):
 * the canonical form the fingerprint is taken of, the comparison that names every difference, and
 * the shape check of a stored section.
 *
 * Canonical form: every list sorted by its key (code-unit order, never locale), the order inside
 * an enum's labels and a policy's roles as given (labels: their sort order is observable;
 * policy roles: sorted by the adapter).
 */
import {
  SCHEMA_OBJECT_SECTIONS,
  SCHEMA_OBJECTS_FORMAT_VERSION,
  type PolicyDescription,
  type RoutineDescription,
  type RowSecurityDescription,
  type SchemaObjects,
  type SettingDescription,
  type TriggerDescription,
} from './schema-objects-model.ts';

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => compareText(key(a), key(b));
}

const routineKey = (r: RoutineDescription): string => `${r.schema}\u0000${r.name}\u0000${r.arguments}`;
const triggerKey = (t: TriggerDescription): string => `${t.schema}\u0000${t.table}\u0000${t.name}`;
const relKey = (v: { schema: string; name: string }): string => `${v.schema}\u0000${v.name}`;
const rlsKey = (r: RowSecurityDescription): string => `${r.schema}\u0000${r.table}`;
const policyKey = (p: PolicyDescription): string => `${p.schema}\u0000${p.table}\u0000${p.name}`;
const settingKey = (s: SettingDescription): string => `${s.role ?? ''}\u0000${s.database ? 'd' : 'r'}\u0000${s.name}`;

/** Rebuilds the section field by field (extra properties never reach the fingerprint) and sorts it. */
export function canonicalObjects(objects: SchemaObjects): SchemaObjects {
  return {
    formatVersion: objects.formatVersion,
    routines: objects.routines
      .map((r) => ({ schema: r.schema, name: r.name, arguments: r.arguments, kind: r.kind, body: r.body, definition: r.definition }))
      .sort(byKey(routineKey)),
    triggers: objects.triggers
      .map((t) => ({ schema: t.schema, table: t.table, name: t.name, definition: t.definition, enabled: t.enabled }))
      .sort(byKey(triggerKey)),
    views: objects.views
      .map((v) => ({ schema: v.schema, name: v.name, materialized: v.materialized, definition: v.definition, populated: v.populated }))
      .sort(byKey(relKey)),
    enums: objects.enums.map((e) => ({ schema: e.schema, name: e.name, labels: [...e.labels] })).sort(byKey(relKey)),
    domains: objects.domains
      .map((d) => ({ schema: d.schema, name: d.name, type: d.type, notNull: d.notNull, default: d.default, constraints: [...d.constraints].sort(compareText) }))
      .sort(byKey(relKey)),
    extensions: objects.extensions
      .map((e) => ({ name: e.name, version: e.version, schema: e.schema }))
      .sort(byKey((e) => e.name)),
    roles: objects.roles
      .map((r) => ({
        name: r.name,
        login: r.login,
        inherit: r.inherit,
        createRole: r.createRole,
        createDb: r.createDb,
        replication: r.replication,
        bypassRls: r.bypassRls,
        connectionLimit: r.connectionLimit,
        memberOf: [...r.memberOf].sort(compareText),
      }))
      .sort(byKey((r) => r.name)),
    access: objects.access
      .map((a) => ({ object: a.object, table: a.table, owner: a.owner, grants: [...a.grants].sort(compareText) }))
      .sort(byKey((a) => a.object)),
    rowSecurity: objects.rowSecurity
      .map((r) => ({ schema: r.schema, table: r.table, enabled: r.enabled, forced: r.forced }))
      .sort(byKey(rlsKey)),
    policies: objects.policies
      .map((p) => ({
        schema: p.schema,
        table: p.table,
        name: p.name,
        command: p.command,
        permissive: p.permissive,
        roles: [...p.roles].sort(compareText),
        using: p.using,
        check: p.check,
      }))
      .sort(byKey(policyKey)),
    settings: objects.settings
      .map((s) => ({ role: s.role, database: s.database, name: s.name, value: s.value }))
      .sort(byKey(settingKey)),
    partitions: objects.partitions
      .map((p) => ({ schema: p.schema, name: p.name, parent: p.parent, bound: p.bound }))
      .sort(byKey(relKey)),
  };
}

/** Pairs two lists by key, in key order. */
function pair<T>(
  expected: readonly T[],
  actual: readonly T[],
  key: (item: T) => string,
): { expected: T | undefined; actual: T | undefined }[] {
  const want = new Map(expected.map((item) => [key(item), item]));
  const got = new Map(actual.map((item) => [key(item), item]));
  return [...new Set([...want.keys(), ...got.keys()])]
    .sort(compareText)
    .map((k) => ({ expected: want.get(k), actual: got.get(k) }));
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(',');
  return String(value);
}

/** `missing` / `unexpected` / field-by-field lines for one section. */
function diffSection<T extends object>(
  expected: readonly T[],
  actual: readonly T[],
  key: (item: T) => string,
  label: (item: T) => string,
  compare: (label: string, want: T, got: T) => string[],
): string[] {
  const lines: string[] = [];
  for (const { expected: want, actual: got } of pair(expected, actual, key)) {
    if (got === undefined && want !== undefined) lines.push(`${label(want)}: missing`);
    else if (want === undefined && got !== undefined) lines.push(`${label(got)}: unexpected`);
    else if (want !== undefined && got !== undefined) lines.push(...compare(label(want), want, got));
  }
  return lines;
}

/** `label: field a -> b` for each field that differs (arrays compared element-wise). */
function fields<T extends object>(label: string, want: T, got: T, names: readonly (keyof T & string)[]): string[] {
  return names
    .filter((name) => JSON.stringify(want[name]) !== JSON.stringify(got[name]))
    .map((name) => `${label}: ${name} ${show(want[name])} -> ${show(got[name])}`);
}

/** Long texts are not printed twice; the line says which one changed. */
function changed<T extends object>(label: string, want: T, got: T, name: keyof T & string, words = `${name} changed`): string[] {
  return want[name] === got[name] ? [] : [`${label}: ${words}`];
}

/** Grants with the owner's name as `(owner)`, so an owner change is not also a change of every grant. */
function ownerless(grants: readonly string[], owner: string | null): string[] {
  return owner === null ? [...grants] : grants.map((grant) => (grant.startsWith(`${owner} `) ? `(owner)${grant.slice(owner.length)}` : grant));
}

function grantLines(label: string, want: readonly string[], got: readonly string[]): string[] {
  const has = new Set(got);
  const had = new Set(want);
  return [
    ...want.filter((grant) => !has.has(grant)).map((grant) => `${label}: grant ${grant} missing`),
    ...got.filter((grant) => !had.has(grant)).map((grant) => `${label}: grant ${grant} unexpected`),
  ];
}

/**
 * Human-readable differences, section by section, in canonical order. Examples:
 * `trigger shop.orders.orders_audit: missing`, `trigger shop.orders.orders_audit: enabled origin -> disabled`,
 * `function shop.email_key(text): body changed`, `enum shop.order_status: labels open,paid,shipped,cancelled -> open,paid,shipped`,
 * `extension citext: version 1.5 -> 1.6`, `table shop.orders: grant dr_reader SELECT missing`,
 * `materialized view shop.order_totals: populated true -> false`, `partition audit.events_2026: missing (detached from audit.events)`.
 */
export function diffObjects(
  expectedObjects: SchemaObjects,
  actualObjects: SchemaObjects,
  reportedTables: ReadonlySet<string> = new Set(),
): string[] {
  // What belongs to a table already reported missing or unexpected is not listed again.
  const own = (table: string | null): boolean => table === null || !reportedTables.has(table);
  const keep = (objects: SchemaObjects): SchemaObjects => {
    const canonical = canonicalObjects(objects);
    return {
      ...canonical,
      triggers: canonical.triggers.filter((t) => own(`${t.schema}.${t.table}`)),
      access: canonical.access.filter((a) => own(a.table)),
      rowSecurity: canonical.rowSecurity.filter((r) => own(`${r.schema}.${r.table}`)),
      policies: canonical.policies.filter((p) => own(`${p.schema}.${p.table}`)),
      partitions: canonical.partitions.filter((p) => own(`${p.schema}.${p.name}`)),
    };
  };
  const expected = keep(expectedObjects);
  const actual = keep(actualObjects);
  const lines: string[] = [];
  lines.push(
    ...diffSection(expected.extensions, actual.extensions, (e) => e.name, (e) => `extension ${e.name}`, (label, want, got) =>
      fields(label, want, got, ['version', 'schema']),
    ),
    ...diffSection(expected.roles, actual.roles, (r) => r.name, (r) => `role ${r.name}`, (label, want, got) =>
      fields(label, want, got, ['login', 'inherit', 'createRole', 'createDb', 'replication', 'bypassRls', 'connectionLimit', 'memberOf']),
    ),
    ...diffSection(expected.enums, actual.enums, relKey, (e) => `enum ${e.schema}.${e.name}`, (label, want, got) =>
      fields(label, want, got, ['labels']),
    ),
    ...diffSection(expected.domains, actual.domains, relKey, (d) => `domain ${d.schema}.${d.name}`, (label, want, got) =>
      fields(label, want, got, ['type', 'notNull', 'default', 'constraints']),
    ),
    ...diffSection(expected.routines, actual.routines, routineKey, (r) => `${r.kind} ${r.schema}.${r.name}(${r.arguments})`, (label, want, got) => [
      ...fields(label, want, got, ['kind']),
      ...changed(label, want, got, 'body', 'body changed'),
      ...(want.body === got.body ? changed(label, want, got, 'definition', 'definition changed (attributes such as volatility, security, settings or language)') : []),
    ]),
    ...diffSection(expected.views, actual.views, relKey, (v) => `${v.materialized ? 'materialized view' : 'view'} ${v.schema}.${v.name}`, (label, want, got) => [
      ...fields(label, want, got, ['materialized']),
      ...changed(label, want, got, 'definition', 'definition changed'),
      ...fields(label, want, got, ['populated']),
    ]),
    ...diffSection(expected.triggers, actual.triggers, triggerKey, (t) => `trigger ${t.schema}.${t.table}.${t.name}`, (label, want, got) => [
      ...changed(label, want, got, 'definition', 'definition changed'),
      ...fields(label, want, got, ['enabled']),
    ]),
    ...diffSection(expected.rowSecurity, actual.rowSecurity, rlsKey, (r) => `row level security of ${r.schema}.${r.table}`, (label, want, got) =>
      fields(label, want, got, ['enabled', 'forced']),
    ),
    ...diffSection(expected.policies, actual.policies, policyKey, (p) => `policy ${p.schema}.${p.table}.${p.name}`, (label, want, got) =>
      fields(label, want, got, ['command', 'permissive', 'roles', 'using', 'check']),
    ),
    ...diffSection(expected.access, actual.access, (a) => a.object, (a) => a.object, (label, want, got) => [
      ...fields(label, want, got, ['owner']),
      // A new owner takes over the old owner's own privileges (ALTER … OWNER rewrites the ACL):
      // those are the owner line above, not one line per privilege.
      ...grantLines(label, ownerless(want.grants, want.owner), ownerless(got.grants, got.owner)),
    ]),
    ...diffSection(
      expected.settings,
      actual.settings,
      settingKey,
      (s) => `setting ${s.name}${s.database ? ' of the database' : ''}${s.role === null ? '' : ` for role ${s.role}`}`,
      (label, want, got) => fields(label, want, got, ['value']),
    ),
    ...diffSection(expected.partitions, actual.partitions, relKey, (p) => `partition ${p.schema}.${p.name}`, (label, want, got) =>
      fields(label, want, got, ['parent', 'bound']),
    ),
  );
  // A missing partition is one that is no longer attached: say to what it was.
  const parents = new Map(expected.partitions.map((p) => [`partition ${p.schema}.${p.name}: missing`, p.parent]));
  // A missing view or routine is also missing from `access` under the same name: say it once.
  return [...new Set(lines)].map((line) => (parents.has(line) ? `${line} (detached from ${parents.get(line) ?? ''})` : line));
}
