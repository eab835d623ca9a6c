/**
 * Database manifest: what a database looked like when a snapshot was taken.
 *
 * The backup workflow captures one next to every snapshot (schema, exact row counts, newest
 * heartbeat) and stores it with its SHA-256; the restore test compares the restored database
 * against it. Everything here is pure: the catalog reading lives behind the
 * {@link DatabaseInspector} port, the time is passed in.
 *
 * Canonical form: tables sorted by schema then name, constraints and indexes sorted by name,
 * object keys sorted, strings compared by UTF-16 code unit (never by locale, which differs between
 * machines). Columns keep their ordinal order: it is observable (`SELECT *`, `INSERT` without a
 * column list, `COPY`), and a snapshot restore preserves it, so a different order is a real
 * difference, not noise.
 */
import { createHash } from 'node:crypto';
import type { DatabaseInspector } from '../../ports/database-inspector.ts';
import type { WriteStatistics } from '../../ports/write-statistics.ts';
import { ValidationError } from '../../shared/errors.ts';
import type { CounterReading } from './bracket-model.ts';
import { canonicalObjects, checkSchemaObjects, diffObjects } from './schema-objects.ts';
import { SCHEMA_OBJECT_SECTIONS, type SchemaObjects } from './schema-objects-model.ts';
import type { ContentReader } from '../../ports/content-reader.ts';
import { checkContentReading, checkLargeObjectTally, contentRequests, DIGEST_SEED } from './content.ts';
import type { ContentReading, LargeObjectTally } from './content-model.ts';
import type { LedgerObservation } from './exact-counts-model.ts';

export type { ColumnDescription, ConstraintType, ConstraintDescription, IndexDescription, TableKind, TableDescription, SchemaDescription, TableRef, RowCounts } from './model.ts';
import type { ColumnDescription, ConstraintType, ConstraintDescription, IndexDescription, TableKind, TableDescription, SchemaDescription, TableRef, RowCounts } from './model.ts';

/**
 * The manifest document stored next to a snapshot: reading A of the bracket.
 * Format 1: schema, exact counts, heartbeat. Format 2 adds {@link DatabaseManifest.counters},
 * the write counters read just before the counts, which the bracketed row-count check needs.
 */
export interface DatabaseManifest {
  /** Document format; bump when the shape or the canonical form changes. */
  readonly formatVersion: 1 | 2;
  /** Database name the manifest was captured from. */
  readonly database: string;
  /** When capture started (ISO 8601, UTC); the counts are from a snapshot taken just after. */
  readonly capturedAt: string;
  /** The schema, in canonical form. */
  readonly schema: SchemaDescription;
  /** {@link fingerprint} of `schema`: what a restore test compares first. */
  readonly schemaFingerprint: string;
  /** Exact row counts of every countable table (see {@link countableTables}). */
  readonly rowCounts: RowCounts;
  /** Newest heartbeat row; the point in time the data is known to reach. */
  readonly heartbeat: { readonly latestAt: string | null };
  /** Format 2: write counters of the counted tables and server state, read just before the counts. */
  readonly counters?: CounterReading;
  /** Optional: column tallies and row digests, from the counts' scan (see `verification/content.ts`). */
  readonly content?: ContentReading;
  /** Optional: the large objects, in the counts' snapshot. */
  readonly largeObjects?: LargeObjectTally;
  /**
   * Exact mode: each configured table's count and row-count ledger on the source, in one snapshot
   * (absent when none is configured). A difference here means the ledger was bypassed.
   */
  readonly ledger?: readonly LedgerObservation[];
}

/**
 * The table the probe writes every minute. It is part of the schema (a restore that loses it is
 * wrong) but never counted: it gains a row a minute, so its count at capture time and in the
 * snapshot differ by design. Its newest row is recorded as `heartbeat.latestAt` instead.
 */
export const HEARTBEAT_TABLE: TableRef = { schema: 'dr', name: 'heartbeat' };

/** The {@link DatabaseManifest.formatVersion} of a manifest without counters (still readable). */
export const MANIFEST_FORMAT_VERSION = 1;

