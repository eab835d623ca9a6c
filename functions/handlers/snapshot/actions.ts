/**
 * The snapshot λ's actions, the non-destructive RDS steps of statemachines/backup.asl.json:
 * - `plan`: name the run's snapshot (id, tier) without creating it;
 * - `create`: take the run's snapshot (idempotent by deterministic id);
 * - `check`: one bounded poll of a snapshot in the primary or the DR region;
 * - `copy`: copy an available snapshot to the DR region (idempotent);
 * - `record`: publish the run's metrics and write its audit record.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { checkSnapshot, copySnapshotOffsite, planSnapshot, recordBackupRun, takeSnapshot, type TakeSnapshotRequest } from '../../domain/backup/backup-run.ts';
import type { Tier, TierRules } from '../../domain/snapshots/naming.ts';
import type { ArchiveStore } from '../../ports/archive-store.ts';
import type { DatabaseControlPlane } from '../../ports/database-control-plane.ts';
import { ConfigurationError } from '../../shared/errors.ts';
import { logger, metrics } from '../../shared/powertools.ts';
import { readEvent } from '../../contracts/events/read.ts';
import { SNAPSHOT_EVENT } from '../../contracts/events/snapshot.ts';

/** What the handler acts through; module-scope clients by default, injectable in tests. */
export interface SnapshotDeps {
  readonly primary: DatabaseControlPlane;
  /** Null when no DR region is configured (`DR_REGION=none`). */
  readonly dr: DatabaseControlPlane | null;
  readonly archive: ArchiveStore;
  readonly now: () => Date;
}

/** The function's settings, from its environment. */
export interface SnapshotSettings {
  readonly database: string;
  readonly policy: string;
  readonly timeZone: string;
  readonly tierRules: TierRules;
  /** The DR region's key for offsite copies (`DR_KMS_KEY_ID`). */
  readonly drKmsKeyId: string;
}

/** What every action reads: the event (read by the action's schema, functions/contracts/events/snapshot.ts), the settings. */
export interface SnapshotInput {
  readonly event: unknown;
  readonly settings: SnapshotSettings;
}


/** The run's request: the instant and tier from the event, the rest from configuration. */
function runRequest(settings: SnapshotSettings, scheduledAt: Date, tier: Tier | undefined): TakeSnapshotRequest {
  return { database: settings.database, scheduledAt, tier, policy: settings.policy, timeZone: settings.timeZone, tierRules: settings.tierRules };
}

function requireDr(deps: SnapshotDeps): DatabaseControlPlane {
  if (deps.dr === null) throw new ConfigurationError('no DR region is configured (DR_REGION=none): nothing to copy to');
  return deps.dr;
}

async function plan({ event, settings }: SnapshotInput, deps: SnapshotDeps) {
  // The workflow's input: `scheduledAt` from EventBridge Scheduler, absent on a manual
  // start (then the execution's start time names the run), optional `tier`.
  const { request, startedAt } = readEvent(SNAPSHOT_EVENT.plan, event);
  // The schema requires `startedAt` when `request.scheduledAt` is absent.
  const scheduledAt = (request.scheduledAt ?? startedAt) as Date;
  const { tier } = request;
  const planned = await planSnapshot(deps.primary, runRequest(settings, scheduledAt, tier));
  logger.appendKeys({ snapshotId: planned.snapshotId });
  logger.info(`run planned: ${planned.snapshotId}${planned.exists ? ' (exists already)' : ''}`);
  return { ...planned, copyOffsite: deps.dr !== null };
}

async function create({ event, settings }: SnapshotInput, deps: SnapshotDeps) {
  const { scheduledAt, tier } = readEvent(SNAPSHOT_EVENT.create, event);
  const result = await takeSnapshot(deps.primary, runRequest(settings, scheduledAt, tier));
  logger.appendKeys({ snapshotId: result.snapshotId });
  logger.info(result.created ? 'snapshot creation started' : 'snapshot already exists: nothing to do', { ...result });
  return result;
}

async function check({ event }: SnapshotInput, deps: SnapshotDeps) {
  const { snapshotId, region, attempt, maxAttempts } = readEvent(SNAPSHOT_EVENT.check, event);
  const plane = region === 'primary' ? deps.primary : requireDr(deps);
  logger.appendKeys({ snapshotId });
  const progress = await checkSnapshot(plane, snapshotId, attempt, maxAttempts);
  logger.info(`snapshot ${progress.status} (${progress.percentProgress ?? 0}%), poll ${progress.attempt}/${maxAttempts}`, { region: plane.region });
  return progress;
}

async function copy({ event, settings }: SnapshotInput, deps: SnapshotDeps) {
  const { snapshotId } = readEvent(SNAPSHOT_EVENT.copy, event);
  logger.appendKeys({ snapshotId });
  const result = await copySnapshotOffsite(deps.primary, requireDr(deps), { snapshotId, kmsKeyId: settings.drKmsKeyId });
  logger.info(result.created ? 'offsite copy started' : 'offsite copy already exists: nothing to do', { ...result });
  return result;
}

async function record({ event, settings }: SnapshotInput, deps: SnapshotDeps) {
  const { outcome, startedAt, snapshotId, error, manifest, manifestWarnings, executionArn } = readEvent(SNAPSHOT_EVENT.record, event);
  const recorded = await recordBackupRun(deps.archive, { database: settings.database, outcome, startedAt, now: deps.now(), snapshotId, executionArn, error, manifest, manifestWarnings });
  metrics.addMetric(outcome === 'succeeded' ? 'BackupSucceeded' : 'BackupFailed', MetricUnit.Count, 1);
  metrics.addMetric('BackupDurationSeconds', MetricUnit.Seconds, recorded.durationSeconds);
  logger.info(`backup ${outcome} in ${recorded.durationSeconds} s`, { snapshotId, audit: recorded.audit.key });
  return recorded;
}

/** The actions, by name. */
export const SNAPSHOT_ACTIONS = { plan, create, check, copy, record } as const;
