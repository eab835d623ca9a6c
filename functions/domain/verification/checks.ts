/**
 * Verification rules: what makes a restored database pass a restore test.
 *
 * The snapshot restore test and the point-in-time restore both run {@link runVerification}; the
 * first compares the restored database with the manifest captured next to the snapshot, the second
 * has no manifest and runs the same checks minus that comparison. Every check reports
 * passed / failed / skipped with one line of evidence and the details behind it, and one failing
 * check never stops the others: a report that lists every problem at once is what an operator
 * needs at 3 a.m.
 *
 * Everything here is pure: SQL lives behind the {@link VerificationProbe} port, time is injected.
 */
import type { DatabaseManifest, SchemaDescription, TableRef } from './manifest.ts';
import { comparableSchema, countableTables, fingerprint, qualifiedName } from './manifest.ts';
import { diffRowCounts, diffSchemas } from './schema-diff.ts';
import type {
  AssertionObservation,
  BtreeCheckRun,
  ConnectionSecurity,
  IndexRef,
  TableReadOutcome,
  VerificationProbe,
} from '../../ports/verification-probe.ts';
import { DrError, SqlConnectionError, ValidationError } from '../../shared/errors.ts';
import type { AfterReading } from './after-reading.ts';
import { DEFAULT_MAX_BRACKET_SHARE, describeTable, judgeBracket, type TableBracket } from './bracket.ts';
import {
  ginIndexes,
  judgeConstraints,
  judgeGinIndexes,
  judgeHeapPages,
  judgeIndexValidity,
  judgeSequences,
  type StructureVerdict,
} from './structure.ts';
import { contentEvidence, judgeContent, judgeLargeObjects, restoredRequests } from './content.ts';
import { judgeExactCounts } from './exact-counts.ts';

/**
 * The built-in checks, in report order (user assertions follow them). A new id adds an entry to
 * `checks` without changing the report's shape, so it does not bump {@link REPORT_FORMAT_VERSION}
 * ('table-content' and 'large-objects' came with format 2).
 */
export const CHECK_IDS = [
  'tls',
  'schema-fingerprint',
  'row-counts',
  'tables-readable',
  'btree-indexes',
  'heartbeat',
  // Structural checks of the copy itself, no manifest needed (verification/structure.ts).
  'index-validity',
  'sequences',
  'foreign-keys',
  'check-constraints',
  'gin-indexes',
  'heap-pages',
  'table-content',
  'large-objects',
] as const;

/**
 * Built-in checks that run only when configured, after {@link CHECK_IDS} in report order:
 * `exact-counts` (exact mode, `restoreTest.exactCounts.tables`). Kept apart from CHECK_IDS so a
 * report without exact mode lists exactly the checks it listed before the mode existed.
 */
export const OPT_IN_CHECK_IDS = ['exact-counts'] as const;

/** Id of a built-in check. */
export type BuiltInCheckId = (typeof CHECK_IDS)[number] | (typeof OPT_IN_CHECK_IDS)[number];

/** Id of a user assertion's check: `assertion:<name>`. */
export type AssertionCheckId = `assertion:${string}`;

/** Id of any check in a report. */
export type CheckId = BuiltInCheckId | AssertionCheckId;

/**
 * `skipped` means the check legitimately does not apply (no manifest for a point-in-time restore).
 * `inconclusive` means a check that was expected to run could not judge (amcheck unavailable, an
 * unsound row-count bracket): not a failure of the restored data, and never a pass.
 */
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'inconclusive';

/**
 * A report's verdict: `failed` when any check failed, else `inconclusive` when any check could not
 * judge, else `passed` (every check passed or legitimately did not apply).
 */
export type ReportVerdict = 'passed' | 'failed' | 'inconclusive';

/** A check's verdict, as the rules produce it. */
export interface CheckVerdict {
  /** Which check. */
  readonly id: CheckId;
  /** Outcome. */
  readonly status: CheckStatus;
  /** `status === 'passed'`; a skipped check is not passed. */
  readonly passed: boolean;
  /** One line saying what was observed, with the numbers that decided the outcome. */
  readonly evidence: string;
  /** The lines behind the evidence: each difference, failing table or index, context. */
  readonly details: readonly string[];
}

/** A check in a report: its verdict and how long its own observations took. */
export interface CheckResult extends CheckVerdict {
  /**
   * Milliseconds spent on this check's observations. `row-counts` reuses the counts of the full
   * read (one scan serves both), so the scan time is booked to `tables-readable`.
   */
  readonly durationMs: number;
}

/** What was restored and is being verified. */
export type VerificationSource =
  | {
      readonly kind: 'snapshot';
      /** The RDS snapshot id. */
      readonly snapshotId: string;
      /** When RDS took the snapshot (`SnapshotCreateTime`): where the heartbeat should be. */
      readonly snapshotCreatedAt: Date;
      /** The manifest captured next to the snapshot, already checked against its SHA-256. */
      readonly manifest: DatabaseManifest;
      /** Reading B of the bracket (after the snapshot point); null when the backup did not take it. */
      readonly after?: AfterReading | null;
      /**
       * RDS's `SnapshotDatabaseTime` (the most recent transaction in the snapshot), when known: the
       * heartbeat's expected point instead of `snapshotCreatedAt`.
       */
      readonly snapshotDatabaseTime?: Date | null;
    }
  | {
      readonly kind: 'point-in-time';
      /** The requested restore time (for "latest", the `LatestRestorableTime` used). */
      readonly targetTime: Date;
    };

/**
 * How far the newest heartbeat may be from the expected point in time.
 *
 * `maxLagSeconds`: how much older than the expected point it may be. `maxLeadSeconds`: how much
 * newer; for a point-in-time restore this should be 0, because a heartbeat's `written_at` is taken
 * by the same clock that stamps commits and recovery stops at the target commit time, so anything
 * newer means the restore went past the target.
 */
