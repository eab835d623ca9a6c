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
import { HEARTBEAT_TABLE } from '../probe/model.ts';
import type { CounterReading } from './bracket-model.ts';
import { canonicalObjects } from './schema-objects.ts';
import { SCHEMA_OBJECT_SECTIONS } from './schema-objects-model.ts';
import type { ContentReader } from '../../ports/content-reader.ts';
import { contentRequests, DIGEST_SEED } from './content.ts';
import type { ContentReading, LargeObjectTally } from './content-model.ts';
import type { LedgerObservation } from './exact-counts-model.ts';

export type { ColumnDescription, ConstraintType, ConstraintDescription, IndexDescription, TableKind, TableDescription, SchemaDescription, TableRef, RowCounts } from './model.ts';
import type { TableDescription, SchemaDescription, TableRef, RowCounts } from './model.ts';

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

/**
 * What a stored manifest must meet beyond its shape (`functions/contracts/documents/manifest.ts`):
 * its fingerprint is its schema's, so a hand-edited or truncated schema is refused, not compared.
 *
 * @returns the problems (empty when the manifest keeps the rule)
 */
export function storedManifestProblems(manifest: DatabaseManifest): string[] {
  const recomputed = fingerprint(manifest.schema);
  if (recomputed === manifest.schemaFingerprint) return [];
  return [`manifest.schemaFingerprint: ${manifest.schemaFingerprint} does not match the schema (${recomputed})`];
}
