/**
 * Recovery points, measured: what each failure mode would lose if it happened now.
 *
 * Pure: the RPO monitor reads the control planes and the probe's replica heartbeat, and this
 * module turns those observations at a given `now` into the values it publishes. Nothing here
 * is copied from configuration except the targets, which are published as targets
 * (`RpoTargetSeconds`, `RtoTargetSeconds`) so graphs can draw them beside the measurements.
 *
 * How each failure mode's RPO is derived (docs/architecture.md, "Recovery objectives per failure mode"):
 * - `az`: 0 while RDS reports the synchronous standby (a Multi-AZ instance with its secondary
 *   AZ, or a Multi-AZ DB cluster with a reader) in a status that keeps it in sync; otherwise the
 *   only way back from losing the writer's AZ is a point-in-time restore, so it is the PITR lag.
 * - `corruption`: the PITR lag, `now - LatestRestorableTime`.
 * - `region`: the cross-region replica's heartbeat age when a replica exists and the probe
 *   measured it recently; else the replicated automated backups' lag in the DR region
 *   (`now - RestoreWindow.LatestTime`); else the age of the newest offsite snapshot copy.
 * - `snapshotLoss`: the age of the newest *verified* offsite copy. A copy counts as verified
 *   by its own `dr:verified=passed` tag (the restore test tags the copy too), or, when the copy
 *   carries no verdict yet, by its source snapshot's tag (a copy holds the source's data).
 *
 * Ages are measured from when the data was captured ({@link dataTimeOf}, shared with retention):
 * the earliest of `SnapshotDatabaseTime`, `OriginalSnapshotCreateTime` and `SnapshotCreateTime`. A
 * copy's own `createdAt` is the copy's start; without an original time, its source's data time.
 */
import type { DatabaseState, Snapshot } from '../../ports/database-control-plane.ts';
import type { MetricName } from '../../shared/metric-names.ts';
import { longestGapSeconds, type CronFields, type Schedule } from '../snapshots/schedule.ts';
import { dataTimeOf } from '../retention/data-time.ts';
import { TAG } from '../snapshots/naming.ts';

/**
 * Failure modes with their own recovery path and objectives (the configuration's `objectives` keys;
 * docs/architecture.md, "Recovery objectives per failure mode").
 */
export const FAILURE_MODES = ['az', 'region', 'corruption', 'snapshotLoss'] as const;
/** One failure mode. */
export type FailureMode = (typeof FAILURE_MODES)[number];

/** The `FailureMode` dimension value of each mode, as alarms and dashboards name it. */
export const FAILURE_MODE_DIMENSION: Readonly<Record<FailureMode, string>> = {
  az: 'az',
  region: 'region',
  corruption: 'corruption',
  snapshotLoss: 'snapshot-loss',
};

/** Targets of one failure mode, in seconds (the configuration's `objectives.<mode>`). */
export interface RecoveryObjective {
  /** Most data, in seconds of writes, that this failure may lose. */
  readonly rpoSeconds: number;
  /** Longest time from failure to traffic on the recovered database. */
  readonly rtoSeconds: number;
}

/** Targets per failure mode; null: the mode is knowingly unprotected, and nothing is published for it. */
export type RecoveryObjectives = Readonly<Record<FailureMode, RecoveryObjective | null>>;

/** The offsite recovery paths the deployment has (from `dr.*` of the configuration). */
export interface OffsitePaths {
  readonly readReplica: boolean;
  readonly backupReplication: boolean;
  readonly snapshotCopy: boolean;
}

/** The offsite path names, as the monitor's environment lists them. */
export const OFFSITE_PATH_NAMES = { readReplica: 'read-replica', backupReplication: 'backup-replication', snapshotCopy: 'snapshot-copy' } as const;

/**
 * RDS statuses in which a Multi-AZ standby stays in sync and can take over (RDS User Guide,
 * "Viewing Amazon RDS DB instance status"). Anything else (rebooting, modifying, storage-full,
 * failed, deleting, ...) may have no standby to fail over to, so the `az` RPO falls back to PITR.
 */
