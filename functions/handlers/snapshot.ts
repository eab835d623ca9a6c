/**
 * snapshot λ: the non-destructive RDS steps of the backup workflow.
 *
 * Actions (field `action` of the event, sent by statemachines/backup.asl.json):
 * - `plan`: name the run's snapshot (id, tier) without creating it;
 * - `create`: take the run's snapshot (idempotent by deterministic id);
 * - `check`: one bounded poll of a snapshot in the primary or the DR region;
 * - `copy`: copy an available snapshot to the DR region (idempotent);
 * - `record`: publish the run's metrics and write its audit record.
 * Errors are thrown typed (shared/errors.ts) for the state machine's Retry/Catch.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { controlPlaneFor } from '../adapters/rds/control-plane.ts';
import { S3ArchiveStore } from '../adapters/s3/archive.ts';
import { checkSnapshot, copySnapshotOffsite, planSnapshot, recordBackupRun, takeSnapshot, type CopyResult, type RecordedRun, type SnapshotPlan, type SnapshotProgress, type TakeSnapshotRequest, type TakeSnapshotResult } from '../domain/backup.ts';
import type { Tier, TierRules } from '../domain/snapshot-naming.ts';
import type { ArchiveStore } from '../ports/archive-store.ts';
import type { DatabaseControlPlane, Topology } from '../ports/database-control-plane.ts';
import { envTopology, failOnProblems, requireEnv } from '../shared/env.ts';
import { ConfigurationError } from '../shared/errors.ts';
import { drHandler } from '../shared/handler.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { EventReader } from '../shared/validate.ts';

const env = requireEnv(['AWS_REGION', 'DATABASE_ID', 'TOPOLOGY', 'POLICY_NAME', 'SCHEDULE_TIMEZONE', 'TIER_RULES', 'DR_REGION', 'DR_KMS_KEY_ID', 'ARCHIVE_BUCKET']);
const problems: string[] = [];
const topology: Topology = envTopology(env.TOPOLOGY, problems);
failOnProblems(problems);
const tierRules = JSON.parse(env.TIER_RULES) as TierRules;

/** What the handler acts through; module-scope clients by default, injectable in tests. */
export interface SnapshotDeps {
  readonly primary: DatabaseControlPlane;
  /** Null when no DR region is configured (`DR_REGION=none`). */
  readonly dr: DatabaseControlPlane | null;
  readonly archive: ArchiveStore;
  readonly now: () => Date;
}

const defaults: SnapshotDeps = {
  primary: controlPlaneFor(topology, new RDSClient({ region: env.AWS_REGION }), env.AWS_REGION),
  dr: env.DR_REGION === 'none' ? null : controlPlaneFor(topology, new RDSClient({ region: env.DR_REGION }), env.DR_REGION),
  archive: new S3ArchiveStore(new S3Client({ region: env.AWS_REGION }), env.ARCHIVE_BUCKET),
  now: () => new Date(),
};


const SNAPSHOT_ID = /^[a-z][a-z0-9-]{0,254}$/;

/** Validates the event and runs its action. */
export async function core(event: unknown, deps: SnapshotDeps = defaults): Promise<(SnapshotPlan & { copyOffsite: boolean }) | TakeSnapshotResult | SnapshotProgress | CopyResult | RecordedRun> {
  const input = new EventReader(event);
  const action = input.oneOf('action', ['plan', 'create', 'check', 'copy', 'record']);
  input.done(); // without a valid action the other fields cannot be judged
  const executionArn = input.optionalString('executionArn') ?? 'manual';

  if (action === 'plan') {
    // The workflow's input: `scheduledAt` from EventBridge Scheduler, absent on a manual
    // start (then the execution's start time names the run), optional `tier`.
    const request = input.object('request');
    const scheduledAt = request.has('scheduledAt') ? request.instant('scheduledAt') : input.instant('startedAt');
    const tier = request.optionalTier('tier');
    input.done();
    const plan = await planSnapshot(deps.primary, runRequest(scheduledAt, tier));
    logger.appendKeys({ snapshotId: plan.snapshotId });
    logger.info(`run planned: ${plan.snapshotId}${plan.exists ? ' (exists already)' : ''}`);
    return { ...plan, copyOffsite: deps.dr !== null };
  }

  if (action === 'create') {
    const scheduledAt = input.instant('scheduledAt');
    const tier = input.optionalTier('tier');
    input.done();
    const result = await takeSnapshot(deps.primary, runRequest(scheduledAt, tier));
    logger.appendKeys({ snapshotId: result.snapshotId });
    logger.info(result.created ? 'snapshot creation started' : 'snapshot already exists: nothing to do', { ...result });
    return result;
  }

  if (action === 'check') {
    const snapshotId = input.string('snapshotId', SNAPSHOT_ID);
    const region = input.oneOf('region', ['primary', 'dr']);
    const attempt = input.integer('attempt', 0, 10_000);
    const maxAttempts = input.integer('maxAttempts', 1, 10_000);
    input.done();
    const plane = region === 'primary' ? deps.primary : requireDr(deps);
    logger.appendKeys({ snapshotId });
    const progress = await checkSnapshot(plane, snapshotId, attempt, maxAttempts);
    logger.info(`snapshot ${progress.status} (${progress.percentProgress ?? 0}%), poll ${progress.attempt}/${maxAttempts}`, { region: plane.region });
    return progress;
  }

  if (action === 'copy') {
    const snapshotId = input.string('snapshotId', SNAPSHOT_ID);
    input.done();
    logger.appendKeys({ snapshotId });
    const result = await copySnapshotOffsite(deps.primary, requireDr(deps), { snapshotId, kmsKeyId: env.DR_KMS_KEY_ID });
    logger.info(result.created ? 'offsite copy started' : 'offsite copy already exists: nothing to do', { ...result });
    return result;
  }

  const outcome = input.oneOf('outcome', ['succeeded', 'failed']);
  const startedAt = input.instant('startedAt');
  const snapshotId = input.optionalString('snapshotId') ?? 'none';
  const error = input.optionalString('error');
  const manifest = input.storedDocument('manifest');
  const manifestWarnings = input.optionalStrings('manifestWarnings');
  input.done();
  const recorded = await recordBackupRun(deps.archive, { database: env.DATABASE_ID, outcome, startedAt, now: deps.now(), snapshotId, executionArn, error, manifest, manifestWarnings });
  metrics.addMetric(outcome === 'succeeded' ? 'BackupSucceeded' : 'BackupFailed', MetricUnit.Count, 1);
  metrics.addMetric('BackupDurationSeconds', MetricUnit.Seconds, recorded.durationSeconds);
  logger.info(`backup ${outcome} in ${recorded.durationSeconds} s`, { snapshotId, audit: recorded.audit.key });
  return recorded;
}

/** The run's request: the instant and tier from the event, the rest from configuration. */
function runRequest(scheduledAt: Date, tier: Tier | undefined): TakeSnapshotRequest {
  return { database: env.DATABASE_ID, scheduledAt, tier, policy: env.POLICY_NAME, timeZone: env.SCHEDULE_TIMEZONE, tierRules };
}

function requireDr(deps: SnapshotDeps): DatabaseControlPlane {
  if (deps.dr === null) throw new ConfigurationError('no DR region is configured (DR_REGION=none): nothing to copy to');
  return deps.dr;
}

/** The Lambda entry point (shared middlewares: functions/shared/handler.ts). */
export const handler = drHandler({ name: 'snapshot', database: env.DATABASE_ID }, (event) => core(event));
