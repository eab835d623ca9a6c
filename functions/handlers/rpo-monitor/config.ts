/** The RPO monitor's configuration, read from its environment at cold start, and what it acts through. */
import { parseEnv } from '../../contracts/env-schema.ts';
import { RPO_MONITOR_ENV } from '../../contracts/env/rpo-monitor.ts';
import type { OffsitePaths, RecoveryObjectives, RpoDatapoint } from '../../domain/rpo/objectives.ts';
import type { DatabaseControlPlane, Topology } from '../../ports/database-control-plane.ts';
import type { MetricSource } from '../../ports/metric-source.ts';

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
 * Declared once as RPO_MONITOR_ENV (functions/contracts/environment.ts), which infra checks at synth.
 *
 * @throws ConfigurationError naming every missing or bad variable
 */
export function rpoMonitorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RpoMonitorConfig {
  const e = parseEnv(RPO_MONITOR_ENV, env);
  return { region: e.AWS_REGION, databaseId: e.DATABASE_ID, topology: e.TOPOLOGY, drRegion: e.DR_REGION, paths: e.OFFSITE_PATHS, objectives: e.OBJECTIVES };
}

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

/** A source the monitor could not read, and why. */
export interface UnreadSource {
  readonly source: 'database' | 'primary-snapshots' | 'offsite-snapshots' | 'replicated-backups' | 'replica-heartbeat';
  readonly error: { readonly name: string; readonly message: string };
}