export const STANDBY_IN_SYNC_STATUSES: readonly string[] = [
  'available',
  'backing-up',
  'storage-optimization',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
];

/** How long a replica heartbeat measurement stays current: the probe runs every minute. */
export const REPLICA_HEARTBEAT_MAX_AGE_SECONDS = 300;

/** The protected database as observed: its state, gone (RDS reports it not found), or unread (the read failed). */
export type DatabaseObservation =
  | { readonly kind: 'found'; readonly state: DatabaseState }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'unread' };

/** The probe's newest replica heartbeat age and when it was measured. */
export interface ReplicaHeartbeatReading {
  readonly ageSeconds: number;
  readonly at: Date;
}

/** Everything the monitor observed; null where a source was not read (failed, or not configured). */
export interface RpoObservations {
  readonly now: Date;
  readonly database: DatabaseObservation;
  /** Manual snapshots of the database in the primary region. */
  readonly primarySnapshots: readonly Snapshot[] | null;
  /** Manual snapshots (copies) of the database in the DR region. */
  readonly offsiteSnapshots: readonly Snapshot[] | null;
  /** Newest restorable time of the backups replicated into the DR region; null when none or unread. */
  readonly replicatedBackupLatest: Date | null;
  /** Newest replica heartbeat age the probe published; null when none or unread. */
  readonly replicaHeartbeat: ReplicaHeartbeatReading | null;
}

/** What an RPO value rests on; `unmeasured` means no value could be proven. */
export type RpoBasis =
  | 'multi-az-standby'
  | 'pitr-lag'
  | 'replica-heartbeat'
  | 'replicated-backups'
  | 'offsite-copy'
  | 'verified-offsite-copy'
  | 'unmeasured';

/** One failure mode's measured RPO. */
export interface RpoValue {
  /** Seconds of writes the failure would lose now; null when unmeasured (then nothing is published). */
  readonly seconds: number | null;
  readonly basis: RpoBasis;
  /** One line saying what the value rests on, or why there is none. */
  readonly detail: string;
}

/** The monitor's measurements at one instant. */
export interface RpoMeasurement {
  readonly at: Date;
  /** `now - LatestRestorableTime`; null when RDS reports no restorable time (or the database is gone). */
  readonly pitrLagSeconds: number | null;
  /** Age of the newest available managed snapshot in the primary region. */
  readonly latestSnapshotAgeSeconds: number | null;
  /** Age of the newest available managed snapshot that passed its restore test. */
  readonly latestVerifiedSnapshotAgeSeconds: number | null;
  /** Data age of the newest available managed copy in the DR region; null without snapshot copies. */
  readonly latestOffsiteCopyAgeSeconds: number | null;
  /** One value per protected failure mode (a mode with a null objective is absent). */
  readonly rpo: Readonly<Partial<Record<FailureMode, RpoValue>>>;
}

/** One value to publish: the metric, its value, and the FailureMode dimension when per mode. */
export interface RpoDatapoint {
  readonly name: MetricName;
  readonly value: number;
  /** `FailureMode` dimension value, or null for a metric with the Database dimension only. */
  readonly failureMode: string | null;
}

function seconds(now: Date, then: Date): number {
  // Clock skew must not produce a negative age: the data is at least as fresh as now.
  return Math.max(0, now.getTime() - then.getTime()) / 1000;
}

function usable(snapshot: Snapshot): snapshot is Snapshot & { createdAt: Date } {
  return snapshot.type === 'manual' && snapshot.status === 'available' && snapshot.tags[TAG.managed] === 'true' && snapshot.createdAt !== null;
}

function newest<T>(items: readonly T[], time: (item: T) => Date | null): { item: T; time: Date } | null {
  let best: { item: T; time: Date } | null = null;
  for (const item of items) {
    const t = time(item);
    if (t !== null && (best === null || t.getTime() > best.time.getTime())) best = { item, time: t };
  }
  return best;
}

