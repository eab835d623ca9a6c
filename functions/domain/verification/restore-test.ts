/**
 * Restore use cases over the restore and snapshot ports: pick the snapshot to prove,
 * restore it into a temporary isolated database, follow it until usable, tag the
 * verdict, and delete the temporary database on every path (plus a sweeper for any that
 * escaped). Point-in-time restores (`point-in-time.ts`) reuse the same steps into a database
 * that is kept.
 */
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import type { DatabaseControlPlane, Snapshot } from '../../ports/database-control-plane.ts';
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

/**
 * Records a restore test's verdict on the snapshot and on its offsite copy (retention
 * in the DR region reads the copy's tag): `dr:verified=passed|failed`, `dr:verified-at`.
 * Returns the ARNs tagged.
 */
export async function tagVerdict(primary: DatabaseControlPlane, dr: DatabaseControlPlane | null, snapshotId: string, passed: boolean, at: Date): Promise<string[]> {
  const tags = verdictTags(passed, at);
  const tagged: string[] = [];
  const snapshot = await primary.getSnapshot(snapshotId);
  await primary.addTags(snapshot.arn, tags);
  tagged.push(snapshot.arn);
  // No copy yet (copying failed, or no DR region for this run): nothing to tag there.
  const copy = dr ? await orNull(() => dr.getSnapshot(snapshotId), SnapshotNotFoundError) : null;
  if (dr && copy) {
    await dr.addTags(copy.arn, tags);
    tagged.push(copy.arn);
  }
  return tagged;
}

/** A restore test's verdict, as the workflow reports it. */
export interface Verdict {
  readonly database: string;
  readonly snapshotId: string;
  readonly passed: boolean;
  /** The checks could not run (restore or connection failed): nothing was proven either way. */
  readonly inconclusive: boolean;
  readonly restoreSeconds: number | null;
  readonly dataAgeSeconds: number | null;
  readonly reason?: string;
  /** The report archived by the checks, named in the audit record with its SHA-256. */
  readonly report: StoredDocument | null;
  readonly now: Date;
  readonly executionArn: string;
}

/** Output of {@link recordVerdict}. */
export interface RecordedVerdict {
  readonly snapshotId: string;
  readonly passed: boolean;
  readonly inconclusive: boolean;
  /** The tags the verdict puts on the snapshot and its copy next (null when inconclusive: none). */
  readonly tags: Readonly<Record<string, string>> | null;
  readonly audit: StoredDocument;
}

/** The tags a passed or failed verdict writes (`dr:verified`, `dr:verified-at`). */
export function verdictTags(passed: boolean, at: Date): Record<string, string> {
  return { [TAG.verified]: passed ? 'passed' : 'failed', [TAG.verifiedAt]: at.toISOString() };
}

/**
 * Records a restore test's verdict: one audit record naming the report and the tags the verdict
 * will put on the snapshot (the workflow tags only after this record is stored, so no tag ever
 * lacks its record).
 *
 * Reads nothing from RDS: the record of a test must not depend on the snapshot still existing
 * (retention may expire it while the test runs, and the failure path records that too).
 */
export async function recordVerdict(archive: ArchiveStore, v: Verdict): Promise<RecordedVerdict> {
  const passed = v.passed && !v.inconclusive;
  const tags = v.inconclusive ? null : verdictTags(v.passed, v.now);
  const audit = await writeAudit(archive, {
    formatVersion: 1,
    action: 'verify.verdict',
    database: v.database,
    resource: v.snapshotId,
    at: v.now.toISOString(),
    executionArn: v.executionArn,
    result: passed ? 'succeeded' : 'failed',
    details: { passed, inconclusive: v.inconclusive, restoreSeconds: v.restoreSeconds, dataAgeSeconds: v.dataAgeSeconds, tags, ...(v.reason === undefined ? {} : { reason: v.reason }) },
    documents: v.report ? [v.report] : [],
  });
  return { snapshotId: v.snapshotId, passed, inconclusive: v.inconclusive, tags, audit };
}

/** Output of {@link applyVerdict}. */
export interface AppliedVerdict {
  readonly snapshotId: string;
  readonly passed: boolean;
  /** ARNs tagged: the snapshot, and its offsite copy where there is one. */
  readonly tagged: readonly string[];
  /** Age of the snapshot just proven good, null unless it passed. */
  readonly verifiedSnapshotAgeSeconds: number | null;
}

/**
 * Tags a recorded verdict on the snapshot and its offsite copy (after {@link recordVerdict}). An
 * inconclusive verdict proved nothing either way: nothing is tagged, as its record says (`tags: null`),
 * and the snapshot stays first in line for the next restore test.
 *
 * @throws SnapshotNotFoundError when the snapshot is gone (the workflow records that as inconclusive)
 */
export async function applyVerdict(
  primary: DatabaseControlPlane,
  dr: DatabaseControlPlane | null,
  snapshotId: string,
  verdict: { readonly passed: boolean; readonly inconclusive: boolean },
  at: Date,
): Promise<AppliedVerdict> {
  if (verdict.inconclusive) return { snapshotId, passed: false, tagged: [], verifiedSnapshotAgeSeconds: null };
  const { passed } = verdict;
  const snapshot = await primary.getSnapshot(snapshotId);
  const tagged = await tagVerdict(primary, dr, snapshotId, passed, at);
  const verifiedSnapshotAgeSeconds = passed && snapshot.createdAt ? Math.round((at.getTime() - snapshot.createdAt.getTime()) / 1000) : null;
  return { snapshotId, passed, tagged, verifiedSnapshotAgeSeconds };
}
