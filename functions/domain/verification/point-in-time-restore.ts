/**
 * Point-in-time restore: the source restored to a time of its restorable window into a new
 * database that is kept, and the record of how it ended. It reuses the restore test's tag and
 * checks (`restore-test.ts`, `run-verification.ts`).
 */
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import type { RestoreControlPlane, RestoredDatabase, RestorePlacement } from '../../ports/restore-control-plane.ts';
import { DatabaseAlreadyExistsError, DatabaseNotFoundError, RestoreWindowError, ValidationError, orNull } from '../../shared/errors.ts';
import { writeAudit } from '../audit/records.ts';
import { NEW_DB_ID, TAG } from '../snapshots/naming.ts';
import { PITR_TAG } from './restore-test.ts';

function find(restores: RestoreControlPlane, id: string): Promise<RestoredDatabase | null> {
  return orNull(() => restores.describe(id), DatabaseNotFoundError);
}


/** Input of {@link startPointInTimeRestore}. */
export interface PitrRequest {
  readonly sourceId: string;
  /** The target time, or `latest`. */
  readonly at: Date | 'latest';
  /** Identifier of the new database. */
  readonly name: string;
  readonly placement: Omit<RestorePlacement, 'targetId' | 'tags'>;
  readonly database: string;
  /** Where the intent record goes before the restore call, and whose run it is. */
  readonly archive: ArchiveStore;
  readonly executionArn: string;
  readonly now: Date;
}

/**
 * Restores the source to a point in time into a new database that is kept.
 *
 * 1. Validate the new name: RDS identifier rules, and `<db>-` as its prefix.
 * 2. Refuse a time outside the restorable window, naming the window.
 * 3. If the database exists from an earlier attempt of the same request, return it.
 * 4. Write the intent record (`pitr.restore`, result `intent`), then restore, tagged with the requested target.
 */
export async function startPointInTimeRestore(restores: RestoreControlPlane, request: PitrRequest): Promise<RestoredDatabase> {
  const problems: string[] = [];
  if (!NEW_DB_ID.test(request.name)) problems.push(`name: ${JSON.stringify(request.name)} is not a DB identifier (1-63 lower-case letters, digits, single hyphens, starting with a letter)`);
  else if (!request.name.startsWith(`${request.database}-`)) {
    // Restored databases carry their source's name as a prefix: IAM scopes the checks'
    // access to `<db>-*` secrets, and the production database itself can never be the target.
    problems.push(`name: must start with "${request.database}-" (a restore never replaces ${request.sourceId})`);
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const window = await restores.restoreWindow(request.sourceId);
  if (window.latest === null) throw new RestoreWindowError(`${request.sourceId} has no restorable window (automated backups off or not yet taken)`);
  if (request.at !== 'latest') {
    const earliest = window.earliest ?? window.latest;
    if (request.at.getTime() < earliest.getTime() || request.at.getTime() > window.latest.getTime()) {
      throw new RestoreWindowError(`${request.at.toISOString()} is outside the restorable window of ${request.sourceId}: ${earliest.toISOString()} to ${window.latest.toISOString()}`);
    }
  }
  const target = request.at === 'latest' ? 'latest' : request.at.toISOString();
  const existing = await find(restores, request.name);
  if (existing) {
    if (existing.tags[PITR_TAG] === target && existing.tags[TAG.database] === request.database) return existing;
    throw new DatabaseAlreadyExistsError(`${request.name} already exists and is not this point-in-time restore: choose another name`);
  }
  // The record comes before the change: a restore never exists without one.
  await writeAudit(request.archive, {
    formatVersion: 1,
    action: 'pitr.restore',
    database: request.database,
    resource: request.name,
    at: request.now.toISOString(),
    executionArn: request.executionArn,
    result: 'intent',
    details: { sourceId: request.sourceId, targetTime: target, restorableWindow: { earliest: window.earliest?.toISOString() ?? null, latest: window.latest.toISOString() } },
    documents: [],
  });
  return restores.restoreToPointInTime(request.sourceId, request.at, {
    ...request.placement,
    targetId: request.name,
    tags: { [PITR_TAG]: target, [TAG.database]: request.database },
  });
}
/** A point-in-time restore's end, as the workflow reports it. */
export interface PitrOutcome {
  readonly database: string;
  /** The new database. */
  readonly identifier: string;
  /** `latest` or the ISO time asked for. */
  readonly requestedTime: string;
  readonly resolvedTargetTime: string | null;
  /** The checks' verdict; null when they did not run (the run failed before them). */
  readonly checksPassed: boolean | null;
  readonly failedChecks: readonly string[];
  readonly recoveredPointInTime: string | null;
  readonly restoreSeconds: number | null;
  /** Why the run failed (`<error>: <cause>`), when it did. */
  readonly reason?: string;
  readonly report: StoredDocument | null;
  readonly now: Date;
  readonly executionArn: string;
}

/** Writes the outcome record of a point-in-time restore (`pitr.restore`), naming the report. Reads nothing from RDS. */
export async function recordPointInTimeRestore(archive: ArchiveStore, o: PitrOutcome): Promise<StoredDocument> {
  const failed = o.reason !== undefined || o.checksPassed !== true;
  return writeAudit(archive, {
    formatVersion: 1,
    action: 'pitr.restore',
    database: o.database,
    resource: o.identifier,
    at: o.now.toISOString(),
    executionArn: o.executionArn,
    result: failed ? 'failed' : 'succeeded',
    details: {
      requestedTime: o.requestedTime,
      resolvedTargetTime: o.resolvedTargetTime,
      checksPassed: o.checksPassed,
      failedChecks: o.failedChecks,
      recoveredPointInTime: o.recoveredPointInTime,
      restoreSeconds: o.restoreSeconds,
      ...(o.reason === undefined ? {} : { reason: o.reason }),
    },
    documents: o.report ? [o.report] : [],
  });
}