/** The source snapshot of a copy: by its `dr:copy-of` ARN, else by the same id (copies keep it). */
function sourceOf(copy: Snapshot, primary: readonly Snapshot[]): Snapshot | undefined {
  const arn = copy.tags[TAG.copyOf];
  return primary.find((s) => (arn !== undefined && s.arn === arn) || s.id === copy.id);
}

/** When a usable snapshot's data was captured (its `createdAt` is known, so never null). */
function localDataTime(snapshot: Snapshot & { createdAt: Date }): Date {
  return dataTimeOf(snapshot) ?? snapshot.createdAt;
}

/**
 * When a copy's data was captured: its own data time, or its source's when that is earlier
 * (a copy RDS reports no original time for); the copy's own creation only when its source is
 * gone too (it can make the age look younger, never older).
 */
function dataTime(copy: Snapshot & { createdAt: Date }, primary: readonly Snapshot[]): Date {
  const source = sourceOf(copy, primary);
  const sourceTime = source ? dataTimeOf(source) : null;
  const own = localDataTime(copy);
  return sourceTime !== null && sourceTime.getTime() < own.getTime() ? sourceTime : own;
}

function verifiedCopy(copy: Snapshot, primary: readonly Snapshot[]): boolean {
  const own = copy.tags[TAG.verified];
  if (own !== undefined) return own === 'passed';
  return sourceOf(copy, primary)?.tags[TAG.verified] === 'passed';
}

function unmeasured(detail: string): RpoValue {
  return { seconds: null, basis: 'unmeasured', detail };
}

/**
 * Computes every measurement at `observations.now`.
 *
 * 1. PITR lag from the database's LatestRestorableTime.
 * 2. Newest managed, available snapshot in the primary region; the newest that passed its restore test.
 * 3. Newest managed, available copy in the DR region, by data time; the newest verified one.
 * 4. One RPO per protected failure mode, each from the path that recovers it (module comment).
 */
export function measureRecoveryPoints(observations: RpoObservations, objectives: RecoveryObjectives, paths: OffsitePaths): RpoMeasurement {
  const { now } = observations;
  const db = observations.database;
  const latestRestorable = db.kind === 'found' ? db.state.latestRestorableTime : null;
  const pitrLagSeconds = latestRestorable === null ? null : seconds(now, latestRestorable);

  const primary = (observations.primarySnapshots ?? []).filter(usable);
  const newestLocal = newest(primary, localDataTime);
  const newestVerifiedLocal = newest(
    primary.filter((s) => s.tags[TAG.verified] === 'passed'),
    localDataTime,
  );

  const copies = paths.snapshotCopy ? (observations.offsiteSnapshots ?? []).filter(usable) : [];
  const allPrimary = observations.primarySnapshots ?? [];
  const newestCopy = newest(copies, (c) => dataTime(c, allPrimary));
  const newestVerifiedCopy = newest(
    copies.filter((c) => verifiedCopy(c, allPrimary)),
    (c) => dataTime(c, allPrimary),
  );
  const latestOffsiteCopyAgeSeconds = newestCopy === null ? null : seconds(now, newestCopy.time);

  const pitr = (): RpoValue => {
    if (pitrLagSeconds !== null) return { seconds: pitrLagSeconds, basis: 'pitr-lag', detail: `LatestRestorableTime ${(latestRestorable as Date).toISOString()}` };
    if (db.kind === 'not-found') return unmeasured('the database does not exist');
    if (db.kind === 'unread') return unmeasured('the database could not be described');
    return unmeasured(`RDS reports no LatestRestorableTime (status ${db.state.status})`);
  };

  const rpo: Partial<Record<FailureMode, RpoValue>> = {};
  if (objectives.az !== null) {
    if (db.kind === 'found' && db.state.multiAz === true && STANDBY_IN_SYNC_STATUSES.includes(db.state.status)) {
      rpo.az = { seconds: 0, basis: 'multi-az-standby', detail: `standby in sync (status ${db.state.status})` };
    } else {
      // Without an in-sync standby, losing the writer's AZ leaves a point-in-time restore.
      const fallback = pitr();
      const why = db.kind === 'found' ? (db.state.multiAz === true ? `status ${db.state.status} does not keep the standby in sync` : 'no Multi-AZ standby') : 'no standby observed';
      rpo.az = { ...fallback, detail: `${why}; ${fallback.detail}` };
    }
  }
  if (objectives.corruption !== null) rpo.corruption = pitr();
  if (objectives.region !== null) rpo.region = regionRpo(observations, paths, latestOffsiteCopyAgeSeconds, newestCopy?.item.id ?? null);
  if (objectives.snapshotLoss !== null) {
    rpo.snapshotLoss =
      newestVerifiedCopy === null
        ? unmeasured(paths.snapshotCopy ? 'no verified offsite copy' : 'no snapshot copies are configured')
        : { seconds: seconds(now, newestVerifiedCopy.time), basis: 'verified-offsite-copy', detail: `copy ${newestVerifiedCopy.item.id} of ${newestVerifiedCopy.time.toISOString()}` };
  }

  return {
    at: now,
    pitrLagSeconds,
    latestSnapshotAgeSeconds: newestLocal === null ? null : seconds(now, newestLocal.time),
    latestVerifiedSnapshotAgeSeconds: newestVerifiedLocal === null ? null : seconds(now, newestVerifiedLocal.time),
    latestOffsiteCopyAgeSeconds,
    rpo,
  };
}