export interface HeartbeatTolerance {
  /** Seconds the newest heartbeat may precede the expected point; positive. */
  readonly maxLagSeconds: number;
  /** Seconds the newest heartbeat may follow the expected point; zero or more. */
  readonly maxLeadSeconds: number;
}

/**
 * Recommended tolerances per source kind. Lag: two probe intervals (the probe writes every 60 s),
 * so one late or missed probe run does not fail a restore but a stopped probe does. Lead for a
 * snapshot: RDS's `SnapshotCreateTime` marks the start of the snapshot and the storage point follows
 * it, so one probe write past it is legitimate. Lead for point-in-time: 0 (see {@link HeartbeatTolerance}).
 */
export const DEFAULT_HEARTBEAT_TOLERANCE: Readonly<Record<VerificationSource['kind'], HeartbeatTolerance>> = {
  snapshot: { maxLagSeconds: 120, maxLeadSeconds: 60 },
  'point-in-time': { maxLagSeconds: 120, maxLeadSeconds: 0 },
};

/** The heartbeat expectation of one run. */
export interface HeartbeatExpectation extends HeartbeatTolerance {
  /** Where the restored data should end: the snapshot time or the PITR target. */
  readonly expectedAt: Date;
  /**
   * The manifest's newest heartbeat (snapshot restores only): the snapshot was taken after the
   * manifest, so a restored heartbeat older than this one proves data is missing.
   */
  readonly notBefore: string | null;
  /** Reading B's heartbeat (snapshot restores with B): a restored heartbeat newer than it cannot be. */
  readonly notAfter?: string | null;
}

/**
 * The expected outcome of a user assertion. A small set on purpose: one value compared with a
 * constant covers the invariants people write ("no negative totals", "at least one order today",
 * "the latest migration is 42") and stays unambiguous to read in config and in a report.
 * `between` is inclusive at both ends. Numbers compare numerically (the text form the server
 * returns is parsed), strings and booleans exactly, `null` matches SQL NULL.
 */
export type AssertionExpectation =
  | { readonly equals: number | string | boolean | null }
  | { readonly atLeast: number }
  | { readonly atMost: number }
  | { readonly between: readonly [number, number] };

/** A validated user assertion (its schema: `functions/contracts/documents/assertions.ts`). */
export interface UserAssertion {
  /** Unique name; the check id is `assertion:<name>`. */
  readonly name: string;
  /** One SQL statement returning one row with one column. */
  readonly query: string;
  /** The condition its value must meet. */
  readonly expect: AssertionExpectation;
  /** Server-side statement timeout. @default 30 */
  readonly timeoutSeconds: number;
}

/** Default {@link UserAssertion.timeoutSeconds}. */
export const DEFAULT_ASSERTION_TIMEOUT_SECONDS = 30;

/**
 * Longest allowed assertion timeout: the verify function runs in a Lambda (15 minutes at most)
 * that also reads every table; an assertion needing more than 5 minutes belongs in a job of its own.
 */
export const MAX_ASSERTION_TIMEOUT_SECONDS = 300;

/** Input of {@link runVerification}. */
export interface VerificationOptions {
  /** Name of the database being verified (for the report). */
  readonly database: string;
  /** What was restored. */
  readonly source: VerificationSource;
  /** Heartbeat tolerance (see {@link DEFAULT_HEARTBEAT_TOLERANCE}). */
  readonly heartbeat: HeartbeatTolerance;
  /** User assertions from config, validated by `parseAssertions` (`functions/contracts/documents/assertions.ts`). */
  readonly assertions: readonly UserAssertion[];
  /** The clock (injected so reports are reproducible in tests). */
  readonly now: () => Date;
  /** A row-count bracket wider than this share of a table's rows is flagged. @default DEFAULT_MAX_BRACKET_SHARE */
  readonly maxBracketShare?: number;
  /** Exact mode: tables whose restored count must equal their row-count ledger. @default [] */
  readonly exactCountTables?: readonly string[];
}

/** The document a verification produces; stored in the archive and summarised in metrics. */
export interface VerificationReport {
  /** Document format; bump when the shape changes (2: `verdict`, `inconclusive` checks, `bracket`). */
  readonly formatVersion: 2;
  /** Database verified. */
  readonly database: string;
  /** What was restored, as plain JSON. */
  readonly source:
    | {
        readonly kind: 'snapshot';
        readonly snapshotId: string;
        readonly snapshotCreatedAt: string;
        readonly manifestCapturedAt: string;
        readonly manifestFingerprint: string;
      }
    | { readonly kind: 'point-in-time'; readonly targetTime: string };
  /** When verification started (ISO 8601). */
  readonly startedAt: string;
  /** When it finished (ISO 8601). */
  readonly finishedAt: string;
  /** See {@link ReportVerdict}. */
  readonly verdict: ReportVerdict;
  /** `verdict === 'passed'`. */
  readonly passed: boolean;
  /** Per-table row-count brackets (snapshot restores with a bracketed manifest), with their widths. */
  readonly bracket: readonly TableBracket[];
  /** Findings about the schema that are not losses, reported once (unlogged tables, page checksums off). */
  readonly findings: readonly string[];
  /**
   * Whether the restored server verifies page checksums; null when it could not be read. Off, a
   * zeroed heap page reads as empty: only the row-count bracket can catch it (docs/restore.md).
   */
  readonly dataChecksums: boolean | null;
  /** Every check, built-in ones in {@link CHECK_IDS} then {@link OPT_IN_CHECK_IDS} order, then assertions in config order. */
  readonly checks: readonly CheckResult[];
  /**
   * The newest heartbeat in the restored data: the point in time the restore is proven to reach.
   * Null when there is no heartbeat.
   */
  readonly recoveredPointInTime: string | null;
  /**
   * Whole seconds (an integer, never negative) from {@link recoveredPointInTime} to `finishedAt`:
   * how old the restored data is, rounded up (an age is never understated) and 0 when the heartbeat
   * is ahead of this function's clock (skew). The workflow passes it on to the restore λ and a
   * CloudWatch metric, whose contract is an integer.
   */
  readonly dataAgeSeconds: number | null;
}

