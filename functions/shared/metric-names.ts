/**
 * Every CloudWatch metric the DR system publishes, in one module: the handlers publish
 * them and the monitoring stack builds alarms and dashboards on the same names.
 * Names are nouns of what is measured; one dimension, `Database`, per protected database
 * (plus `FailureMode` on the per-mode RPO/RTO metrics).
 */
export const METRIC_NAMESPACE = 'RdsDr';

/** Metric names and their units. */
export const METRICS = {
  // Backup pipeline.
  BackupSucceeded: 'Count',
  BackupFailed: 'Count',
  BackupDurationSeconds: 'Seconds',
  LatestSnapshotAgeSeconds: 'Seconds',
  ManagedSnapshotCount: 'Count',
  SnapshotQuotaUsedRatio: 'None',
  RetentionDeletedSnapshots: 'Count',
  RetentionSafetyHold: 'Count',
  /** 1 when the backup's manifest has no heartbeat: a restore test of it cannot prove the recovered point. */
  ManifestWithoutHeartbeat: 'Count',
  /** Unlogged tables in the backup's manifest: their rows are in no snapshot. */
  UnloggedTables: 'Count',
  /** 1 when reading B gave up waiting for a transaction open across the snapshot point. */
  BracketUnsettled: 'Count',
  // Restore tests and point-in-time restore.
  VerificationPassed: 'Count',
  /** 1 when a restore test could not be judged (a check that could not run, an unsound bracket). */
  VerificationInconclusive: 'Count',
  RestoreDurationSeconds: 'Seconds',
  VerifiedSnapshotAgeSeconds: 'Seconds',
  RecoveredDataAgeSeconds: 'Seconds',
  LeakedTemporaryInstances: 'Count',
  // Probe and failover.
  WriterHealthy: 'Count',
  ProbeLatencyMs: 'Milliseconds',
  ReplicaHeartbeatAgeSeconds: 'Seconds',
  FailoverDurationSeconds: 'Seconds',
  FailoverDataLossSeconds: 'Seconds',
  // Recovery objectives.
  PitrLagSeconds: 'Seconds',
  LatestVerifiedSnapshotAgeSeconds: 'Seconds',
  LatestOffsiteCopyAgeSeconds: 'Seconds',
  RpoSeconds: 'Seconds',
  RpoTargetSeconds: 'Seconds',
  RtoTargetSeconds: 'Seconds',
} as const;

/** A metric name. */
export type MetricName = keyof typeof METRICS;

/** Dimension names. */
export const DIMENSIONS = { database: 'Database', failureMode: 'FailureMode', service: 'service' } as const;

/**
 * Value of the `service` dimension. Powertools Metrics adds `service` (its `serviceName`,
 * shared/powertools.ts) as a default dimension to every metric it publishes, and CloudWatch
 * matches a metric on its full dimension set: alarms and metric reads must name it too.
 */
export const METRIC_SERVICE = 'rds-dr';
