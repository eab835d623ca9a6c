/**
 * rpo-monitor λ (EventBridge Scheduler, every minute): measures what each failure mode would lose
 * now and publishes it, with the targets beside it, for the RPO alarms and the dashboard.
 *
 * Publishes, with the `Database` dimension: PitrLagSeconds, LatestSnapshotAgeSeconds,
 * LatestVerifiedSnapshotAgeSeconds, LatestOffsiteCopyAgeSeconds; and per protected failure mode
 * (dimension `FailureMode` = az | region | corruption | snapshot-loss): RpoSeconds, RpoTargetSeconds,
 * RtoTargetSeconds. How each value is derived: functions/domain/rpo/objectives.ts.
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
import { CloudWatchMetricSource } from '../../adapters/cloudwatch/metric-source.ts';
import { controlPlaneFor } from '../../adapters/rds/control-plane.ts';
import { FAILURE_MODES, measureRecoveryPoints, rpoDatapoints, type RpoDatapoint, type RpoMeasurement } from '../../domain/rpo/objectives.ts';
import { MeasurementIncompleteError } from '../../shared/errors.ts';
import { readEvent } from '../../contracts/events/read.ts';
import { RPO_MONITOR_EVENT } from '../../contracts/events/rpo-monitor.ts';
import { drHandler } from '../../shared/handler.ts';
import { DIMENSIONS, METRICS } from '../../shared/metric-names.ts';
import { logger, metrics } from '../../shared/powertools.ts';
import { rpoMonitorConfigFromEnv, type RpoMonitorDeps, type UnreadSource } from './config.ts';
import { readSources } from './sources.ts';

export { rpoMonitorConfigFromEnv, type RpoMonitorConfig, type RpoMonitorDeps, type UnreadSource } from './config.ts';

const config = rpoMonitorConfigFromEnv();

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
  // Checked only: the log key `scheduledAt` comes from the handler's middleware.
  readEvent(RPO_MONITOR_EVENT, event);
  const now = deps.now();
  const { observations, unread } = await readSources(deps, config, now);

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
    // One error line, logged by drHandler with the sources in its message: not a second one here.
    throw new MeasurementIncompleteError(`not read: ${unread.map((u) => `${u.source} (${u.error.name}: ${u.error.message})`).join('; ')}`);
  }
  return { database: config.databaseId, measurement, published, unread };
}

/**
 * The Lambda entry point (functions/shared/handler.ts): keys `database` and `scheduledAt`, no
 * execution; the `Database` default dimension, inherited by the per-mode single metrics.
 */
export const handler = drHandler({ name: 'rpo-monitor', database: config.databaseId, executionArn: null, keys: { scheduledAt: 'manual' } }, (event) => core(event));
