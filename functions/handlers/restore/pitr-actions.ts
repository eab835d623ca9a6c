/**
 * The restore λ's point-in-time restore actions (statemachines/pitr-restore.asl.json):
 * - `pitr`: restore the database to a point in time into a new, kept database (intent record first);
 * - `pitr-record`: the outcome record of a point-in-time restore.
 */
import { recordPointInTimeRestore, startPointInTimeRestore } from '../../domain/verification/point-in-time-restore.ts';
import { logger } from '../../shared/powertools.ts';
import { readEvent } from '../../contracts/events/read.ts';
import { RESTORE_EVENT } from '../../contracts/events/restore.ts';
import type { RestoreDeps, RestoreInput } from './types.ts';

async function pitr({ event, settings, now }: RestoreInput, deps: RestoreDeps) {
  const { targetTime, name, executionArn } = readEvent(RESTORE_EVENT.pitr, event);
  const at = targetTime === 'latest' ? 'latest' : new Date(targetTime);
  // For `latest`, the restore reaches LatestRestorableTime as of the request: read it
  // first, so the checks know where the heartbeat should be.
  const resolved = at === 'latest' ? (await deps.restores.restoreWindow(settings.database)).latest : at;
  const db = await startPointInTimeRestore(deps.restores, { sourceId: settings.database, at: at as Date | 'latest', name, database: settings.database, placement: settings.pitrPlacement, archive: deps.archive, executionArn, now });
  logger.info(`point-in-time restore ${db.identifier} (${targetTime}) is ${db.status}`);
  return { identifier: db.identifier, status: db.status, targetTime, resolvedTargetTime: resolved?.toISOString() ?? null };
}

async function pitrRecord({ event, settings, now }: RestoreInput, deps: RestoreDeps) {
  const { identifier, requestedTime, resolvedTargetTime, checksPassed, failedChecks, recoveredPointInTime, restoreSeconds, reason, report, executionArn } = readEvent(RESTORE_EVENT['pitr-record'], event);
  logger.appendKeys({ identifier });
  const audit = await recordPointInTimeRestore(deps.archive, {
    database: settings.database,
    identifier,
    requestedTime,
    resolvedTargetTime,
    checksPassed,
    failedChecks,
    recoveredPointInTime,
    restoreSeconds,
    ...(reason === undefined ? {} : { reason }),
    report,
    now,
    executionArn,
  });
  logger.info(`point-in-time restore ${identifier} recorded`, { audit: audit.key });
  return { audit };
}

/** The point-in-time restore actions, by name. */
export const PITR_ACTIONS = { pitr, 'pitr-record': pitrRecord } as const;
