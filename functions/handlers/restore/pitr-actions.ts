/**
 * The restore λ's point-in-time restore actions (statemachines/pitr-restore.asl.json):
 * - `pitr`: restore the database to a point in time into a new, kept database (intent record first);
 * - `pitr-record`: the outcome record of a point-in-time restore.
 */
import { recordPointInTimeRestore, startPointInTimeRestore } from '../../domain/verification/point-in-time.ts';
import { logger } from '../../shared/powertools.ts';
import { DB_ID, type RestoreDeps, type RestoreInput } from './types.ts';

async function pitr({ event, settings, now, executionArn }: RestoreInput, deps: RestoreDeps) {
  const targetTime = event.string('targetTime');
  const name = event.string('name');
  const at = targetTime === 'latest' ? 'latest' : new Date(targetTime);
  if (at !== 'latest' && (Number.isNaN(at.getTime()) || !/(Z|[+-]\d{2}:\d{2})$/.test(targetTime))) {
    event.problems.push(`targetTime: ${JSON.stringify(targetTime)} is not "latest" or an ISO-8601 time with a zone`);
  }
  event.done();
  // For `latest`, the restore reaches LatestRestorableTime as of the request: read it
  // first, so the checks know where the heartbeat should be.
  const resolved = at === 'latest' ? (await deps.restores.restoreWindow(settings.database)).latest : at;
  const db = await startPointInTimeRestore(deps.restores, { sourceId: settings.database, at: at as Date | 'latest', name, database: settings.database, placement: settings.pitrPlacement, archive: deps.archive, executionArn, now });
  logger.info(`point-in-time restore ${db.identifier} (${targetTime}) is ${db.status}`);
  return { identifier: db.identifier, status: db.status, targetTime, resolvedTargetTime: resolved?.toISOString() ?? null };
}

async function pitrRecord({ event, raw, settings, now, executionArn }: RestoreInput, deps: RestoreDeps) {
  const identifier = event.string('identifier', DB_ID);
  const requestedTime = event.string('requestedTime');
  const resolvedTargetTime = event.nullableString('resolvedTargetTime');
  const checksPassed = event.has('checksPassed') ? event.boolean('checksPassed', false) : null;
  const failedChecks: unknown = (raw as Record<string, unknown>)['failedChecks'] ?? [];
  const recoveredPointInTime = event.has('recoveredPointInTime') ? event.nullableString('recoveredPointInTime') : null;
  const restoreSeconds = event.nullableInteger('restoreSeconds', 0, 10 * 86_400);
  const reason = event.optionalString('reason');
  const report = event.storedDocument('report');
  if (!Array.isArray(failedChecks) || !failedChecks.every((c) => typeof c === 'string')) event.problems.push('failedChecks: an array of check ids');
  event.done();
  logger.appendKeys({ identifier });
  const audit = await recordPointInTimeRestore(deps.archive, {
    database: settings.database,
    identifier,
    requestedTime,
    resolvedTargetTime,
    checksPassed,
    failedChecks: failedChecks as string[],
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
