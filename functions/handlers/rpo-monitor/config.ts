/** The RPO monitor's configuration, read from its environment at cold start, and what it acts through. */
import { objectivesProblems, parseOffsitePaths, type OffsitePaths, type RecoveryObjectives, type RpoDatapoint } from '../../domain/rpo.ts';
import type { DatabaseControlPlane, Topology } from '../../ports/database-control-plane.ts';
import type { MetricSource } from '../../ports/metric-source.ts';
import { envTopology, failOnProblems, requireEnv } from '../../shared/env.ts';

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