function regionRpo(observations: RpoObservations, paths: OffsitePaths, offsiteAge: number | null, offsiteId: string | null): RpoValue {
  const { now, replicaHeartbeat, replicatedBackupLatest } = observations;
  const tried: string[] = [];
  if (paths.readReplica) {
    if (replicaHeartbeat !== null && seconds(now, replicaHeartbeat.at) <= REPLICA_HEARTBEAT_MAX_AGE_SECONDS) {
      return { seconds: replicaHeartbeat.ageSeconds, basis: 'replica-heartbeat', detail: `replica heartbeat measured at ${replicaHeartbeat.at.toISOString()}` };
    }
    tried.push(`no replica heartbeat measured in the last ${REPLICA_HEARTBEAT_MAX_AGE_SECONDS} s`);
  }
  if (paths.backupReplication) {
    if (replicatedBackupLatest !== null) {
      return { seconds: seconds(now, replicatedBackupLatest), basis: 'replicated-backups', detail: `replicated backups restorable to ${replicatedBackupLatest.toISOString()}` };
    }
    tried.push('no replicated automated backups');
  }
  if (paths.snapshotCopy) {
    if (offsiteAge !== null) return { seconds: offsiteAge, basis: 'offsite-copy', detail: `copy ${offsiteId ?? ''}` };
    tried.push('no offsite copy');
  }
  return unmeasured(tried.length === 0 ? 'no offsite path is configured' : tried.join('; '));
}

/**
 * The datapoints to publish: the four ages where measured, then per protected mode its RPO
 * (where measured), its RPO target and its RTO target. An unmeasured value is left out, never
 * published as 0: the alarms treat missing data as breaching.
 */
export function rpoDatapoints(measurement: RpoMeasurement, objectives: RecoveryObjectives): RpoDatapoint[] {
  const points: RpoDatapoint[] = [];
  const plain = (name: MetricName, value: number | null): void => {
    if (value !== null) points.push({ name, value, failureMode: null });
  };
  plain('PitrLagSeconds', measurement.pitrLagSeconds);
  plain('LatestSnapshotAgeSeconds', measurement.latestSnapshotAgeSeconds);
  plain('LatestVerifiedSnapshotAgeSeconds', measurement.latestVerifiedSnapshotAgeSeconds);
  plain('LatestOffsiteCopyAgeSeconds', measurement.latestOffsiteCopyAgeSeconds);
  for (const mode of FAILURE_MODES) {
    const objective = objectives[mode];
    if (objective === null) continue;
    const failureMode = FAILURE_MODE_DIMENSION[mode];
    const value = measurement.rpo[mode]?.seconds ?? null;
    if (value !== null) points.push({ name: 'RpoSeconds', value, failureMode });
    points.push({ name: 'RpoTargetSeconds', value: objective.rpoSeconds, failureMode });
    points.push({ name: 'RtoTargetSeconds', value: objective.rtoSeconds, failureMode });
  }
  return points;
}