/** The {@link DatabaseManifest.formatVersion} of a bracketed manifest (with counters). */
export const BRACKETED_MANIFEST_FORMAT_VERSION = 2;

/** `schema.table`, the key of {@link RowCounts} and the name used in difference messages. */
export function qualifiedName(table: TableRef): string {
  return `${table.schema}.${table.name}`;
}

/** Orders strings by UTF-16 code unit: the same on every machine, unlike `localeCompare`. */
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function compareTables(a: TableRef, b: TableRef): number {
  return compareText(a.schema, b.schema) || compareText(a.name, b.name);
}

/**
 * The canonical form of a schema description: sorted as described in the module comment, and
 * rebuilt field by field so extra properties (an oid, a debugging note) never reach the fingerprint.
 */
export function canonicalSchema(schema: SchemaDescription): SchemaDescription {
  const tables = schema.tables.map(
    (table): TableDescription => ({
      schema: table.schema,
      name: table.name,
      kind: table.kind,
      columns: table.columns.map((column) => ({
        name: column.name,
        type: column.type,
        nullable: column.nullable,
        default: column.default,
      })),
      constraints: table.constraints
        .map((constraint) => ({ name: constraint.name, type: constraint.type, definition: constraint.definition }))
        // Names are unique per table; the tie-breaks only make the order total for malformed input.
        .sort(
          (a, b) =>
            compareText(a.name, b.name) || compareText(a.type, b.type) || compareText(a.definition, b.definition),
        ),
      indexes: table.indexes
        .map((index) => ({
          name: index.name,
          definition: index.definition,
          method: index.method,
          unique: index.unique,
        }))
        .sort((a, b) => compareText(a.name, b.name) || compareText(a.definition, b.definition)),
    }),
  );
  const sorted = tables.sort(compareTables);
  return schema.objects === undefined ? { tables: sorted } : { tables: sorted, objects: canonicalObjects(schema.objects) };
}

/**
 * The restored schema cut to what a manifest's schema holds, so an old manifest (no `objects`)
 * is still compared, on its tables, rather than failing on a section it never had. `omitted`
 * names what could not be compared (empty when nothing was left out).
 */
