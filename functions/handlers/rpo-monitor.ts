/**
 * rpo-monitor λ (EventBridge Scheduler, every minute): measures what each failure mode would lose
 * now and publishes it, with the targets beside it, for the RPO alarms and the dashboard.
 *
 * Publishes, with the `Database` dimension: PitrLagSeconds, LatestSnapshotAgeSeconds,
 * LatestVerifiedSnapshotAgeSeconds, LatestOffsiteCopyAgeSeconds; and per protected failure mode
 * (dimension `FailureMode` = az | region | corruption | snapshot-loss): RpoSeconds, RpoTargetSeconds,
 * RtoTargetSeconds. How each value is derived: functions/domain/rpo.ts.
 *
 * A value that cannot be measured is not published (never published as 0): the RPO alarms treat
 * missing data as breaching, so a blind or stopped monitor is a breach. When a source could not be
 * read the function publishes what it could and then throws MeasurementIncompleteError, so its
 * Lambda errors alarm names the cause. A database RDS reports as not found is a measurement (no
 * PITR, no standby), not an error.
 *
 * Event: `{ "scheduledAt"?: ISO-8601 }` (EventBridge Scheduler's `<aws.scheduler.scheduled-time>`, for logs).
 * Environment (read at cold start; a missing or invalid one fails it, naming the variable):
 * - `AWS_REGION`, `DATABASE_ID`, `TOPOLOGY`;
 * - `DR_REGION`: the DR region, or `none`;
 * - `OFFSITE_PATHS`: `none` or a comma-separated list of `read-replica`, `backup-replication`, `snapshot-copy`;
 * - `OBJECTIVES`: JSON of the configuration's `objectives` (null for an unprotected mode).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { CloudWatchMetricSource } from '../adapters/cloudwatch/metric-source.ts';
import { controlPlaneFor } from '../adapters/rds/control-plane.ts';
import {
  FAILURE_MODES,
  measureRecoveryPoints,
  objectivesProblems,
  parseOffsitePaths,
  REPLICA_HEARTBEAT_MAX_AGE_SECONDS,
  rpoDatapoints,
  type DatabaseObservation,
  type OffsitePaths,
  type RecoveryObjectives,
  type RpoDatapoint,
  type RpoMeasurement,
  type ReplicaHeartbeatReading,
} from '../domain/rpo.ts';
import type { DatabaseControlPlane, Snapshot, Topology } from '../ports/database-control-plane.ts';
import type { MetricSource } from '../ports/metric-source.ts';
import { envTopology, failOnProblems, requireEnv } from '../shared/env.ts';
import { ConfigurationError, DatabaseNotFoundError, MeasurementIncompleteError } from '../shared/errors.ts';
import { DIMENSIONS, METRICS } from '../shared/metric-names.ts';
import { drHandler } from '../shared/handler.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { EventReader } from '../shared/validate.ts';

/** The monitor's configuration, from its environment. */
export interface RpoMonitorConfig {
  readonly region: string;
  readonly databaseId: string;
  readonly topology: Topology;
  /** The DR region, or null (`DR_REGION=none`). */
  readonly drRegion: string | null;
  readonly paths: OffsitePaths;
  readonly objectives: RecoveryObjectives;
}

/**
 * Reads and validates the environment. Backup replication and snapshot copies are read in the DR
 * region, so they need `DR_REGION`; the replica's heartbeat is read from CloudWatch in this region.
 *
 * @throws ConfigurationError naming every missing or bad variable
 */
