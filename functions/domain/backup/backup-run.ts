/**
 * Backup use cases over the {@link DatabaseControlPlane} port: take a snapshot, follow it
 * until it is usable, copy it offsite. Each is idempotent, because EventBridge Scheduler
 * and Step Functions retries may run any step twice.
 */
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import type { DatabaseControlPlane, Snapshot } from '../../ports/database-control-plane.ts';
import { writeAudit } from '../audit/records.ts';
import {
  DatabaseNotAvailableError,
  SnapshotAlreadyExistsError,
  SnapshotFailedError,
  SnapshotNotFoundError,
  SnapshotQuotaExceededError,
  WaitTimeoutError,
  orNull,
} from '../../shared/errors.ts';
import { managedSnapshotTags, snapshotId, TAG, tierFor, type Tier, type TierRules } from '../snapshots/naming.ts';

/** Input of {@link takeSnapshot}. */
export interface TakeSnapshotRequest {
  readonly database: string;
  /** When the schedule meant the run to happen; names the snapshot. */
  readonly scheduledAt: Date;
  /** Forces a tier (manual runs); otherwise it comes from the date. */
  readonly tier?: Tier;
  readonly policy: string;
  readonly timeZone: string;
  readonly tierRules: TierRules;
}

/** Output of {@link planSnapshot}. */
export interface SnapshotPlan {
  readonly snapshotId: string;
  readonly tier: Tier;
  /** The instant that names the run (ISO), to pass on to {@link takeSnapshot}. */
  readonly scheduledAt: string;
  /** A managed snapshot with this id exists already (a duplicate or retried run). */
  readonly exists: boolean;
}

/**
 * Names the run's snapshot without creating it, so the manifest can be captured just
 * before the snapshot is taken. Refuses an unmanaged snapshot that holds the id.
 */
export async function planSnapshot(plane: DatabaseControlPlane, request: TakeSnapshotRequest): Promise<SnapshotPlan> {
  const tier = request.tier ?? tierFor(request.scheduledAt, request.tierRules, request.timeZone);
  const id = snapshotId(request.database, tier, request.scheduledAt, request.timeZone);
  const found = await existing(plane, id);
  if (found) requireManaged(found);
  return { snapshotId: id, tier, scheduledAt: request.scheduledAt.toISOString(), exists: found !== null };
}

/** Output of {@link takeSnapshot}. */
export interface TakeSnapshotResult {
  readonly snapshotId: string;
  readonly snapshotArn: string;
  readonly tier: Tier;
  readonly status: string;
  /** False when the snapshot already existed (a duplicate or retried run). */
  readonly created: boolean;
}

function result(snapshot: Snapshot, tier: Tier, created: boolean): TakeSnapshotResult {
  return { snapshotId: snapshot.id, snapshotArn: snapshot.arn, tier, status: snapshot.status, created };
}

function existing(plane: DatabaseControlPlane, id: string): Promise<Snapshot | null> {
  return orNull(() => plane.getSnapshot(id), SnapshotNotFoundError);
}

function requireManaged(snapshot: Snapshot): void {
  if (snapshot.tags[TAG.managed] !== 'true') {
    throw new SnapshotAlreadyExistsError(`snapshot ${snapshot.id} exists but is not tagged ${TAG.managed}=true: someone else made it; refusing to adopt it`);
  }
}

/**
 * Takes the run's snapshot.
 *
 * 1. Derive the tier (from the date unless forced) and the deterministic id.
 * 2. If a managed snapshot with that id exists, this run already happened: return it.
 * 3. Refuse unless the database is `available` (RDS refuses snapshots otherwise).
 * 4. Refuse when the manual-snapshot quota is used up.
 * 5. Create it with the managed tags; losing a creation race to a duplicate run is success.
 */
export async function takeSnapshot(plane: DatabaseControlPlane, request: TakeSnapshotRequest): Promise<TakeSnapshotResult> {
  const tier = request.tier ?? tierFor(request.scheduledAt, request.tierRules, request.timeZone);
  const id = snapshotId(request.database, tier, request.scheduledAt, request.timeZone);
  const found = await existing(plane, id);
  if (found) {
    requireManaged(found);
    return result(found, tier, false);
  }
  const database = await plane.describeDatabase(request.database);
  if (database.status !== 'available') {
    throw new DatabaseNotAvailableError(`database ${request.database} is ${database.status}, not available: no snapshot taken`);
  }
  const quota = await plane.manualSnapshotQuota();
  if (quota.used >= quota.max) {
    throw new SnapshotQuotaExceededError(`manual-snapshot quota used up (${quota.used}/${quota.max}) in ${plane.region}: no snapshot taken`);
  }
  try {
    const snapshot = await plane.createSnapshot(request.database, id, managedSnapshotTags(request.database, tier, request.policy));
    return result(snapshot, tier, true);
  } catch (error) {
    if (!(error instanceof SnapshotAlreadyExistsError)) throw error;
    const raced = await plane.getSnapshot(id);
    requireManaged(raced);
    return result(raced, tier, false);
  }
}

/** Statuses after which a snapshot will never become usable. */
const TERMINAL_BAD = /^(failed|incompatible-.*|deleted|deleting)$/;