export function comparableSchema(
  manifestSchema: SchemaDescription,
  actual: SchemaDescription,
): { readonly schema: SchemaDescription; readonly omitted: readonly string[] } {
  if (manifestSchema.objects !== undefined || actual.objects === undefined) return { schema: actual, omitted: [] };
  return { schema: { tables: actual.tables }, omitted: [...SCHEMA_OBJECT_SECTIONS] };
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, arrays in their given order.
 * Written by hand because `JSON.stringify` puts integer-like keys first whatever the insertion
 * order, and rejects nothing (`undefined`, `NaN`) that would make two documents ambiguous.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no representation for ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort(compareText)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonical JSON has no representation for a ${typeof value}`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 (hex) of the canonical JSON of the canonical schema: equal schemas, equal fingerprints. */
export function fingerprint(schema: SchemaDescription): string {
  return sha256Hex(canonicalJson(canonicalSchema(schema)));
}

/**
 * The tables whose rows a manifest counts: plain logged tables except the heartbeat table
 * (see {@link HEARTBEAT_TABLE} and {@link TableKind} for why the others are left out).
 */
export function countableTables(schema: SchemaDescription): TableRef[] {
  const heartbeat = qualifiedName(HEARTBEAT_TABLE);
  return canonicalSchema(schema)
    .tables.filter((table) => table.kind === 'table' && qualifiedName(table) !== heartbeat)
    .map((table) => ({ schema: table.schema, name: table.name }));
}

/** Input of {@link buildManifest}. */
export interface ManifestInput {
  /** Database name. */
  readonly database: string;
  /** When capture started. */
  readonly capturedAt: Date;
  /** The schema, any order. */
  readonly schema: SchemaDescription;
  /** Row counts keyed by `schema.table`; every key must name a table of `schema`. */
  readonly rowCounts: RowCounts;
  /** Newest heartbeat (ISO 8601), or null when there is none. */
  readonly heartbeatLatestAt: string | null;
  /** Write counters read before the counts; present makes a format-2 manifest. */
  readonly counters?: CounterReading;
  /** Column tallies and digests (optional). */
  readonly content?: ContentReading;
  /** Large objects (optional). */
  readonly largeObjects?: LargeObjectTally;
  /** Exact mode: the source's ledger observations (see {@link DatabaseManifest.ledger}). */
  readonly ledger?: readonly LedgerObservation[];
}

/**
 * Assembles a manifest in canonical form.
 *
 * @throws ValidationError listing every problem: an empty database name, an invalid date, a count
 *   that is not a non-negative safe integer, a count for a table the schema does not have, or two
 *   tables whose `schema.table` names collide (a dot inside an identifier) so counts would be ambiguous.
 */
export function buildManifest(input: ManifestInput): DatabaseManifest {
  const problems: string[] = [];
  if (input.database.length === 0) problems.push('database: must not be empty');
  if (Number.isNaN(input.capturedAt.getTime())) problems.push('capturedAt: invalid date');
  const schema = canonicalSchema(input.schema);
  const names = new Set<string>();
  for (const table of schema.tables) {
    const name = qualifiedName(table);
    if (names.has(name)) problems.push(`schema: more than one table is named ${name}`);
    names.add(name);
  }
  const rowCounts: Record<string, number> = {};
  for (const key of Object.keys(input.rowCounts).sort(compareText)) {
    const count = input.rowCounts[key];
    if (!names.has(key)) problems.push(`rowCounts.${key}: no such table in the schema`);
    if (count === undefined || !Number.isSafeInteger(count) || count < 0) {
      problems.push(`rowCounts.${key}: must be a non-negative integer, got ${String(count)}`);
    } else {
      rowCounts[key] = count;
    }
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    formatVersion: input.counters === undefined ? MANIFEST_FORMAT_VERSION : BRACKETED_MANIFEST_FORMAT_VERSION,
    database: input.database,
    capturedAt: input.capturedAt.toISOString(),
    schema,
    schemaFingerprint: fingerprint(schema),
    rowCounts,
    heartbeat: { latestAt: input.heartbeatLatestAt },
    ...(input.counters === undefined ? {} : { counters: input.counters }),
    ...(input.content === undefined ? {} : { content: input.content }),
    ...(input.largeObjects === undefined ? {} : { largeObjects: input.largeObjects }),
    ...(input.ledger === undefined || input.ledger.length === 0 ? {} : { ledger: input.ledger }),
  };
}

/**
 * Captures a manifest through the inspector.
 *
 * 1. Note the start time (the clock is injected so tests and replays are deterministic).
 * 2. Describe the schema.
 * 3. Count the rows of every countable table in one consistent snapshot.
 * 4. Read the newest heartbeat.
 * 5. Assemble the canonical manifest.
 */
export async function captureManifest(
  inspector: DatabaseInspector,
  options: { readonly database: string; readonly now: () => Date },
): Promise<DatabaseManifest> {
  const capturedAt = options.now();
  const schema = await inspector.describeSchema();
  const rowCounts = await inspector.countRows(countableTables(schema));
  const heartbeatLatestAt = await inspector.latestHeartbeat();
  return buildManifest({ database: options.database, capturedAt, schema, rowCounts, heartbeatLatestAt });
}

/**
 * Captures reading A of the bracket: a format-2 manifest.
 *
 * 1. Note the start time; describe the schema.
 * 2. Read the write counters of every countable table FIRST: a write committed after the counts'
 *    snapshot then reaches the counters only after this read, so it falls inside the bracket
 *    (read the other way round, it could be in neither the count nor the counter delta).
 * 3. Count the rows in one repeatable-read snapshot — with a content reader, the same scan also
 *    takes each column's tallies and the row digest, and the large objects (`verification/content.ts`);
 *    read the newest heartbeat.
 * 4. Assemble the canonical manifest.
 */
export async function captureBracketedManifest(
  inspector: DatabaseInspector,
  statistics: WriteStatistics,
  options: {
    readonly database: string;
    readonly now: () => Date;
    /** Reads the content tallies with the counts; absent: counts only (no `content`, no `largeObjects`). */
    readonly content?: ContentReader;
    /** Whether the content scan digests every row (config `restoreTest.contentDigest`). @default true */
    readonly digest?: boolean;
    /** Exact mode: observes the configured tables' ledgers (count and ledger in one snapshot). */
    readonly ledger?: { readonly tables: readonly string[]; readonly observe: (tables: readonly string[]) => Promise<readonly LedgerObservation[]> };
  },
): Promise<DatabaseManifest> {
  const capturedAt = options.now();
  const schema = await inspector.describeSchema();
  const tables = countableTables(schema);
  const counters = await statistics.readCounters(tables);
  const digest = options.digest ?? true;
  const scan = options.content === undefined ? null : await options.content.scanContent(tables, contentRequests(schema, tables, digest), DIGEST_SEED);
  const rowCounts = scan?.rowCounts ?? (await inspector.countRows(tables));
  const heartbeatLatestAt = await inspector.latestHeartbeat();
  const content = scan === null ? {} : { content: { seed: DIGEST_SEED, digest, tables: scan.content }, largeObjects: scan.largeObjects };
  const ledger = options.ledger === undefined || options.ledger.tables.length === 0 ? undefined : await options.ledger.observe(options.ledger.tables);
  return buildManifest({ database: options.database, capturedAt, schema, rowCounts, heartbeatLatestAt, counters, ...content, ...(ledger === undefined ? {} : { ledger }) });
}

/** The stored bytes of a manifest (UTF-8 of its canonical JSON); what {@link manifestDigest} hashes. */
export function serializeManifest(manifest: DatabaseManifest): string {
  return canonicalJson(manifest);
}

/** SHA-256 (hex) of the stored bytes, kept next to the document so a restore test can trust it. */
export function manifestDigest(manifest: DatabaseManifest): string {
  return sha256Hex(serializeManifest(manifest));
}

function describeField(value: unknown): string {
  return value === null ? 'none' : String(value);
}

function diffFields(
  subject: string,
  expected: Readonly<Record<string, unknown>>,
  actual: Readonly<Record<string, unknown>>,
  fields: readonly string[],
): string[] {
  return fields
    .filter((field) => expected[field] !== actual[field])
    .map((field) => `${subject} ${field} ${describeField(expected[field])} -> ${describeField(actual[field])}`);
}

/** Pairs two named lists: missing (only expected), unexpected (only actual), both. */
function pairByName<T>(
  expected: readonly T[],
  actual: readonly T[],
  nameOf: (item: T) => string,
): { name: string; expected: T | undefined; actual: T | undefined }[] {
  const actualByName = new Map(actual.map((item) => [nameOf(item), item]));
  const expectedByName = new Map(expected.map((item) => [nameOf(item), item]));
  const names = [...new Set([...expectedByName.keys(), ...actualByName.keys()])].sort(compareText);
  return names.map((name) => ({ name, expected: expectedByName.get(name), actual: actualByName.get(name) }));
}

function diffTable(expected: TableDescription, actual: TableDescription): string[] {
  const table = `table ${qualifiedName(expected)}`;
  const differences = diffFields(table, { kind: expected.kind }, { kind: actual.kind }, ['kind']);

  for (const pair of pairByName(expected.columns, actual.columns, (column) => column.name)) {
    if (pair.actual === undefined) differences.push(`${table}: column ${pair.name} missing`);
    else if (pair.expected === undefined) differences.push(`${table}: column ${pair.name} unexpected`);
    else {
      differences.push(
        ...diffFields(`${table}: column ${pair.name}`, { ...pair.expected }, { ...pair.actual }, [
          'type',
          'nullable',
          'default',
        ]),
      );
    }
  }
  // Order is compared on the columns both sides have, so a missing column is reported once.
  const actualNames = new Set(actual.columns.map((column) => column.name));
  const expectedNames = new Set(expected.columns.map((column) => column.name));
  const expectedOrder = expected.columns.map((column) => column.name).filter((name) => actualNames.has(name));
  const actualOrder = actual.columns.map((column) => column.name).filter((name) => expectedNames.has(name));
  if (expectedOrder.join('\u0000') !== actualOrder.join('\u0000')) {
    differences.push(`${table}: column order ${expectedOrder.join(', ')} -> ${actualOrder.join(', ')}`);
  }

  for (const pair of pairByName(expected.constraints, actual.constraints, (constraint) => constraint.name)) {
    if (pair.actual === undefined) differences.push(`${table}: constraint ${pair.name} missing`);
    else if (pair.expected === undefined) differences.push(`${table}: constraint ${pair.name} unexpected`);
    else {
      differences.push(
        ...diffFields(`${table}: constraint ${pair.name}`, { ...pair.expected }, { ...pair.actual }, [
          'type',
          'definition',
        ]),
      );
    }
  }

  // Index names are unique per schema, so an index is named by schema, like a table.
  for (const pair of pairByName(expected.indexes, actual.indexes, (index) => index.name)) {
    const index = `index ${expected.schema}.${pair.name}`;
    if (pair.actual === undefined) differences.push(`${index} missing`);
    else if (pair.expected === undefined) differences.push(`${index} unexpected`);
    else {
      const fields = ['definition', 'method', 'unique'];
      differences.push(...diffFields(index, { ...pair.expected }, { ...pair.actual }, fields));
    }
  }
  return differences;
}

/**
 * Human-readable differences from `expected` (the manifest) to `actual` (the restored database),
 * in canonical order; empty when the schemas are equal. Messages look like
 * `table shop.orders: column total type numeric(10,2) -> text`, `index shop.orders_customer_idx missing`,
 * `table audit.log missing`, `table public.settings: column updated_at unexpected`. The columns,
 * constraints and indexes of a missing or unexpected table are not listed again. When both sides
 * have `objects`, their differences follow (see `diffObjects`: `trigger shop.orders.orders_audit: missing`).
 */
export function diffSchemas(expected: SchemaDescription, actual: SchemaDescription): string[] {
  const differences: string[] = [];
  const reported = new Set<string>();
  const pairs = pairByName(canonicalSchema(expected).tables, canonicalSchema(actual).tables, qualifiedName);
  for (const pair of pairs) {
    if (pair.actual === undefined) differences.push(`table ${pair.name} missing`);
    else if (pair.expected === undefined) differences.push(`table ${pair.name} unexpected`);
    else differences.push(...diffTable(pair.expected, pair.actual));
    if (pair.actual === undefined || pair.expected === undefined) reported.add(pair.name);
  }
  // Compared only when both sides have the section (an old manifest has none).
  if (expected.objects !== undefined && actual.objects !== undefined) {
    differences.push(...diffObjects(expected.objects, actual.objects, reported));
  }
  return differences;
}

/**
 * Differences between two sets of row counts, sorted by table: `table shop.orders: rows 5 -> 4`,
 * `table audit.log: row count missing`, `table public.extra: row count unexpected (3 rows)`.
 */
export function diffRowCounts(expected: RowCounts, actual: RowCounts): string[] {
  const differences: string[] = [];
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort(compareText);
  for (const name of names) {
    const want = expected[name];
    const got = actual[name];
    if (got === undefined) differences.push(`table ${name}: row count missing`);
    else if (want === undefined) differences.push(`table ${name}: row count unexpected (${got} rows)`);
    else if (want !== got) differences.push(`table ${name}: rows ${want} -> ${got}`);
  }
  return differences;
}

/** Problems found while checking a document, each with its JSON path. */
export type Problems = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a plain JSON object (not null, not an array); shared with the reading-B parser. */
export const isManifestRecord = isRecord;

function expectString(record: Record<string, unknown>, key: string, path: string, problems: Problems): void {
  if (typeof record[key] !== 'string') problems.push(`${path}.${key}: must be a string`);
}

function expectNullableString(record: Record<string, unknown>, key: string, path: string, problems: Problems): void {
  if (record[key] !== null && typeof record[key] !== 'string') {
    problems.push(`${path}.${key}: must be a string or null`);
  }
}

function expectBoolean(record: Record<string, unknown>, key: string, path: string, problems: Problems): void {
  if (typeof record[key] !== 'boolean') problems.push(`${path}.${key}: must be a boolean`);
}

function expectOneOf(
  record: Record<string, unknown>,
  key: string,
  allowed: readonly string[],
  path: string,
  problems: Problems,
): void {
  const value = record[key];
  if (typeof value !== 'string' || !allowed.includes(value)) {
    problems.push(`${path}.${key}: must be one of ${allowed.join(', ')}`);
  }
}

/** Checks each element of `record[key]` (which must be an array) with `check`. */
function expectArray(
  record: Record<string, unknown>,
  key: string,
  path: string,
  problems: Problems,
  check: (item: Record<string, unknown>, itemPath: string) => void,
): void {
  const value = record[key];
  if (!Array.isArray(value)) {
    problems.push(`${path}.${key}: must be an array`);
    return;
  }
  value.forEach((item: unknown, index) => {
    const itemPath = `${path}.${key}[${index}]`;
    if (isRecord(item)) check(item, itemPath);
    else problems.push(`${itemPath}: must be an object`);
  });
}

const TABLE_KINDS: readonly TableKind[] = ['table', 'unlogged table', 'partitioned table'];
const CONSTRAINT_TYPES: readonly ConstraintType[] = [
  'primary key',
  'foreign key',
  'unique',
  'check',
  'exclusion',
  'trigger',
];

function checkTable(table: Record<string, unknown>, path: string, problems: Problems): void {
  expectString(table, 'schema', path, problems);
  expectString(table, 'name', path, problems);
  expectOneOf(table, 'kind', TABLE_KINDS, path, problems);
  expectArray(table, 'columns', path, problems, (column, columnPath) => {
    expectString(column, 'name', columnPath, problems);
    expectString(column, 'type', columnPath, problems);
    expectBoolean(column, 'nullable', columnPath, problems);
    expectNullableString(column, 'default', columnPath, problems);
  });
  expectArray(table, 'constraints', path, problems, (constraint, constraintPath) => {
    expectString(constraint, 'name', constraintPath, problems);
    expectOneOf(constraint, 'type', CONSTRAINT_TYPES, constraintPath, problems);
    expectString(constraint, 'definition', constraintPath, problems);
  });
  expectArray(table, 'indexes', path, problems, (index, indexPath) => {
    expectString(index, 'name', indexPath, problems);
    expectString(index, 'definition', indexPath, problems);
    expectString(index, 'method', indexPath, problems);
    expectBoolean(index, 'unique', indexPath, problems);
  });
}

/** Checks the shape of reading A's or B's ledger observations (exact mode): what the judging reads of them. */
export function checkLedgerReading(value: unknown, path: string, problems: Problems): void {
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be an array`);
    return;
  }
  value.forEach((item: unknown, index) => {
    const at = `${path}[${index}]`;
    if (!isRecord(item) || typeof item['table'] !== 'string') {
      problems.push(`${at}: must be an object with a table name`);
      return;
    }
    for (const key of ['count', 'ledger']) {
      const number = item[key];
      if (number !== null && !(typeof number === 'number' && Number.isSafeInteger(number))) problems.push(`${at}.${key}: must be an integer or null`);
    }
  });
}

