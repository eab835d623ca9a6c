/**
 * Restore use cases over the restore and snapshot ports: pick the snapshot to prove,
 * restore it into a temporary isolated database, follow it until usable, tag the
 * verdict, and delete the temporary database on every path (plus a sweeper for any that
 * escaped). Point-in-time restores reuse the same steps into a database that is kept
 * (`point-in-time-restore.ts`); the verdict is recorded and tagged by `test-verdict.ts`.
 */
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import type { Snapshot } from '../../ports/database-control-plane.ts';
import type { RestoreControlPlane, RestoredDatabase, RestorePlacement } from '../../ports/restore-control-plane.ts';
import {
  DatabaseAlreadyExistsError,
  DatabaseNotFoundError,
  SnapshotNotAvailableError,
  SnapshotNotFoundError,
  UnsafeDeleteError,
  ValidationError,
  WaitTimeoutError,
  orNull,
} from '../../shared/errors.ts';
import { writeAudit } from '../audit/records.ts';
import { parseSnapshotId, TAG } from '../snapshots/naming.ts';

/** Tag on point-in-time restores: the requested target (ISO time or `latest`). */
export const PITR_TAG = TAG.pitrTarget;
/** Tag on temporary databases: the snapshot being proven. */
export const SOURCE_TAG = TAG.sourceSnapshot;

/** Identifier of the temporary database that proves `snapshotId` (stable, so a retried restore finds it). */
export function temporaryId(database: string, snapshotId: string): string {
  const parsed = parseSnapshotId(snapshotId);
  if (!parsed) throw new ValidationError([`snapshotId: ${JSON.stringify(snapshotId)} is not a managed snapshot id <db>-<tier>-<yyyymmddHHMM>`]);
  return `${database}-vfy-${parsed.tier[0]}${parsed.stamp}`;
}

/**
 * The snapshot a restore test proves: the one asked for (it must exist, be managed and
 * available), or else the newest available managed snapshot not yet verified.
 * Returns null when every managed snapshot has been verified already.
 */
export function selectSnapshot(snapshots: readonly Snapshot[], requested: string | undefined): Snapshot | null {
  const managed = snapshots.filter((s) => s.type === 'manual' && s.tags[TAG.managed] === 'true');
  if (requested !== undefined) {
    const found = managed.find((s) => s.id === requested);
    if (!found) throw new SnapshotNotFoundError(`snapshot ${requested} is not a managed snapshot of this database`);
    if (found.status !== 'available') throw new SnapshotNotAvailableError(`snapshot ${requested} is ${found.status}, not available`);
    return found;
  }
  const candidates = managed
    .filter((s) => s.status === 'available' && s.tags[TAG.verified] === undefined)
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  return candidates[0] ?? null;
}

/** The restored database named `id`, or null when there is none. */
export function findRestored(restores: RestoreControlPlane, id: string): Promise<RestoredDatabase | null> {
  return orNull(() => restores.describe(id), DatabaseNotFoundError);
}

/** Input of {@link startTemporaryRestore}. */
export interface TemporaryRestoreRequest {
  readonly database: string;
  readonly snapshotId: string;
  readonly now: Date;
  /** How long the temporary database may live before the sweeper deletes it. */
  readonly ttlHours: number;
  /** Placement minus the id and tags, which this use case sets. */
  readonly placement: Omit<RestorePlacement, 'targetId' | 'tags'>;
  /** Where the intent record goes before the restore call, and whose run it is. */
  readonly archive: ArchiveStore;
  readonly executionArn: string;
}

/**
 * Restores the snapshot into its temporary database.
 *
 * 1. Derive the temporary id from the snapshot id.
 * 2. If a temporary database for this snapshot exists (a retried step), return it.
 * 3. Refuse if something else holds the id (never adopt or overwrite).
 * 4. Write the intent record (`verify.restore`, result `intent`: the temporary database, its
 *    snapshot and expiry), then restore, tagged `dr:temporary=true` with `dr:expires-at` for the
 *    sweeper. The verdict record and the sweeper's records follow; a temporary database never
 *    exists without a record naming it.
 */
export async function startTemporaryRestore(restores: RestoreControlPlane, request: TemporaryRestoreRequest): Promise<RestoredDatabase> {
  const targetId = temporaryId(request.database, request.snapshotId);
  const existing = await findRestored(restores, targetId);
  if (existing) {
    if (existing.tags[TAG.temporary] === 'true' && existing.tags[SOURCE_TAG] === request.snapshotId) return existing;
    throw new DatabaseAlreadyExistsError(`${targetId} exists and is not the temporary restore of ${request.snapshotId}: refusing to use it`);
  }
  const expiresAt = new Date(request.now.getTime() + request.ttlHours * 3_600_000).toISOString();
  await writeAudit(request.archive, {
    formatVersion: 1,
    action: 'verify.restore',
    database: request.database,
    resource: targetId,
    at: request.now.toISOString(),
    executionArn: request.executionArn,
    result: 'intent',
    details: { sourceSnapshot: request.snapshotId, expiresAt },
    documents: [],
  });
  return restores.restoreFromSnapshot(request.snapshotId, {
    ...request.placement,
    targetId,
    tags: { [TAG.temporary]: 'true', [TAG.expiresAt]: expiresAt, [SOURCE_TAG]: request.snapshotId, [TAG.database]: request.database },
  });
}

