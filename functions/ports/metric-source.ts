/**
 * The port to metrics other functions published: the RPO monitor reads the probe's replica
 * heartbeat age through it instead of connecting to the replica itself (the probe runs in the
 * VPC; the monitor does not).
 */
import type { MetricName } from '../shared/metric-names.ts';

/** One aggregated value of a metric and the start of its period. */
export interface MetricReading {
  readonly value: number;
  readonly at: Date;
}

/** Reads the protected database's own metrics (namespace, `service` and `Database` dimensions fixed). */
export interface MetricSource {
  /** The newest one-minute Maximum of the metric in [since, until], or null when it has no data there. */
  newest(name: MetricName, since: Date, until: Date): Promise<MetricReading | null>;
}