export function rpoMonitorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RpoMonitorConfig {
  const e = requireEnv(['AWS_REGION', 'DATABASE_ID', 'TOPOLOGY', 'DR_REGION', 'OFFSITE_PATHS', 'OBJECTIVES'], env);
  const problems: string[] = [];
  const topology: Topology = envTopology(e.TOPOLOGY, problems);
  const paths = parseOffsitePaths(e.OFFSITE_PATHS);
  if (typeof paths === 'string') problems.push(`OFFSITE_PATHS: ${paths}`);
  else if ((paths.backupReplication || paths.snapshotCopy) && e.DR_REGION === 'none') problems.push('DR_REGION: required (not none) with backup-replication or snapshot-copy in OFFSITE_PATHS');
  let objectives: unknown = null;
  try {
    objectives = JSON.parse(e.OBJECTIVES);
    problems.push(...objectivesProblems(objectives).map((p) => `OBJECTIVES: ${p}`));
  } catch (error) {
    problems.push(`OBJECTIVES: not valid JSON (${(error as Error).message})`);
  }
  failOnProblems(problems);
  return {
    region: e.AWS_REGION,
    databaseId: e.DATABASE_ID,
    topology,
    drRegion: e.DR_REGION === 'none' ? null : e.DR_REGION,
    paths: paths as OffsitePaths,
    objectives: objectives as RecoveryObjectives,
  };
}

const config = rpoMonitorConfigFromEnv();

/** What the handler acts through; module-scope clients by default, injectable in tests. */
export interface RpoMonitorDeps {
  readonly primary: DatabaseControlPlane;
  /** The DR region's control plane; null without one. */
  readonly dr: DatabaseControlPlane | null;
  /** Where the probe's replica heartbeat age is read; null without a cross-region replica. */
  readonly metricSource: MetricSource | null;
  readonly now: () => Date;
  /** Adds one datapoint to this invocation's EMF output. */
  readonly publish: (point: RpoDatapoint) => void;
}

/**
 * Publishes one datapoint through Powertools. Per-mode values need their own dimension set
 * (`FailureMode` beside the defaults), which in EMF means their own document: a single metric.
 */
export function publishDatapoint(point: RpoDatapoint): void {
  if (point.failureMode === null) {
    metrics.addMetric(point.name, METRICS[point.name], point.value);
    return;
  }
  const single = metrics.singleMetric();
  single.addDimension(DIMENSIONS.failureMode, point.failureMode);
  single.addMetric(point.name, METRICS[point.name], point.value);
}

const defaults: RpoMonitorDeps = {
  primary: controlPlaneFor(config.topology, new RDSClient({ region: config.region }), config.region),
  dr: config.drRegion === null ? null : controlPlaneFor(config.topology, new RDSClient({ region: config.drRegion }), config.drRegion),
  metricSource: config.paths.readReplica ? new CloudWatchMetricSource(new CloudWatchClient({ region: config.region }), config.databaseId) : null,
  now: () => new Date(),
  publish: publishDatapoint,
};

/** A source the monitor could not read, and why. */
export interface UnreadSource {
  readonly source: 'database' | 'primary-snapshots' | 'offsite-snapshots' | 'replicated-backups' | 'replica-heartbeat';
  readonly error: { readonly name: string; readonly message: string };
}

/** What one run measured, published and could not read. */
export interface RpoMonitorOutput {
  readonly database: string;
  readonly measurement: RpoMeasurement;
  readonly published: readonly RpoDatapoint[];
  readonly unread: readonly UnreadSource[];
}

/**
 * Validates the event, reads every source, measures, publishes.
 *
 * 1. Validate the event (an object; `scheduledAt` optional).
 * 2. Read in parallel: the database; its manual snapshots here and (with snapshot copies) in the DR
 *    region; the replica heartbeat age (with a replica); then, once the database's ARN is known, the
 *    backups replicated into the DR region (with backup replication). A failed read leaves its
 *    source unread; a database RDS does not find is observed as gone.
 * 3. Measure at `now` ({@link measureRecoveryPoints}) and publish every measured value and target.
 * 4. Throw MeasurementIncompleteError when a source was unread, after publishing the rest.
 */