/** Output of {@link checkRestored}. */
export interface RestoreProgress {
  readonly identifier: string;
  readonly status: string;
  readonly ready: boolean;
  readonly endpoint: string | null;
  readonly port: number | null;
  readonly secretArn: string | null;
  /** Seconds from creation to this poll: the measured restore duration once ready. */
  readonly elapsedSeconds: number | null;
  readonly attempt: number;
}

/**
 * One bounded poll of a restored database: ready once available with an endpoint and a
 * secret of its own (requested here where the restore could not). WaitTimeoutError when
 * `attempt` reaches `maxAttempts` first.
 */
export async function checkRestored(restores: RestoreControlPlane, id: string, attempt: number, maxAttempts: number, now: Date, secretKmsKeyId: string): Promise<RestoreProgress> {
  let db = await restores.describe(id);
  // A database without a secret of its own is not usable yet: it would take the source's password.
  if (db.status === 'available' && db.secretArn === null && (await restores.ensureOwnSecret(id, secretKmsKeyId))) db = await restores.describe(id);
  const ready = db.status === 'available' && db.endpoint !== null && db.secretArn !== null;
  const progress: RestoreProgress = {
    identifier: db.identifier,
    status: db.status,
    ready,
    endpoint: db.endpoint,
    port: db.port,
    secretArn: db.secretArn,
    elapsedSeconds: db.createdAt ? Math.round((now.getTime() - db.createdAt.getTime()) / 1000) : null,
    attempt: attempt + 1,
  };
  if (!ready && progress.attempt >= maxAttempts) {
    throw new WaitTimeoutError(`${id} still ${db.status} after ${progress.attempt} polls`);
  }
  return progress;
}

/** Output of {@link deleteTemporary}. */
export interface DeleteResult {
  readonly identifier: string;
  /** `deleted`, `already-deleting` or `not-found` (nothing to do). */
  readonly outcome: 'deleted' | 'already-deleting' | 'not-found';
}

/**
 * Deletes a temporary database, and only that: it must carry `dr:temporary=true` and this
 * database's `dr:database` tag and the temporary id prefix, else UnsafeDeleteError and
 * nothing is deleted. A database already gone or being deleted is success (idempotent).
 */
export async function deleteTemporary(restores: RestoreControlPlane, database: string, id: string): Promise<DeleteResult> {
  const db = await findRestored(restores, id);
  if (!db) return { identifier: id, outcome: 'not-found' };
  if (db.tags[TAG.temporary] !== 'true' || db.tags[TAG.database] !== database || !id.startsWith(`${database}-vfy-`)) {
    throw new UnsafeDeleteError(`${id} is not a temporary restore of ${database} (tags ${TAG.temporary}=${db.tags[TAG.temporary] ?? 'absent'}, ${TAG.database}=${db.tags[TAG.database] ?? 'absent'}): not deleted`);
  }
  if (db.status === 'deleting') return { identifier: id, outcome: 'already-deleting' };
  await restores.delete(id);
  return { identifier: id, outcome: 'deleted' };
}

/** Output of {@link sweepTemporary}. */
export interface SweepResult {
  /** Temporary databases past their expiry (deleted now) or with an unreadable expiry (kept). */
  readonly leaked: number;
  readonly deleted: readonly string[];
  /** Kept because their expiry tag could not be read: an operator decides (fail closed). */
  readonly unreadable: readonly string[];
}

/** Where the sweeper's records go, and whose run they are. */
export interface SweepAudit {
  readonly archive: ArchiveStore;
  /** `schedule` for the scheduled sweeper. */
  readonly executionArn: string;
}

/**
 * Deletes every temporary database of `database` past its `dr:expires-at`.
 *
 * Each delete is preceded by its record (`sweep.delete`, result `intent`: the database, its source
 * snapshot and expiry): a failed archive write stops the sweep before that delete, so no sweep
 * deletion is ever without a record. When anything leaked, one `sweep.run` record follows with the
 * outcome, naming the intent records.
 */
export async function sweepTemporary(restores: RestoreControlPlane, database: string, now: Date, audit: SweepAudit): Promise<SweepResult> {
  const temporary = (await restores.list()).filter((db) => db.tags[TAG.temporary] === 'true' && db.tags[TAG.database] === database);
  const deleted: string[] = [];
  const unreadable: string[] = [];
  const intents: StoredDocument[] = [];
  for (const db of temporary) {
    const expires = Date.parse(db.tags[TAG.expiresAt] ?? '');
    if (Number.isNaN(expires)) {
      unreadable.push(db.identifier);
      continue;
    }
    if (expires > now.getTime() || db.status === 'deleting') continue;
    intents.push(
      await writeAudit(audit.archive, {
        formatVersion: 1,
        action: 'sweep.delete',
        database,
        resource: db.identifier,
        at: now.toISOString(),
        executionArn: audit.executionArn,
        result: 'intent',
        details: { reason: `temporary database past its ${TAG.expiresAt}`, expiresAt: db.tags[TAG.expiresAt], sourceSnapshot: db.tags[SOURCE_TAG] ?? null, status: db.status },
        documents: [],
      }),
    );
    const result = await deleteTemporary(restores, database, db.identifier);
    if (result.outcome === 'deleted') deleted.push(db.identifier);
  }
  if (deleted.length + unreadable.length > 0) {
    await writeAudit(audit.archive, {
      formatVersion: 1,
      action: 'sweep.run',
      database,
      resource: database,
      at: now.toISOString(),
      executionArn: audit.executionArn,
      result: 'succeeded',
      details: { deleted, unreadable, leaked: deleted.length + unreadable.length },
      documents: intents,
    });
  }
  return { leaked: deleted.length + unreadable.length, deleted, unreadable };
}
