/**
 * manifest λ (in the VPC): the two readings of the bracketed manifest, stored in the archive with
 * their SHA-256.
 *
 * Actions (field `action`, default `before`):
 * - `before` (reading A), just before the backup workflow creates the snapshot:
 *   `{ snapshotId, executionArn? }`. Reports at backup time what a restore test will not be able to
 *   prove (no heartbeat, unlogged tables): metrics `ManifestWithoutHeartbeat`, `UnloggedTables` and
 *   the `warnings` of the result, which the run record keeps.
 * - `after` (reading B), once the snapshot is available: `{ snapshotId, snapshotPoint, executionArn? }`
 *   with `snapshotPoint` the snapshot's time (null: the moment this runs, a later and so sound
 *   anchor). Waits for flushed statistics, bounded (`BRACKET_MAX_WAIT_SECONDS`, default 300);
 *   publishes `BracketUnsettled`.
 * With a content reader (the default connection has one), reading A also takes the column tallies,
 * row digests (`CONTENT_DIGEST`, default true) and large objects, and B the large objects.
 * Both are idempotent: a reading already archived for the snapshot is returned unchanged.
 * With `EXACT_COUNT_TABLES` set (config `restoreTest.exactCounts.tables`), each reading also observes
 * those tables' row-count ledgers (count and ledger in one snapshot): a difference means the ledger
 * was bypassed on the source (docs/restore.md, "Exact mode").
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { openSession, type DbEndpoint } from '../adapters/pg/connect.ts';
import { PgContentReader } from '../adapters/pg/content.ts';
import { PgDatabaseInspector } from '../adapters/pg/inspector.ts';
import { observeLedger } from '../adapters/pg/ledger.ts';
import { S3ArchiveStore } from '../adapters/s3/archive.ts';
import { SecretsManagerCredentials } from '../adapters/secrets/secrets-manager.ts';
import { archiveAfterReading, archiveManifest, type ArchivedAfterReading, type ArchivedManifest } from '../domain/verification/manifest-archive.ts';
import { ARCHIVED_READINGS } from '../contracts/documents/archive.ts';
import { DEFAULT_SETTLE, type SettleOptions } from '../domain/verification/after-reading.ts';
import type { LedgerObservation } from '../domain/verification/exact-counts-model.ts';
import type { ArchiveStore } from '../ports/archive-store.ts';
import type { ContentReader } from '../ports/content-reader.ts';
import type { DatabaseInspector } from '../ports/database-inspector.ts';
import type { CredentialsProvider } from '../ports/database-credentials.ts';
import type { WriteStatistics } from '../ports/write-statistics.ts';
import { parseEnv } from '../contracts/env-schema.ts';
import { MANIFEST_ENV } from '../contracts/env/manifest.ts';
import { MANIFEST_EVENT } from '../contracts/events/manifest.ts';
import { readEvent } from '../contracts/events/read.ts';
import { drHandler } from '../shared/handler.ts';
import { logger, metrics } from '../shared/powertools.ts';

const env = parseEnv(MANIFEST_ENV);
/** Reading B's wait, bounded by `BRACKET_MAX_WAIT_SECONDS` (config `restoreTest.bracketMaxWaitSeconds`). */
const settle: SettleOptions = { ...DEFAULT_SETTLE, maxWaitSeconds: env.BRACKET_MAX_WAIT_SECONDS };
/** Whether reading A digests every row (config `restoreTest.contentDigest`, env `CONTENT_DIGEST`, default true). */
const contentDigest = env.CONTENT_DIGEST;
/** Exact mode (config `restoreTest.exactCounts.tables`): readings A and B also observe these tables' ledgers. */
const exactCountTables = env.EXACT_COUNT_TABLES;