/** Checks the shape of a {@link CounterReading} (reading A's or B's counters). */
export function checkCounterReading(value: unknown, path: string, problems: Problems): void {
  if (!isRecord(value)) {
    problems.push(`${path}: must be an object`);
    return;
  }
  const server = value['server'];
  if (isRecord(server)) {
    expectString(server, 'clock', `${path}.server`, problems);
    expectString(server, 'startedAt', `${path}.server`, problems);
    expectNullableString(server, 'statsResetAt', `${path}.server`, problems);
  } else problems.push(`${path}.server: must be an object`);
  const tables = value['tables'];
  if (!isRecord(tables)) {
    problems.push(`${path}.tables: must be an object`);
    return;
  }
  for (const [name, table] of Object.entries(tables)) {
    const at = `${path}.tables.${name}`;
    if (!isRecord(table)) {
      problems.push(`${at}: must be an object`);
      continue;
    }
    for (const key of ['inserted', 'deleted']) {
      const n = table[key];
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) problems.push(`${at}.${key}: must be a non-negative integer`);
    }
    const updated = table['updated'];
    if (updated !== undefined && (typeof updated !== 'number' || !Number.isSafeInteger(updated) || updated < 0)) problems.push(`${at}.updated: must be a non-negative integer when present`);
    expectString(table, 'storage', at, problems);
    expectBoolean(table, 'unlogged', at, problems);
  }
}

