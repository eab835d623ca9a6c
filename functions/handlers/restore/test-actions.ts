/**
 * The restore λ's restore-test actions (statemachines/verify.asl.json) and the sweeper:
 * - `select`: the snapshot to prove (`snapshotId` given, or the newest unverified);
 * - `restore`: restore it into its temporary, isolated database (idempotent);
 * - `check`: one bounded poll of a restored database;
 * - `verdict`: the verdict's audit record (first: nothing is tagged without its record), metrics;
 * - `tag`: tag the recorded verdict on the snapshot and its offsite copy;
 * - `delete`: delete a temporary database (refuses anything else);
 * - `sweep`: delete temporary databases past their expiry (scheduled), each after its record.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { checkRestored, deleteTemporary, selectSnapshot, startTemporaryRestore, sweepTemporary, temporaryId } from '../../domain/verification/restore-test.ts';
import { applyVerdict, recordVerdict } from '../../domain/verification/test-verdict.ts';
import { logger, metrics } from '../../shared/powertools.ts';
import { readEvent } from '../../contracts/events/read.ts';
import { RESTORE_EVENT } from '../../contracts/events/restore.ts';
import type { RestoreDeps, RestoreInput } from './types.ts';

async function select({ event, settings }: RestoreInput, deps: RestoreDeps) {
  // The workflow passes its whole input as `request`; `snapshotId` is optional there.
  const read = readEvent(RESTORE_EVENT.select, event);
  const requested = read.request === undefined ? read.snapshotId : read.request.snapshotId;
  const chosen = selectSnapshot(await deps.primary.listManualSnapshots(settings.database), requested);
  if (!chosen) {
    logger.info('every managed snapshot is verified already: nothing to prove');
    return { found: false } as const;
  }
  logger.appendKeys({ snapshotId: chosen.id });
  logger.info(`restore test will prove ${chosen.id}`);
  return { found: true, snapshotId: chosen.id, snapshotArn: chosen.arn, createdAt: chosen.createdAt?.toISOString() ?? null, databaseTime: chosen.databaseTime?.toISOString() ?? null } as const;
}

async function restore({ event, settings, now }: RestoreInput, deps: RestoreDeps) {
  const { snapshotId, executionArn } = readEvent(RESTORE_EVENT.restore, event);
  logger.appendKeys({ snapshotId });
  const db = await startTemporaryRestore(deps.restores, { database: settings.database, snapshotId, now, ttlHours: settings.ttlHours, placement: settings.testPlacement, archive: deps.archive, executionArn });
  logger.info(`temporary restore ${db.identifier} is ${db.status}`);
  return { identifier: db.identifier, status: db.status };
}

async function check({ event, settings, now }: RestoreInput, deps: RestoreDeps) {
  const { identifier, attempt, maxAttempts } = readEvent(RESTORE_EVENT.check, event);
  const progress = await checkRestored(deps.restores, identifier, attempt, maxAttempts, now, settings.secretKmsKeyId);
  logger.info(`${identifier} ${progress.status}, poll ${progress.attempt}/${maxAttempts}`);
  return progress;
}

async function verdict({ event, settings, now }: RestoreInput, deps: RestoreDeps) {
  // `passed` may be absent only when `inconclusive` is given (the schema requires one).
  const read = readEvent(RESTORE_EVENT.verdict, event);
  const { snapshotId, restoreSeconds, dataAgeSeconds, reason, report, executionArn } = read;
  const passed = read.passed ?? false;
  // Inconclusive: the checks could not run (restore or connection failed). That proves
  // nothing about the snapshot, so it is not tagged and stays first in line for the next test.
  const inconclusive = read.inconclusive ?? false;
  logger.appendKeys({ snapshotId });
  const recorded = await recordVerdict(deps.archive, { database: settings.database, snapshotId, passed, inconclusive, restoreSeconds, dataAgeSeconds, reason, report, now, executionArn });
  // An inconclusive run proved nothing either way: it is not a failure (no VerificationPassed
  // data point, so VerificationFailed does not fire) and alarms on its own, VerificationInconclusive.
  if (!recorded.inconclusive) metrics.addMetric('VerificationPassed', MetricUnit.Count, recorded.passed ? 1 : 0);
  metrics.addMetric('VerificationInconclusive', MetricUnit.Count, recorded.inconclusive ? 1 : 0);
  if (restoreSeconds !== null) metrics.addMetric('RestoreDurationSeconds', MetricUnit.Seconds, restoreSeconds);
  if (dataAgeSeconds !== null) metrics.addMetric('RecoveredDataAgeSeconds', MetricUnit.Seconds, dataAgeSeconds);
  logger.info(`restore test of ${snapshotId}: ${inconclusive ? 'INCONCLUSIVE' : passed ? 'passed' : 'FAILED'}`, { audit: recorded.audit.key });
  return recorded;
}

async function tag({ event, now }: RestoreInput, deps: RestoreDeps) {
  const { snapshotId, passed, inconclusive } = readEvent(RESTORE_EVENT.tag, event);
  logger.appendKeys({ snapshotId });
  const applied = await applyVerdict(deps.primary, deps.dr, snapshotId, { passed, inconclusive }, now);
  if (applied.verifiedSnapshotAgeSeconds !== null) metrics.addMetric('VerifiedSnapshotAgeSeconds', MetricUnit.Seconds, applied.verifiedSnapshotAgeSeconds);
  logger.info(`${inconclusive ? 'not tagged (inconclusive)' : `tagged ${passed ? 'passed' : 'failed'}`}: ${snapshotId}`, { tagged: applied.tagged });
  const { verifiedSnapshotAgeSeconds: _age, ...result } = applied;
  return result;
}

async function remove({ event, settings }: RestoreInput, deps: RestoreDeps) {
  // By snapshot id on failure paths, where the restore may not have returned its identifier.
  const read = readEvent(RESTORE_EVENT.delete, event);
  const identifier = read.snapshotId === undefined ? (read.identifier as string) : temporaryId(settings.database, read.snapshotId);
  const result = await deleteTemporary(deps.restores, settings.database, identifier);
  logger.info(`temporary database ${identifier}: ${result.outcome}`);
  return result;
}

async function sweep({ event, settings, now }: RestoreInput, deps: RestoreDeps) {
  const { executionArn } = readEvent(RESTORE_EVENT.sweep, event);
  const result = await sweepTemporary(deps.restores, settings.database, now, { archive: deps.archive, executionArn });
  metrics.addMetric('LeakedTemporaryInstances', MetricUnit.Count, result.leaked);
  if (result.leaked > 0) logger.warn(`leaked temporary databases: deleted ${result.deleted.join(', ') || 'none'}; unreadable expiry (kept): ${result.unreadable.join(', ') || 'none'}`);
  return result;
}

/** The restore-test actions and the sweeper, by name. */
export const TEST_ACTIONS = { select, restore, check, verdict, tag, delete: remove, sweep } as const;