/** The current {@link VerificationReport.formatVersion}. */
export const REPORT_FORMAT_VERSION = 2;

// ---------------------------------------------------------------------------------------------
// Small helpers

function verdict(id: CheckId, status: CheckStatus, evidence: string, details: readonly string[] = []): CheckVerdict {
  return { id, status, passed: status === 'passed', evidence, details };
}

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Seconds to the microsecond (the heartbeat's resolution) without trailing zeros: `42`, `0.5`,
 * `120.000001`. Rounding to milliseconds would print "120 s (allowed 120 s)" for a failure.
 */
function formatSeconds(seconds: number): string {
  return String(Number(seconds.toFixed(6)));
}

/**
 * Microseconds since the epoch of an ISO 8601 time with a zone. Heartbeats carry microseconds,
 * which `Date` would drop; comparing a restored heartbeat with the manifest's must be exact.
 */
function epochMicros(iso: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (match === null) return null;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return null;
  return seconds * 1000 + Number((match[2] ?? '').padEnd(6, '0'));
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------
// What the checks look at

/**
 * The tables read in full: plain and unlogged tables. A partitioned parent holds no rows of its
 * own (its partitions are read); an unlogged table is read although crash recovery empties it.
 */
export function readableTables(schema: SchemaDescription): TableRef[] {
  return schema.tables
    .filter((table) => table.kind !== 'partitioned table')
    .map((table) => ({ schema: table.schema, name: table.name }))
    .sort((a, b) => compareText(a.schema, b.schema) || compareText(a.name, b.name));
}

/**
 * The B-tree indexes amcheck verifies. Indexes of a partitioned parent are left out: they are
 * catalog entries without storage; the partitions' own indexes are checked.
 */
export function btreeIndexes(schema: SchemaDescription): IndexRef[] {
  return schema.tables
    .filter((table) => table.kind !== 'partitioned table')
    .flatMap((table) =>
      table.indexes
        .filter((index) => index.method === 'btree')
        .map((index) => ({ schema: table.schema, table: table.name, name: index.name })),
    )
    .sort((a, b) => compareText(a.schema, b.schema) || compareText(a.name, b.name));
}

// ---------------------------------------------------------------------------------------------
// Rules

/** TLS versions accepted; older ones are broken or deprecated (RFC 8996). */
const ACCEPTED_TLS_VERSIONS: readonly string[] = ['TLSv1.2', 'TLSv1.3'];

/** Passes when every connection is encrypted with TLS 1.2 or later. */
export function judgeTls(connections: readonly ConnectionSecurity[]): CheckVerdict {
  if (connections.length === 0) return verdict('tls', 'failed', 'no connection to inspect');
  let bad = 0;
  const details = connections.map((connection, index) => {
    const label = `connection ${index + 1} (pid ${connection.pid})`;
    if (!connection.ssl) {
      bad += 1;
      return `${label}: not encrypted`;
    }
    const suite = `${connection.version ?? 'unknown version'} ${connection.cipher ?? 'unknown cipher'} ${connection.bits ?? '?'} bits`;
    if (connection.version === null || !ACCEPTED_TLS_VERSIONS.includes(connection.version)) {
      bad += 1;
      return `${label}: ${suite}, older than TLSv1.2`;
    }
    return `${label}: ${suite}`;
  });
  const total = connections.length;
  if (bad > 0) {
    return verdict('tls', 'failed', `${bad} of ${plural(total, 'connection')} not encrypted with TLS 1.2 or later`, details);
  }
  const versions = [...new Set(connections.map((connection) => connection.version))].join(', ');
  return verdict('tls', 'passed', `${total} of ${plural(total, 'connection')} encrypted (${versions})`, details);
}

/**
 * Passes when the restored schema's fingerprint equals the manifest's (reading A), or reading B's
 * when DDL ran between the readings (reported); the details list every difference from A.
 */
export function judgeSchema(manifest: DatabaseManifest, restored: SchemaDescription, afterFingerprint: string | null = null): CheckVerdict {
  // An old manifest has no `objects`: compare what it holds, and say what was not compared.
  const { schema: actual, omitted } = comparableSchema(manifest.schema, restored);
  const judged = judgeComparableSchema(manifest, actual, afterFingerprint);
  if (omitted.length === 0) return judged;
  const note = `the manifest predates the object fingerprint, so ${omitted.join(', ')} were not compared`;
  return { ...judged, evidence: `${judged.evidence}; ${note}`, details: [...judged.details, note] };
}

function judgeComparableSchema(manifest: DatabaseManifest, actual: SchemaDescription, afterFingerprint: string | null): CheckVerdict {
  const actualFingerprint = fingerprint(actual);
  if (afterFingerprint !== null && afterFingerprint !== manifest.schemaFingerprint && actualFingerprint === afterFingerprint) {
    return verdict(
      'schema-fingerprint',
      'passed',
      `fingerprint ${actualFingerprint} equals reading B's: DDL ran between the manifest (${manifest.schemaFingerprint}) and the snapshot (${plural(actual.tables.length, 'table')})`,
      diffSchemas(manifest.schema, actual),
    );
  }
  if (actualFingerprint === manifest.schemaFingerprint) {
    return verdict(
      'schema-fingerprint',
      'passed',
      `fingerprint ${actualFingerprint} equals the manifest's (${plural(actual.tables.length, 'table')})`,
    );
  }
  const differences = diffSchemas(manifest.schema, actual);
  return verdict(
    'schema-fingerprint',
    'failed',
    `fingerprint ${actualFingerprint} differs from the manifest's ${manifest.schemaFingerprint}: ${plural(differences.length, 'difference')}`,
    differences,
  );
}

/**
 * Passes when the exact row count of every countable table equals the manifest's.
 *
 * No tolerance, on purpose. The manifest is captured moments before RDS takes the snapshot, so
 * writes committed in between legitimately change counts; but a count cannot tell such a write
 * from lost rows, and any tolerance (a percentage, "a few rows") would pass exactly the loss this
 * check exists to catch. So each differing table is a failure showing both numbers, and the
 * heartbeat gives the context: when the restored heartbeat is newer than the manifest's, writes
 * happened in that window and the details say so, for the operator to judge.
 *
 * @param restoredHeartbeat newest heartbeat of the restored database (null when none)
 */
export function judgeRowCounts(
  manifest: DatabaseManifest,
  actual: SchemaDescription,
  reads: readonly TableReadOutcome[],
  restoredHeartbeat: string | null,
): CheckVerdict {
  const byName = new Map(reads.map((read) => [qualifiedName(read.table), read]));
  const counts: Record<string, number> = {};
  const expected: Record<string, number> = { ...manifest.rowCounts };
  const lines: { table: string; line: string }[] = [];
  for (const table of countableTables(actual)) {
    const name = qualifiedName(table);
    const read = byName.get(name);
    if (read?.ok === true) {
      counts[name] = read.rows;
    } else if (expected[name] !== undefined) {
      // A table that could not be read has no count; say so once instead of "row count missing".
      lines.push({ table: name, line: `table ${name}: rows ${expected[name]} -> not counted (the read failed)` });
      delete expected[name];
    }
  }
  for (const line of diffRowCounts(expected, counts)) {
    lines.push({ table: line.slice('table '.length, line.indexOf(': ')), line });
  }
  lines.sort((a, b) => compareText(a.table, b.table));
  const tables = new Set([...Object.keys(manifest.rowCounts), ...Object.keys(counts)]).size;
  const captured = `the manifest captured at ${manifest.capturedAt}`;
  if (lines.length === 0) {
    const rows = Object.values(counts).reduce((sum, count) => sum + count, 0);
    return verdict('row-counts', 'passed', `${plural(tables, 'table')}, ${plural(rows, 'row')}, equal to ${captured}`);
  }
  const details = lines.map((entry) => entry.line);
  const manifestHeartbeat = manifest.heartbeat.latestAt;
  const before = manifestHeartbeat === null ? null : epochMicros(manifestHeartbeat);
  const after = restoredHeartbeat === null ? null : epochMicros(restoredHeartbeat);
  if (before !== null && after !== null && after > before) {
    details.push(
      `the heartbeat advanced from ${manifestHeartbeat} to ${restoredHeartbeat} between manifest capture and snapshot: writes in that window change counts too`,
    );
  }
  return verdict('row-counts', 'failed', `${lines.length} of ${plural(tables, 'table')} differ from ${captured}`, details);
}

/** The schema finding about unlogged tables, once per report (empty when there are none). */
export function unloggedFinding(schema: SchemaDescription | null): string[] {
  const unlogged = (schema?.tables ?? []).filter((t) => t.kind === 'unlogged table').map((t) => qualifiedName(t)).sort(compareText);
  return unlogged.length === 0 ? [] : [`unlogged tables are not backed up by RDS snapshots (a restore empties them, by design): ${unlogged.join(', ')}`];
}

/**
 * The row-count check of a bracketed manifest (format 2): each countable table's restored count
 * against `[count_A − (del_B − del_A), count_A + (ins_B − ins_A)]` (see `verification/bracket.ts`).
 * Passed when every table is inside its bracket, failed when any is outside (the table, the bound
 * and the count in the details), inconclusive when a bracket cannot be sound (with why).
 */
export function judgeRowCountBracket(
  manifest: DatabaseManifest,
  after: AfterReading | null,
  actual: SchemaDescription,
  reads: readonly TableReadOutcome[],
  maxBracketShare: number,
): { check: CheckVerdict; tables: readonly TableBracket[] } {
  const byName = new Map(reads.map((read) => [qualifiedName(read.table), read]));
  const restored: Record<string, number | null> = {};
  for (const table of countableTables(actual)) {
    const name = qualifiedName(table);
    const read = byName.get(name);
    restored[name] = read?.ok === true ? read.rows : null;
  }
  const unlogged = [...manifest.schema.tables, ...actual.tables].filter((t) => t.kind === 'unlogged table').map((t) => qualifiedName(t));
  const judged = judgeBracket({
    countsBefore: manifest.rowCounts,
    before: manifest.counters ?? null,
    after: after?.counters ?? null,
    settle: after?.settle ?? null,
    restored,
    unloggedTables: [...new Set(unlogged)],
    maxWidthShare: maxBracketShare,
  });
  const details = judged.tables.map(describeTable);
  const counted = judged.tables.filter((t) => !unlogged.includes(t.table));
  const widest = Math.max(0, ...counted.map((t) => t.width ?? 0));
  const wide = counted.filter((t) => t.wide).length;
  const wideNote = wide > 0 ? `; ${wide} flagged wider than ${formatSeconds(maxBracketShare * 100)} % of their rows` : '';
  let evidence: string;
  if (judged.status === 'failed') {
    const failed = counted.filter((t) => t.status === 'failed');
    evidence = `${failed.length} of ${plural(counted.length, 'table')} outside the bracket: ${failed.map((t) => `${t.table} ${t.count ?? 'missing'} not in [${t.low ?? '?'}, ${t.high ?? '?'}]`).join(', ')}`;
  } else if (judged.status === 'inconclusive') {
    const open = counted.filter((t) => t.status === 'inconclusive');
    const why = judged.globalReasons.length > 0 ? judged.globalReasons.join('; ') : [...new Set(open.map((t) => t.reason ?? ''))].join('; ');
    evidence = `${open.length} of ${plural(counted.length, 'table')} could not be judged: ${why}`;
  } else {
    evidence = `${plural(counted.length, 'table')} inside the bracket of the manifest captured at ${manifest.capturedAt} (widest ${plural(widest, 'row')})${wideNote}`;
  }
  return { check: verdict('row-counts', judged.status, evidence, details), tables: judged.tables };
}

/** Passes when every table was read in full; the details give rows and bytes per table. */
export function judgeReadable(reads: readonly TableReadOutcome[]): CheckVerdict {
  if (reads.length === 0) return verdict('tables-readable', 'passed', 'no tables to read');
  let rows = 0;
  let bytes = 0;
  let failures = 0;
  const details = reads.map((read) => {
    const name = qualifiedName(read.table);
    if (!read.ok) {
      failures += 1;
      return `table ${name}: ${read.error}`;
    }
    rows += read.rows;
    bytes += read.bytes;
    return `table ${name}: ${plural(read.rows, 'row')}, ${plural(read.bytes, 'byte')}`;
  });
  if (failures > 0) {
    return verdict(
      'tables-readable',
      'failed',
      `${failures} of ${plural(reads.length, 'table')} could not be read in full`,
      details,
    );
  }
  return verdict(
    'tables-readable',
    'passed',
    `${plural(reads.length, 'table')} read in full: ${plural(rows, 'row')}, ${plural(bytes, 'byte')} of values`,
    details,
  );
}

/**
 * Passes when every B-tree index passed `bt_index_check` (indexes skipped by design, such as
 * invalid ones, are listed but do not fail it); skipped as a whole when amcheck is unavailable.
 */
export function judgeBtreeIndexes(run: BtreeCheckRun): CheckVerdict {
  // Expected to run and did not: nothing was looked at, which must never add up to a pass.
  if (!run.available) return verdict('btree-indexes', 'inconclusive', `amcheck unavailable, no index was checked: ${run.reason}`);
  if (run.outcomes.length === 0) return verdict('btree-indexes', 'passed', 'no B-tree indexes to check');
  const details: string[] = [];
  let failed = 0;
  let skipped = 0;
  for (const outcome of run.outcomes) {
    const name = `index ${outcome.index.schema}.${outcome.index.name}`;
    if (outcome.status === 'failed') {
      failed += 1;
      details.push(`${name}: ${outcome.message}`);
    } else if (outcome.status === 'skipped') {
      skipped += 1;
      details.push(`${name}: skipped (${outcome.message})`);
    }
  }
  const total = run.outcomes.length;
  const how = `bt_index_check with heapallindexed, ${run.detail}`;
  if (failed > 0) {
    return verdict('btree-indexes', 'failed', `${failed} of ${plural(total, 'B-tree index', 'B-tree indexes')} failed ${how}`, details);
  }
  const passed = total - skipped;
  const skippedNote = skipped > 0 ? `, ${skipped} skipped` : '';
  return verdict(
    'btree-indexes',
    'passed',
    `${passed} of ${plural(total, 'B-tree index', 'B-tree indexes')} passed ${how}${skippedNote}`,
    details,
  );
}

/**
 * Passes when the newest heartbeat is within the tolerance around the expected point and not older
 * than the manifest's heartbeat. The heartbeat is what proves the recovered point in time.
 */
export function judgeHeartbeat(latestAt: string | null, expectation: HeartbeatExpectation): CheckVerdict {
  const expectedIso = expectation.expectedAt.toISOString();
  const context = [
    `expected point ${expectedIso} (allowed ${formatSeconds(expectation.maxLagSeconds)} s before, ${formatSeconds(expectation.maxLeadSeconds)} s after)`,
  ];
  if (expectation.notBefore !== null) context.push(`manifest heartbeat ${expectation.notBefore}`);
  if (latestAt === null) {
    return verdict('heartbeat', 'failed', 'no heartbeat row: the recovered point in time cannot be proven', context);
  }
  const latest = epochMicros(latestAt);
  if (latest === null) return verdict('heartbeat', 'failed', `heartbeat ${latestAt} is not an ISO 8601 time`, context);
  const lagSeconds = (expectation.expectedAt.getTime() * 1000 - latest) / 1e6;
  const position =
    lagSeconds >= 0
      ? `${formatSeconds(lagSeconds)} s before the expected point ${expectedIso}`
      : `${formatSeconds(-lagSeconds)} s after the expected point ${expectedIso}`;
  const problems: string[] = [];
  if (lagSeconds > expectation.maxLagSeconds) {
    problems.push(`newest heartbeat ${latestAt} is ${position} (allowed ${formatSeconds(expectation.maxLagSeconds)} s)`);
  }
  if (-lagSeconds > expectation.maxLeadSeconds) {
    problems.push(`newest heartbeat ${latestAt} is ${position} (allowed ${formatSeconds(expectation.maxLeadSeconds)} s)`);
  }
  const floor = expectation.notBefore === null ? null : epochMicros(expectation.notBefore);
  if (floor !== null && latest < floor) {
    problems.push(
      `newest heartbeat ${latestAt} is older than the manifest's ${expectation.notBefore}: data the manifest saw is missing`,
    );
  }
  const ceiling = expectation.notAfter === undefined || expectation.notAfter === null ? null : epochMicros(expectation.notAfter);
  if (ceiling !== null && latest > ceiling) {
    problems.push(`newest heartbeat ${latestAt} is newer than reading B's ${expectation.notAfter}, taken after the snapshot: it cannot come from the snapshot`);
  }
  if (problems.length > 0) return verdict('heartbeat', 'failed', problems.join('; '), context);
  if (expectation.notBefore !== null && ceiling !== null) context.push(`reading B heartbeat ${expectation.notAfter}: bracket [${expectation.notBefore}, ${expectation.notAfter}]`);
  return verdict('heartbeat', 'passed', `newest heartbeat ${latestAt} is ${position}`, context);
}

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function describeValue(value: string | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return String(value);
  return NUMBER_TEXT.test(value) ? value : JSON.stringify(value);
}

/** How an expectation reads in evidence: `equals 0`, `at least 4`, `between 1 and 5`. */
export function describeExpectation(expect: AssertionExpectation): string {
  if ('equals' in expect) {
    const value = expect.equals;
    return `equals ${value === null ? 'NULL' : typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
  }
  if ('atLeast' in expect) return `at least ${expect.atLeast}`;
  if ('atMost' in expect) return `at most ${expect.atMost}`;
  return `between ${expect.between[0]} and ${expect.between[1]}`;
}

/** True when `value` meets `expect`; a string when it cannot be compared (the reason). */
function meets(value: string | boolean | null, expect: AssertionExpectation): boolean | string {
  if ('equals' in expect && typeof expect.equals !== 'number') return value === expect.equals;
  const number = typeof value === 'string' && NUMBER_TEXT.test(value) ? Number(value) : null;
  if (number === null || !Number.isFinite(number)) return `${describeValue(value)} is not a number`;
  if ('equals' in expect) return number === expect.equals;
  if ('atLeast' in expect) return number >= expect.atLeast;
  if ('atMost' in expect) return number <= expect.atMost;
  return number >= expect.between[0] && number <= expect.between[1];
}

/**
 * Passes when the query returned exactly one row with one column whose value meets the
 * expectation. A query the server refused or cancelled (a write in the read-only transaction, a
 * timeout, a syntax error) fails with the server's message.
 */
export function judgeAssertion(
  assertion: UserAssertion,
  outcome: AssertionObservation | { readonly error: string },
): CheckVerdict {
  const id: AssertionCheckId = `assertion:${assertion.name}`;
  const expected = describeExpectation(assertion.expect);
  const details = [`query: ${assertion.query}`, `expected: ${expected}`];
  if ('error' in outcome) return verdict(id, 'failed', `query failed: ${outcome.error}`, details);
  if (outcome.rows !== 1 || outcome.columns !== 1) {
    return verdict(
      id,
      'failed',
      `returned ${plural(outcome.rows, 'row')} of ${plural(outcome.columns, 'column')}; an assertion must return exactly one value`,
      details,
    );
  }
  const result = meets(outcome.value, assertion.expect);
  if (typeof result === 'string') return verdict(id, 'failed', `returned ${result} (expected ${expected})`, details);
  return verdict(id, result ? 'passed' : 'failed', `returned ${describeValue(outcome.value)} (expected ${expected})`, details);
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function validateOptions(options: VerificationOptions): void {
  const problems: string[] = [];
  const { maxLagSeconds, maxLeadSeconds } = options.heartbeat;
  if (!isFiniteNumber(maxLagSeconds) || maxLagSeconds <= 0) {
    problems.push(`heartbeat.maxLagSeconds: ${show(maxLagSeconds)} is not a positive number`);
  }
  if (!isFiniteNumber(maxLeadSeconds) || maxLeadSeconds < 0) {
    problems.push(`heartbeat.maxLeadSeconds: ${show(maxLeadSeconds)} is not a number of 0 or more`);
  }
  const expectedAt = options.source.kind === 'snapshot' ? options.source.snapshotCreatedAt : options.source.targetTime;
  if (Number.isNaN(expectedAt.getTime())) {
    problems.push(`source.${options.source.kind === 'snapshot' ? 'snapshotCreatedAt' : 'targetTime'}: invalid date`);
  }
  const seen = new Set<string>();
  options.assertions.forEach((assertion, index) => {
    if (seen.has(assertion.name)) problems.push(`assertions[${index}].name: ${show(assertion.name)} is used twice`);
    seen.add(assertion.name);
  });
  if (problems.length > 0) throw new ValidationError(problems);
}

// ---------------------------------------------------------------------------------------------
// The use case

type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/**
 * Runs one observation. A refused statement (a typed error other than a lost connection) becomes
 * a failed check with the server's message. A lost connection is rethrown: it says nothing about
 * the restored data, and the workflow retries it. Anything else is a bug and is rethrown as is.
 */
async function attempt<T>(work: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof DrError && !(error instanceof SqlConnectionError)) return { ok: false, error: error.message };
    throw error;
  }
}

/**
 * Verifies a restored database and builds the report.
 *
 * 1. Validate the options (nothing is queried when they are wrong).
 * 2. TLS of every connection.
 * 3. Describe the schema; compare its fingerprint with the manifest's (snapshot restores).
 * 4. Read every table in full in one snapshot: readability, and exact row counts from the same scan.
 * 5. amcheck every B-tree index (skipped when amcheck cannot be installed).
 *    Then the structural checks of the copy (verification/structure.ts): index validity, owned
 *    sequences ahead of their columns, foreign keys and CHECK constraints re-checked on every row,
 *    GIN indexes (amcheck on PostgreSQL 18+, a full-index scan below) and heap pages (`verify_heapam`).
 * 6. Newest heartbeat: the recovered point in time, checked against the expected point; row
 *    counts are judged now, with the heartbeat as context (see {@link judgeRowCounts}).
 * 7. Column tallies and quiet tables' digests against their brackets; large objects against A and
 *    B (`verification/content.ts`); skipped for a manifest captured before they were recorded.
 * 8. Each user assertion, read-only, with its timeout.
 * 9. Assemble the report: passed when no check failed; data age measured at the end.
 *
 * @throws ValidationError when the options are invalid
 * @throws SqlConnectionError when the connection is lost (no verdict is possible)
 */
export async function runVerification(probe: VerificationProbe, options: VerificationOptions): Promise<VerificationReport> {
  validateOptions(options);
  const { source, now } = options;
  const manifest = source.kind === 'snapshot' ? source.manifest : null;
  const after = source.kind === 'snapshot' ? (source.after ?? null) : null;
  const startedAt = now();
  let bracket: readonly TableBracket[] = [];
  const results = new Map<CheckId, CheckResult>();
  const record = (check: CheckVerdict, since: Date, until = now()): void => {
    results.set(check.id, { ...check, durationMs: Math.max(0, until.getTime() - since.getTime()) });
  };
  const noManifest = 'not applicable: a point-in-time restore has no manifest to compare with';

  let since = now();
  const tls = await attempt(() => probe.connectionSecurity());
  record(tls.ok ? judgeTls(tls.value) : verdict('tls', 'failed', `could not read pg_stat_ssl: ${tls.error}`), since);

  since = now();
  const schema = await attempt(() => probe.describeSchema());
  if (!schema.ok) {
    record(verdict('schema-fingerprint', 'failed', `could not describe the schema: ${schema.error}`), since);
  } else if (manifest === null) {
    record(verdict('schema-fingerprint', 'skipped', noManifest), since);
  } else {
    record(judgeSchema(manifest, schema.value, after?.schemaFingerprint ?? null), since);
  }

  const notRun = 'not run: the schema could not be described';
  let reads: Attempt<readonly TableReadOutcome[]> = { ok: false, error: notRun };
  since = now();
  if (schema.ok) {
    reads = await attempt(() => probe.readTables(readableTables(schema.value)));
    record(reads.ok ? judgeReadable(reads.value) : verdict('tables-readable', 'failed', `could not read the tables: ${reads.error}`), since);
  } else {
    record(verdict('tables-readable', 'failed', notRun), since);
  }

  since = now();
  if (schema.ok) {
    const run = await attempt(() => probe.checkBtreeIndexes(btreeIndexes(schema.value)));
    record(run.ok ? judgeBtreeIndexes(run.value) : verdict('btree-indexes', 'failed', `could not run amcheck: ${run.error}`), since);
  } else {
    record(verdict('btree-indexes', 'failed', notRun), since);
  }

  // Structural checks: each its own observation, so one refused statement fails only its check.
  const structural = async (id: BuiltInCheckId, what: string, observe: () => Promise<StructureVerdict>): Promise<void> => {
    const structureSince = now();
    const judged = await attempt(observe);
    record(judged.ok ? verdict(id, judged.value.status, judged.value.evidence, judged.value.details) : verdict(id, 'failed', `could not ${what}: ${judged.error}`), structureSince);
  };
  await structural('index-validity', 'read the index states', async () => judgeIndexValidity(await probe.indexStates()));
  await structural('sequences', 'read the sequences', async () => judgeSequences(await probe.sequenceStates()));
  await structural('foreign-keys', 'check the foreign keys', async () => judgeConstraints('foreign-keys', await probe.checkForeignKeys()));
  await structural('check-constraints', 'check the CHECK constraints', async () => judgeConstraints('check-constraints', await probe.checkCheckConstraints()));
  if (schema.ok) {
    const gin = ginIndexes(schema.value);
    await structural('gin-indexes', 'check the GIN indexes', async () => judgeGinIndexes(gin, await probe.checkGinIndexes(gin)));
    const tables = readableTables(schema.value);
    await structural('heap-pages', 'run verify_heapam', async () => judgeHeapPages(await probe.checkHeapPages(tables)));
  } else {
    record(verdict('gin-indexes', 'failed', notRun), now());
    record(verdict('heap-pages', 'failed', notRun), now());
  }

  since = now();
  const heartbeat = await attempt(() => probe.latestHeartbeat());
  // RDS's SnapshotDatabaseTime, when known, is the snapshot's own data point (the newest transaction
  // in it); SnapshotCreateTime only says when the snapshot started.
  const expectedAt = source.kind === 'snapshot' ? (source.snapshotDatabaseTime ?? source.snapshotCreatedAt) : source.targetTime;
  const expectation: HeartbeatExpectation = {
    ...options.heartbeat,
    expectedAt,
    notBefore: manifest?.heartbeat.latestAt ?? null,
    notAfter: after?.heartbeat.latestAt ?? null,
  };
  record(
    heartbeat.ok
      ? judgeHeartbeat(heartbeat.value, expectation)
      : verdict('heartbeat', 'failed', `could not read the heartbeat: ${heartbeat.error}`),
    since,
  );
  const recovered = heartbeat.ok ? heartbeat.value : null;

  since = now();
  if (manifest === null) {
    record(verdict('row-counts', 'skipped', noManifest), since);
  } else if (!schema.ok) {
    record(verdict('row-counts', 'failed', notRun), since);
  } else if (!reads.ok) {
    record(verdict('row-counts', 'failed', `not run: the tables could not be read (${reads.error})`), since);
  } else if (manifest.counters === undefined) {
    // A format-1 manifest has no counters: the exact comparison of before.
    record(judgeRowCounts(manifest, schema.value, reads.value, recovered), since);
  } else {
    const judged = judgeRowCountBracket(manifest, after, schema.value, reads.value, options.maxBracketShare ?? DEFAULT_MAX_BRACKET_SHARE);
    bracket = judged.tables;
    record(judged.check, since);
  }

  // Column tallies and digests, then large objects (see `verification/content.ts`).
  since = now();
  const scanContent = probe.scanContent?.bind(probe);
  const largeObjects = probe.largeObjects?.bind(probe);
  const notRecorded = (what: string): string => `not applicable: the manifest was captured before ${what} were recorded`;
  if (manifest === null) record(verdict('table-content', 'skipped', noManifest), since);
  else if (manifest.content === undefined) record(verdict('table-content', 'skipped', notRecorded('content tallies')), since);
  else if (scanContent === undefined) record(verdict('table-content', 'skipped', 'not applicable: this probe cannot scan content'), since);
  else if (!schema.ok) record(verdict('table-content', 'failed', notRun), since);
  else {
    const readings = { before: manifest.content, countersBefore: manifest.counters ?? null, countersAfter: after?.counters ?? null, settle: after?.settle ?? null, schemaBefore: manifest.schema, schemaRestored: schema.value };
    const content = manifest.content;
    const scanned = await attempt(() => scanContent(restoredRequests(readings), content.seed));
    if (!scanned.ok) record(verdict('table-content', 'failed', `could not scan the tables: ${scanned.error}`), since);
    else {
      const judged = contentEvidence(judgeContent({ ...readings, restored: scanned.value }), manifest.capturedAt);
      record(verdict('table-content', judged.status, judged.evidence, judged.details), since);
    }
  }
  since = now();
  if (manifest === null) record(verdict('large-objects', 'skipped', noManifest), since);
  else if (manifest.largeObjects === undefined || largeObjects === undefined) {
    record(verdict('large-objects', 'skipped', manifest.largeObjects === undefined ? notRecorded('large objects') : 'not applicable: this probe cannot read large objects'), since);
  } else {
    const restoredObjects = await attempt(() => largeObjects());
    const judged = judgeLargeObjects(manifest.largeObjects, after?.largeObjects ?? null, restoredObjects.ok ? restoredObjects.value : restoredObjects.error);
    record(verdict('large-objects', judged.status, judged.evidence), since);
  }
  // Exact mode, only when configured (no check and no clock reading otherwise: reports without it
  // are unchanged). A ledger that cannot be read proves nothing either way: inconclusive.
  const exactTables = options.exactCountTables ?? [];
  let exactFindings: readonly string[] = [];
  if (exactTables.length > 0) {
    since = now();
    const observeLedger = probe.observeLedger?.bind(probe);
    const observed = observeLedger === undefined ? null : await attempt(() => observeLedger(exactTables));
    if (observed === null) {
      record(verdict('exact-counts', 'inconclusive', 'this probe cannot read the row-count ledger'), since);
    } else if (!observed.ok) {
      record(verdict('exact-counts', 'inconclusive', `could not read the row-count ledger: ${observed.error}`), since);
    } else {
      const judged = judgeExactCounts(exactTables, observed.value, manifest?.ledger ?? null, after?.ledger ?? null);
      exactFindings = judged.findings;
      record(verdict('exact-counts', judged.status, judged.evidence, judged.tables.map((table) => `${table.table}: ${table.status}: ${table.detail}`)), since);
    }
  }

  const checksums = await attempt(() => probe.dataChecksums());

  const assertionResults: CheckResult[] = [];
  for (const assertion of options.assertions) {
    const assertionSince = now();
    const outcome = await attempt(() => probe.runAssertion(assertion.query, assertion.timeoutSeconds * 1000));
    const check = judgeAssertion(assertion, outcome.ok ? outcome.value : { error: outcome.error });
    assertionResults.push({ ...check, durationMs: Math.max(0, now().getTime() - assertionSince.getTime()) });
  }

  const finishedAt = now();
  const checks = [
    ...[...CHECK_IDS, ...OPT_IN_CHECK_IDS].map((id) => results.get(id)).filter((check): check is CheckResult => check !== undefined),
    ...assertionResults,
  ];
  const recoveredMicros = recovered === null ? null : epochMicros(recovered);
  const verdictOf: ReportVerdict = checks.some((check) => check.status === 'failed')
    ? 'failed'
    : checks.some((check) => check.status === 'inconclusive')
      ? 'inconclusive'
      : 'passed';
  const findings = [
    ...unloggedFinding(manifest?.schema ?? (schema.ok ? schema.value : null)),
    ...(checksums.ok && !checksums.value
      ? ['data checksums are off: a zeroed or torn heap page reads as an empty page, so tables-readable cannot see it; the row-count bracket is what catches the rows it held']
      : []),
    ...exactFindings,
  ];
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    database: options.database,
    source:
      source.kind === 'snapshot'
        ? {
            kind: 'snapshot',
            snapshotId: source.snapshotId,
            snapshotCreatedAt: source.snapshotCreatedAt.toISOString(),
            manifestCapturedAt: source.manifest.capturedAt,
            manifestFingerprint: source.manifest.schemaFingerprint,
          }
        : { kind: 'point-in-time', targetTime: source.targetTime.toISOString() },
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    verdict: verdictOf,
    passed: verdictOf === 'passed',
    bracket,
    findings,
    dataChecksums: checksums.ok ? checksums.value : null,
    checks,
    recoveredPointInTime: recovered,
    dataAgeSeconds:
      recoveredMicros === null ? null : Math.max(0, Math.ceil((finishedAt.getTime() * 1000 - recoveredMicros) / 1e6)),
  };
}