/**
 * Reads a stored manifest back, for the restore test. Checks the shape and that the stored
 * fingerprint matches the stored schema, so a hand-edited or truncated document is refused rather
 * than compared. (Check the bytes against the stored SHA-256 before calling this.)
 *
 * @throws ValidationError listing every problem, each with its JSON path.
 */
export function parseManifest(text: string): DatabaseManifest {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ValidationError([`manifest: not JSON (${(error as Error).message})`], { cause: error });
  }
  if (!isRecord(document)) throw new ValidationError(['manifest: must be an object']);
  const problems: Problems = [];
  const path = 'manifest';
  const version = document['formatVersion'];
  if (version !== MANIFEST_FORMAT_VERSION && version !== BRACKETED_MANIFEST_FORMAT_VERSION) {
    problems.push(`${path}.formatVersion: must be ${MANIFEST_FORMAT_VERSION} or ${BRACKETED_MANIFEST_FORMAT_VERSION}, got ${String(version)}`);
  } else if (version === BRACKETED_MANIFEST_FORMAT_VERSION) {
    checkCounterReading(document['counters'], `${path}.counters`, problems);
  }
  expectString(document, 'database', path, problems);
  const capturedAt = document['capturedAt'];
  if (typeof capturedAt !== 'string' || Number.isNaN(Date.parse(capturedAt))) {
    problems.push(`${path}.capturedAt: must be an ISO 8601 date`);
  }
  expectString(document, 'schemaFingerprint', path, problems);
  const schema = document['schema'];
  if (isRecord(schema)) {
    expectArray(schema, 'tables', `${path}.schema`, problems, (table, tablePath) => checkTable(table, tablePath, problems));
    if (schema['objects'] !== undefined) checkSchemaObjects(schema['objects'], `${path}.schema.objects`, problems);
  } else {
    problems.push(`${path}.schema: must be an object`);
  }
  const rowCounts = document['rowCounts'];
  if (isRecord(rowCounts)) {
    for (const [key, count] of Object.entries(rowCounts)) {
      if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
        problems.push(`${path}.rowCounts.${key}: must be a non-negative integer`);
      }
    }
  } else {
    problems.push(`${path}.rowCounts: must be an object`);
  }
  const ledger = document['ledger'];
  if (ledger !== undefined) checkLedgerReading(ledger, `${path}.ledger`, problems);
  const heartbeat = document['heartbeat'];
  if (isRecord(heartbeat)) expectNullableString(heartbeat, 'latestAt', `${path}.heartbeat`, problems);
  else problems.push(`${path}.heartbeat: must be an object`);
  // Optional fields (newer manifests): checked when present, so older documents still read.
  if (document['content'] !== undefined) checkContentReading(document['content'], `${path}.content`, problems);
  if (document['largeObjects'] !== undefined) checkLargeObjectTally(document['largeObjects'], `${path}.largeObjects`, problems);
  if (problems.length > 0) throw new ValidationError(problems);

  const manifest = document as unknown as DatabaseManifest;
  const recomputed = fingerprint(manifest.schema);
  if (recomputed !== manifest.schemaFingerprint) {
    throw new ValidationError([
      `${path}.schemaFingerprint: ${manifest.schemaFingerprint} does not match the schema (${recomputed})`,
    ]);
  }
  return manifest;
}