/**
 * Reads the offsite paths from a comma-separated list of {@link OFFSITE_PATH_NAMES} values, or
 * `none`. Returns the paths or the problem.
 */
export function parseOffsitePaths(list: string): OffsitePaths | string {
  const names = list === 'none' ? [] : list.split(',').map((n) => n.trim());
  const allowed = Object.values(OFFSITE_PATH_NAMES) as string[];
  const unknown = names.filter((n) => !allowed.includes(n));
  if (unknown.length > 0 || (list !== 'none' && names.length === 0)) return `${JSON.stringify(list)} is not "none" or a comma-separated list of ${allowed.join(', ')}`;
  return {
    readReplica: names.includes(OFFSITE_PATH_NAMES.readReplica),
    backupReplication: names.includes(OFFSITE_PATH_NAMES.backupReplication),
    snapshotCopy: names.includes(OFFSITE_PATH_NAMES.snapshotCopy),
  };
}

/** Fire times (ms, in the schedules' own clock) of a cron schedule over `days` days from `from`. */
function fireTimes(fields: CronFields, from: number, days: number): number[] {
  const minutes = [...fields.minutes].sort((a, b) => a - b);
  const hours = [...fields.hours].sort((a, b) => a - b);
  const times: number[] = [];
  for (let day = 0; day < days; day += 1) {
    const midnight = new Date(from + day * 86_400_000);
    if (!fields.months.has(midnight.getUTCMonth() + 1) || (fields.years !== null && !fields.years.has(midnight.getUTCFullYear())) || !fields.day(midnight)) continue;
    for (const h of hours) for (const m of minutes) times.push(midnight.getTime() + (h * 60 + m) * 60_000);
  }
  return times;
}

/**
 * The lowest snapshot-loss RPO the verified-copy path can reach, in seconds: the oldest the newest
 * *verified* backup gets, just before a restore test proves a newer one. Each restore test proves the
 * newest backup taken before it (restore.ts `select`), so just before test T the newest verified
 * backup is the one the previous test proved.
 *
 * Two cron schedules (same time zone) are simulated over two years; with a `rate(...)` schedule the
 * phase between the two is unknown until deployment, so the bound is the sum of both gaps. Run
 * durations (snapshot, copy, restore, checks) come on top of this floor. Infinity when no restore
 * test ever proves a backup.
 */
export function verifiedCopyAgeFloorSeconds(backup: Schedule, restoreTest: Schedule, from: Date = new Date(Date.UTC(2026, 0, 1))): number {
  if (backup.kind !== 'cron' || restoreTest.kind !== 'cron') return longestGapSeconds(backup, from) + longestGapSeconds(restoreTest, from);
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const backups = fireTimes(backup.fields, start, 731);
  const tests = fireTimes(restoreTest.fields, start, 731);
  let verified: number | null = null;
  let next = 0; // index of the first backup not before the current test
  let worst = 0;
  let proved = 0;
  for (const test of tests) {
    while (next < backups.length && (backups[next] as number) < test) next += 1;
    // The first proof only starts the measurement: before it there is no verified backup yet.
    if (verified !== null) worst = Math.max(worst, test - verified);
    const newest = next > 0 ? (backups[next - 1] as number) : null;
    if (newest !== null && (verified === null || newest > verified)) {
      verified = newest;
      proved += 1;
    }
  }
  return proved < 2 ? Infinity : worst / 1000;
}
