/**
 * verify λ (in the VPC): runs the SQL checks against a restored database and archives
 * the report with its SHA-256.
 *
 * Event: `{ mode: 'snapshot', snapshotId, snapshotCreatedAt, endpoint, port, secretArn }`
 * (compared with the snapshot's manifest) or `{ mode: 'point-in-time', identifier,
 * targetTime, endpoint, port, secretArn }` (no manifest; the heartbeat proves the point).
 * Credentials come from the restored database's own RDS-managed secret, never the
 * production one. Throws typed errors when no verdict is possible (connection lost,
 * manifest missing); a verdict, passed or failed, is a normal return. With `EXACT_COUNT_TABLES` set,
 * the `exact-counts` check compares those tables with their row-count ledger (both modes).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { openSession, type DbSession } from '../adapters/pg/connect.ts';
import { PgVerificationProbe } from '../adapters/pg/verification-probe.ts';
import { S3ArchiveStore } from '../adapters/s3/archive.ts';
import { SecretsManagerCredentials } from '../adapters/secrets/secrets-manager.ts';
import { parseManifest } from '../contracts/documents/manifest.ts';
import { loadAfterReading } from '../contracts/documents/archive.ts';
import { manifestKey } from '../domain/verification/manifest-archive.ts';
import { DEFAULT_HEARTBEAT_TOLERANCE, type ReportVerdict, type UserAssertion } from '../domain/verification/report-model.ts';
import { runVerification, type VerificationSource } from '../domain/verification/run-verification.ts';
import type { ArchiveStore, StoredDocument } from '../ports/archive-store.ts';
import type { VerificationProbe } from '../ports/verification-probe.ts';
import { parseEnv } from '../contracts/env-schema.ts';
import { VERIFY_ENV } from '../contracts/env/verify.ts';
import { readEvent } from '../contracts/events/read.ts';
import { VERIFY_EVENT, verifyModeOf } from '../contracts/events/verify.ts';
import { drHandler } from '../shared/handler.ts';
import { logger } from '../shared/powertools.ts';

const env = parseEnv(VERIFY_ENV);
const tls = env.DB_TLS_MODE;
const assertions: readonly UserAssertion[] = env.ASSERTIONS;
/** Share of a table's rows above which its row-count bracket is flagged (config `restoreTest.maxBracketShare`). */
const maxBracketShare = env.MAX_BRACKET_SHARE;
/** Tables in exact mode (config `restoreTest.exactCounts.tables`): restored count must equal the ledger. */
const exactCountTables: readonly string[] = env.EXACT_COUNT_TABLES;
/** Parallel sessions for the full read; more than the restored instance's vCPUs only queues. */
const SESSIONS = 2;

/** What the handler acts through; injectable in tests. */
export interface VerifyDeps {
  /** Opens a probe on the restored database (with the credentials in `secretArn`) and its closer. */
  readonly connect: (target: { host: string; port: number; secretArn: string }) => Promise<{ probe: VerificationProbe; close: () => Promise<void> }>;
  readonly archive: ArchiveStore;
  readonly now: () => Date;
}

const secrets = new SecretsManagerClient({ region: env.AWS_REGION });
const defaults: VerifyDeps = {
  connect: async (target) => {
    const { username, password } = await new SecretsManagerCredentials(secrets, target.secretArn).get();
    const sessions: DbSession[] = [];
    try {
      for (let i = 0; i < SESSIONS; i += 1) {
        sessions.push(await openSession({ host: target.host, port: target.port, database: env.DB_NAME, user: username, password, tls, applicationName: 'rds-dr-verify' }));
      }
    } catch (error) {
      await Promise.all(sessions.map((s) => s.close()));
      throw error;
    }
    return { probe: new PgVerificationProbe(sessions.map((s) => s.client)), close: async () => void (await Promise.all(sessions.map((s) => s.close()))) };
  },
  archive: new S3ArchiveStore(new S3Client({ region: env.AWS_REGION }), env.ARCHIVE_BUCKET),
  now: () => new Date(),
};

/** Output of the handler: the verdict and where its evidence is. */
export interface VerifyResult {
  /** passed, failed or inconclusive (a check could not judge: not verified, alarmed apart from failed). */
  readonly verdict: ReportVerdict;
  readonly passed: boolean;
  readonly inconclusive: boolean;
  readonly report: StoredDocument;
  readonly failedChecks: readonly string[];
  readonly recoveredPointInTime: string | null;
  readonly dataAgeSeconds: number | null;
}

/** Validates the event, runs every check, archives the report. */
export async function core(event: unknown, deps: VerifyDeps = defaults): Promise<VerifyResult> {
  // The mode first: the other fields depend on it.
  const read =
    verifyModeOf(event) === 'snapshot'
      ? { mode: 'snapshot' as const, ...readEvent(VERIFY_EVENT.snapshot, event) }
      : { mode: 'point-in-time' as const, ...readEvent(VERIFY_EVENT['point-in-time'], event) };
  const { endpoint: host, port, secretArn } = read;
  let subject: string;
  let pending: () => Promise<VerificationSource>;
  if (read.mode === 'snapshot') {
    const { snapshotId, snapshotCreatedAt, snapshotDatabaseTime } = read;
    subject = snapshotId;
    // The manifest is read before connecting: without it there is nothing to prove against.
    pending = async () => ({
      kind: 'snapshot',
      snapshotId,
      snapshotCreatedAt,
      snapshotDatabaseTime,
      manifest: parseManifest(await deps.archive.get(manifestKey(env.DATABASE_ID, snapshotId))),
      // Reading B; absent when the backup did not reach it (the row counts are then inconclusive).
      after: await loadAfterReading(deps.archive, env.DATABASE_ID, snapshotId),
    });
  } else {
    const { identifier, targetTime } = read;
    subject = identifier;
    pending = async () => ({ kind: 'point-in-time', targetTime });
  }
  // `database` and `executionArn` are log keys of every function (functions/shared/handler.ts).
  logger.appendKeys({ subject });
  const source = await pending();
  const { probe, close } = await deps.connect({ host, port, secretArn });
  let report;
  try {
    report = await runVerification(probe, { database: env.DATABASE_ID, source, heartbeat: DEFAULT_HEARTBEAT_TOLERANCE[source.kind], assertions, now: deps.now, maxBracketShare, exactCountTables });
  } finally {
    await close();
  }
  const key = `reports/${env.DATABASE_ID}/${subject}/${report.finishedAt}.json`;
  const stored = await deps.archive.put(key, `${JSON.stringify(report, null, 2)}\n`, 'application/json');
  const failedChecks = report.checks.filter((c) => c.status === 'failed').map((c) => c.id);
  const inconclusiveChecks = report.checks.filter((c) => c.status === 'inconclusive').map((c) => c.id);
  const message = { passed: `verification passed (${report.checks.length} checks)`, failed: `verification FAILED: ${failedChecks.join(', ')}`, inconclusive: `verification INCONCLUSIVE: ${inconclusiveChecks.join(', ')}` }[report.verdict];
  logger.info(message, { report: stored.key, findings: report.findings });
  return { verdict: report.verdict, passed: report.passed, inconclusive: report.verdict === 'inconclusive', report: stored, failedChecks, recoveredPointInTime: report.recoveredPointInTime, dataAgeSeconds: report.dataAgeSeconds };
}

/** The Lambda entry point (functions/shared/handler.ts); this function publishes no metric. */
export const handler = drHandler({ name: 'verify', database: env.DATABASE_ID, metrics: false }, (event) => core(event));