export async function core(event: unknown, deps: RpoMonitorDeps = defaults): Promise<RpoMonitorOutput> {
  const input = new EventReader(event);
  // Checked only: the log key `scheduledAt` comes from the handler's middleware.
  if (input.has('scheduledAt')) input.instant('scheduledAt');
  input.done();
  const now = deps.now();
  const unread: UnreadSource[] = [];
  const read = async <T>(source: UnreadSource['source'], fn: () => Promise<T>): Promise<{ source: UnreadSource['source']; value: T } | { source: UnreadSource['source']; error: unknown }> => {
    try {
      return { source, value: await fn() };
    } catch (error) {
      return { source, error };
    }
  };

  const databaseRead = read('database', async (): Promise<DatabaseObservation> => {
    try {
      return { kind: 'found', state: await deps.primary.describeDatabase(config.databaseId) };
    } catch (error) {
      if (error instanceof DatabaseNotFoundError) return { kind: 'not-found' };
      throw error;
    }
  });
  const dr = deps.dr;
  const [database, primarySnapshots, offsiteSnapshots, replicaHeartbeat, replicatedBackups] = await Promise.all([
    databaseRead,
    read('primary-snapshots', () => deps.primary.listManualSnapshots(config.databaseId)),
    config.paths.snapshotCopy && dr !== null ? read('offsite-snapshots', () => dr.listManualSnapshots(config.databaseId)) : null,
    config.paths.readReplica && deps.metricSource !== null ? read('replica-heartbeat', () => readReplicaHeartbeat(deps.metricSource as MetricSource, now)) : null,
    config.paths.backupReplication && dr !== null
      ? databaseRead.then((db) => {
          // The replicated backups are found by the source's ARN, which only DescribeDB* gives.
          const found = 'value' in db && db.value.kind === 'found' ? db.value.state : null;
          return found === null ? null : read('replicated-backups', () => dr.replicatedBackupRestorableTime(found.arn));
        })
      : null,
  ]);

  const valueOf = <T>(result: { value: T } | { source: UnreadSource['source']; error: unknown } | null): T | null => {
    if (result === null) return null;
    if ('value' in result) return result.value;
    const error = result.error instanceof Error ? result.error : new Error(String(result.error));
    unread.push({ source: result.source, error: { name: error.name, message: error.message } });
    return null;
  };
  const observations = {
    now,
    database: valueOf<DatabaseObservation>(database) ?? ({ kind: 'unread' } as const),
    primarySnapshots: valueOf<Snapshot[]>(primarySnapshots),
    offsiteSnapshots: valueOf<Snapshot[]>(offsiteSnapshots),
    replicaHeartbeat: valueOf<ReplicaHeartbeatReading | null>(replicaHeartbeat),
    replicatedBackupLatest: valueOf<Date | null>(replicatedBackups),
  };

  const measurement = measureRecoveryPoints(observations, config.objectives, config.paths);
  const published = rpoDatapoints(measurement, config.objectives);
  for (const point of published) deps.publish(point);

  for (const mode of FAILURE_MODES) {
    const value = measurement.rpo[mode];
    if (value === undefined) continue;
    const target = config.objectives[mode]?.rpoSeconds ?? null;
    const line = `RPO ${mode}: ${value.seconds === null ? 'unmeasured' : `${value.seconds} s`} (target ${target} s), ${value.basis}: ${value.detail}`;
    if (value.seconds === null || (target !== null && value.seconds > target)) logger.warn(line);
    else logger.info(line);
  }
  if (unread.length > 0) {
    logger.error('sources not read; their values are not published', { unread });
    throw new MeasurementIncompleteError(`not read: ${unread.map((u) => `${u.source} (${u.error.name}: ${u.error.message})`).join('; ')}`);
  }
  return { database: config.databaseId, measurement, published, unread };
}

/** The newest replica heartbeat age the probe published in the last few minutes. */
async function readReplicaHeartbeat(source: MetricSource, now: Date): Promise<ReplicaHeartbeatReading | null> {
  const reading = await source.newest('ReplicaHeartbeatAgeSeconds', new Date(now.getTime() - REPLICA_HEARTBEAT_MAX_AGE_SECONDS * 1000), now);
  return reading === null ? null : { ageSeconds: reading.value, at: reading.at };
}

/**
 * The Lambda entry point (functions/shared/handler.ts): keys `database` and `scheduledAt`, no
 * execution; the `Database` default dimension, inherited by the per-mode single metrics.
 */
export const handler = drHandler({ name: 'rpo-monitor', database: config.databaseId, executionArn: null, keys: { scheduledAt: 'manual' } }, (event) => core(event));
