/**
 * The restore test's verification use case: what makes a restored database pass a restore test.
 *
 * The snapshot restore test and the point-in-time restore both run {@link runVerification}; the
 * first compares the restored database with the manifest captured next to the snapshot, the second
 * has no manifest and runs the same checks minus that comparison. Every check reports
 * passed / failed / skipped with one line of evidence and the details behind it, and one failing
 * check never stops the others: a report that lists every problem at once is what an operator
 * needs at 3 a.m.
 *
 * Everything here is pure: SQL lives behind the {@link VerificationProbe} port, time is injected.
 * The report's shapes are in `report-model.ts`, each check's rule in its `*-check(s).ts` file.
 */
import type { DatabaseManifest } from './manifest.ts';
import type { TableReadOutcome, VerificationProbe } from '../../ports/verification-probe.ts';
import { DrError, SqlConnectionError, ValidationError } from '../../shared/errors.ts';
import type { AfterReading } from './after-reading.ts';
import { DEFAULT_MAX_BRACKET_SHARE } from './bracket.ts';
import type { TableBracket } from './bracket-model.ts';
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
import {
  CHECK_IDS,
  OPT_IN_CHECK_IDS,
  REPORT_FORMAT_VERSION,
  type BuiltInCheckId,
  type CheckId,
  type CheckResult,
  type CheckVerdict,
  type HeartbeatExpectation,
  type HeartbeatTolerance,
  type ReportVerdict,
  type UserAssertion,
  type VerificationReport,
} from './report-model.ts';
import { epochMicros, verdict } from './verdict.ts';
import { judgeTls } from './tls-check.ts';
import { judgeSchema } from './schema-check.ts';
import { btreeIndexes, judgeBtreeIndexes, judgeReadable, readableTables } from './read-checks.ts';
import { judgeRowCountBracket, judgeRowCounts, unloggedFinding } from './row-count-checks.ts';
import { judgeHeartbeat } from './heartbeat-check.ts';
import { judgeAssertion } from './assertion-check.ts';

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

/** Input of {@link runVerification}. */
export interface VerificationOptions {
  /** Name of the database being verified (for the report). */
  readonly database: string;
  /** What was restored. */
  readonly source: VerificationSource;
  /** Heartbeat tolerance (see {@link DEFAULT_HEARTBEAT_TOLERANCE}). */
  readonly heartbeat: HeartbeatTolerance;
  /** User assertions from config, validated by `parseAssertions` (`checks.ts`). */
  readonly assertions: readonly UserAssertion[];
  /** The clock (injected so reports are reproducible in tests). */
  readonly now: () => Date;
  /** A row-count bracket wider than this share of a table's rows is flagged. @default DEFAULT_MAX_BRACKET_SHARE */
  readonly maxBracketShare?: number;
  /** Exact mode: tables whose restored count must equal their row-count ledger. @default [] */
  readonly exactCountTables?: readonly string[];
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