/** What the handler acts through; injectable in tests. */
export interface ManifestDeps {
  /** Opens an inspector on the database and a function to close it. */
  readonly connect: () => Promise<{
    inspector: DatabaseInspector & WriteStatistics;
    close: () => Promise<void>;
    content?: ContentReader;
    /** Exact mode: count and ledger of each table in one snapshot; absent: not observed. */
    observeLedger?: (tables: readonly string[]) => Promise<readonly LedgerObservation[]>;
  }>;
  /** Tables in exact mode. @default EXACT_COUNT_TABLES */
  readonly exactCountTables?: readonly string[];
  readonly archive: ArchiveStore;
  readonly now: () => Date;
  /** Waits (reading B's bounded wait); a no-op in tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Reading B's wait. @default DEFAULT_SETTLE with BRACKET_MAX_WAIT_SECONDS */
  readonly settle?: SettleOptions;
}

const credentials: CredentialsProvider = new SecretsManagerCredentials(new SecretsManagerClient({ region: env.AWS_REGION }), env.DB_SECRET_ARN);

const defaults: ManifestDeps = {
  connect: async () => {
    const { username, password } = await credentials.get();
    const endpoint: DbEndpoint = { host: env.DB_HOST, port: env.DB_PORT, database: env.DB_NAME, user: username, password, tls: 'verify-full', statementTimeoutMs: 600_000, applicationName: 'rds-dr-manifest' };
    const session = await openSession(endpoint);
    return {
      inspector: new PgDatabaseInspector(session.client),
      content: new PgContentReader(session.client),
      close: session.close,
      observeLedger: (tables) => observeLedger(session.client, tables),
    };
  },
  archive: new S3ArchiveStore(new S3Client({ region: env.AWS_REGION }), env.ARCHIVE_BUCKET),
  now: () => new Date(),
};


/** Validates the event, captures and archives reading A or B. */
export async function core(event: unknown, deps: ManifestDeps = defaults): Promise<ArchivedManifest | ArchivedAfterReading> {
  const { action, snapshotId, snapshotPoint } = readEvent(MANIFEST_EVENT, event);
  // `database` and `executionArn` are log keys of every function (functions/shared/handler.ts).
  logger.appendKeys({ snapshotId });
  const { inspector, close, content, observeLedger: observe } = await deps.connect();
  const withContent = content === undefined ? {} : { content };
  const ledgerTables = deps.exactCountTables ?? exactCountTables;
  try {
    if (action === 'after') {
      const point = snapshotPoint ?? deps.now();
      const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
      const result = await archiveAfterReading(inspector, deps.archive, {
        database: env.DATABASE_ID,
        snapshotId,
        snapshotPoint: point,
        settle: deps.settle ?? settle,
        sleep,
        parse: ARCHIVED_READINGS,
        ...withContent,
        ...(observe === undefined || ledgerTables.length === 0 ? {} : { ledger: { tables: ledgerTables, observe } }),
      });
      metrics.addMetric('BracketUnsettled', MetricUnit.Count, result.settled ? 0 : 1);
      if (!result.settled) logger.warn(`reading B taken with ${result.openTransactions} transaction(s) still open across the snapshot point after ${result.waitedSeconds} s: the restore test will be inconclusive`, { ...result });
      else logger.info(result.captured ? 'reading B captured and archived' : 'reading B already archived: kept', { ...result });
      return result;
    }
    const result = await archiveManifest(inspector, deps.archive, {
      database: env.DATABASE_ID,
      snapshotId,
      now: deps.now,
      parse: ARCHIVED_READINGS,
      ...withContent,
      digest: contentDigest,
      ...(observe === undefined || ledgerTables.length === 0 ? {} : { ledger: { tables: ledgerTables, observe } }),
    });
    metrics.addMetric('ManifestWithoutHeartbeat', MetricUnit.Count, result.heartbeatAt === null ? 1 : 0);
    metrics.addMetric('UnloggedTables', MetricUnit.Count, result.unloggedTables.length);
    for (const warning of result.warnings) logger.warn(warning);
    logger.info(result.captured ? 'manifest captured and archived' : 'manifest already archived: kept', { ...result });
    return result;
  } finally {
    await close();
  }
}

/** The Lambda entry point (functions/shared/handler.ts: the Database dimension is its default dimension). */
export const handler = drHandler({ name: 'manifest', database: env.DATABASE_ID, keys: { snapshotId: null } }, (event) => core(event));