/** Output of {@link checkSnapshot}. */
export interface SnapshotProgress {
  readonly snapshotId: string;
  readonly snapshotArn: string;
  readonly status: string;
  readonly percentProgress: number | null;
  readonly ready: boolean;
  /** Polls made so far, this one included. */
  readonly attempt: number;
  /**
   * The snapshot's point in time (ISO 8601): RDS's `SnapshotCreateTime`; null when RDS reports none.
   * Reading B of the bracket anchors its wait on it.
   */
  readonly createdAt: string | null;
}

/**
 * One bounded poll of a snapshot. Throws SnapshotFailedError on a terminal bad status,
 * SnapshotNotFoundError if it vanished (someone deleted it), and WaitTimeoutError when
 * `attempt` reaches `maxAttempts` while it is still not ready.
 */
export async function checkSnapshot(plane: DatabaseControlPlane, id: string, attempt: number, maxAttempts: number): Promise<SnapshotProgress> {
  const snapshot = await plane.getSnapshot(id);
  const progress: SnapshotProgress = {
    snapshotId: snapshot.id,
    snapshotArn: snapshot.arn,
    status: snapshot.status,
    percentProgress: snapshot.percentProgress,
    ready: snapshot.status === 'available',
    attempt: attempt + 1,
    createdAt: snapshot.createdAt?.toISOString() ?? null,
  };
  if (TERMINAL_BAD.test(snapshot.status)) {
    throw new SnapshotFailedError(`snapshot ${id} in ${plane.region} is ${snapshot.status}`);
  }
  if (!progress.ready && progress.attempt >= maxAttempts) {
    throw new WaitTimeoutError(`snapshot ${id} in ${plane.region} still ${snapshot.status} (${snapshot.percentProgress ?? 0}%) after ${progress.attempt} polls`);
  }
  return progress;
}

/** Input of {@link copySnapshotOffsite}. */
export interface CopyRequest {
  readonly snapshotId: string;
  /** KMS key in the DR region (alias ARN, key ARN or alias name). */
  readonly kmsKeyId: string;
}

/** Output of {@link copySnapshotOffsite}. */
export interface CopyResult {
  readonly copyId: string;
  readonly copyArn: string;
  readonly region: string;
  readonly status: string;
  readonly created: boolean;
}

/**
 * Copies an available snapshot to the DR region under the same id, with its managed
 * tags plus `dr:copy-of`. An existing managed copy is success (idempotent).
 */
export async function copySnapshotOffsite(source: DatabaseControlPlane, target: DatabaseControlPlane, request: CopyRequest): Promise<CopyResult> {
  const found = await existing(target, request.snapshotId);
  if (found) {
    requireManaged(found);
    return { copyId: found.id, copyArn: found.arn, region: target.region, status: found.status, created: false };
  }
  const original = await source.getSnapshot(request.snapshotId);
  if (original.status !== 'available') {
    throw new SnapshotFailedError(`snapshot ${original.id} is ${original.status}; only an available snapshot can be copied`);
  }
  const tags: Record<string, string> = {};
  for (const key of [TAG.managed, TAG.tier, TAG.policy, TAG.database]) {
    const value = original.tags[key];
    if (value !== undefined) tags[key] = value;
  }
  tags[TAG.copyOf] = original.arn;
  try {
    const copy = await target.copySnapshot({ sourceArn: original.arn, sourceRegion: source.region, targetId: original.id, kmsKeyId: request.kmsKeyId, tags });
    return { copyId: copy.id, copyArn: copy.arn, region: target.region, status: copy.status, created: true };
  } catch (error) {
    if (!(error instanceof SnapshotAlreadyExistsError)) throw error;
    const raced = await target.getSnapshot(original.id);
    requireManaged(raced);
    return { copyId: raced.id, copyArn: raced.arn, region: target.region, status: raced.status, created: false };
  }
}

/** A finished backup run, as the workflow reports it. */
export interface BackupRun {
  readonly database: string;
  readonly outcome: 'succeeded' | 'failed';
  readonly startedAt: Date;
  readonly now: Date;
  /** The run's snapshot, or `none` when the run failed before naming one. */
  readonly snapshotId: string;
  readonly executionArn: string;
  readonly error?: string;
  /** The manifest archived for the snapshot, named in the audit record with its SHA-256. */
  readonly manifest: StoredDocument | null;
  /** What the manifest says a restore test cannot prove (no heartbeat, unlogged tables); kept in the record. */
  readonly manifestWarnings?: readonly string[];
}

/** Output of {@link recordBackupRun}. */
export interface RecordedRun {
  readonly outcome: BackupRun['outcome'];
  readonly durationSeconds: number;
  readonly audit: StoredDocument;
}

/** Records a backup run: its measured duration and one audit record. */
export async function recordBackupRun(archive: ArchiveStore, run: BackupRun): Promise<RecordedRun> {
  const durationSeconds = Math.max(0, Math.round((run.now.getTime() - run.startedAt.getTime()) / 1000));
  const audit = await writeAudit(archive, {
    formatVersion: 1,
    action: 'backup.run',
    database: run.database,
    resource: run.snapshotId,
    at: run.now.toISOString(),
    executionArn: run.executionArn,
    result: run.outcome,
    details: {
      startedAt: run.startedAt.toISOString(),
      durationSeconds,
      ...(run.error === undefined ? {} : { error: run.error }),
      ...(run.manifestWarnings === undefined || run.manifestWarnings.length === 0 ? {} : { manifestWarnings: [...run.manifestWarnings] }),
    },
    documents: run.manifest ? [run.manifest] : [],
  });
  return { outcome: run.outcome, durationSeconds, audit };
}
