import type { DrConfig, FailureMode, Objective, Topology } from './types.ts';
import { FAILURE_MODES } from './types.ts';

/**
 * The configuration resolved once into the facts the stacks and constructs need, so no construct
 * derives them from the whole {@link DrConfig} again (and no two derive them differently).
 */

/** Which offsite recovery paths this deployment has (each needs a DR region and the instance topology). */
export interface OffsitePaths {
  /** A cross-region read replica to promote on region loss. */
  readonly readReplica: boolean;
  /** Automated backups replicated to the DR region (point-in-time restore there). */
  readonly backupReplication: boolean;
  /** Each managed snapshot copied to the DR region. */
  readonly snapshotCopy: boolean;
}

/**
 * The offsite paths that are on: a flag counts only with a DR region and the instance topology
 * (RDS copies nothing of a Multi-AZ DB cluster to another region). Validation refuses a flag
 * without them; this also holds for configurations not validated yet (objective floors).
 */
export function offsitePaths(config: DrConfig): OffsitePaths {
  const hasDr = config.dr.region !== null && config.database.topology !== 'multi-az-cluster';
  return {
    readReplica: hasDr && Boolean(config.dr.readReplica),
    backupReplication: hasDr && Boolean(config.dr.backupReplication),
    snapshotCopy: hasDr && Boolean(config.dr.snapshotCopy),
  };
}

/** The cross-region read replica's identifier, by convention: `<db>-dr`. */
export function crossRegionReplicaId(databaseName: string): string {
  return `${databaseName}-dr`;
}

/** The cross-region read replica promoted by a region failover. */
export interface ReplicaRef {
  readonly identifier: string;
  readonly region: string;
  /** Its endpoint address; the probe's REPLICA_HOST is the same. */
  readonly endpoint?: string;
}

/** Alias of the DR-region key; the primary region refers to it by name, not by a cross-region reference. */
export function drKeyAlias(databaseName: string): string {
  return `alias/${databaseName}-dr`;
}

/** The retention policy name written to `dr:policy` and read back by retention. */
export function policyName(databaseName: string): string {
  return `${databaseName}-gfs`;
}

/** What the monitoring measures and alarms on, from the configuration. */
export interface MonitoringFacts {
  /** The protected database's name: the `Database` metric dimension and the alarm name prefix. */
  readonly databaseName: string;
  readonly topology: Topology;
  /** The offsite paths the RPO monitor measures (and grants reads for). */
  readonly offsite: OffsitePaths;
  /** The DR region the RPO monitor reads (snapshot copies or replicated backups); null when neither path is on. */
  readonly offsiteRegion: string | null;
  /** Targets per failure mode; null for a knowingly unprotected mode (no RPO/RTO alarm, no dashboard graph). */
  readonly objectives: Readonly<Record<FailureMode, Objective | null>>;
  /** The backup schedule expression: its longest gap sets "backup missing". */
  readonly backupSchedule: string;
  /** Hours after which no verified snapshot means "verification stale". */
  readonly maxVerifiedAgeHours: number;
  /** Manual snapshots to leave free under the quota. */
  readonly quotaHeadroom: number;
  /** Whether WriterDown starts a failover (its description says so). */
  readonly autoFailover: boolean;
  /** The replica lag beyond which a region failover is refused: the ReplicaLagHigh threshold. */
  readonly maxLagOnFailoverSeconds: number;
  /**
   * Email addresses subscribed to the alarm topic.
   * @default none
   */
  readonly notificationEmails?: readonly string[];
}

/** The facts of one deployment, resolved once from its configuration. */
export interface Deployment {
  readonly databaseName: string;
  readonly topology: Topology;
  readonly offsite: OffsitePaths;
  /** The DR region snapshot copies go to; null when `snapshotCopy` is off. */
  readonly snapshotCopyRegion: string | null;
  /** The DR region automated backups are replicated to; null when `backupReplication` is off. */
  readonly backupReplicationRegion: string | null;
  /** The cross-region read replica a region failover promotes; null when `readReplica` is off. */
  readonly replica: ReplicaRef | null;
  /** The failure modes with objectives (the others are knowingly unprotected). */
  readonly protectedModes: readonly FailureMode[];
  /** The retention policy name (`dr:policy`). */
  readonly policyName: string;
  readonly monitoring: MonitoringFacts;
}

/** Resolves a validated configuration into the facts of its deployment. */
export function resolveDeployment(config: DrConfig): Deployment {
  const name = config.database.name;
  const offsite = offsitePaths(config);
  const drRegion = config.dr.region;
  return {
    databaseName: name,
    topology: config.database.topology,
    offsite,
    snapshotCopyRegion: offsite.snapshotCopy ? drRegion : null,
    backupReplicationRegion: offsite.backupReplication ? drRegion : null,
    replica: offsite.readReplica && drRegion !== null ? { identifier: crossRegionReplicaId(name), region: drRegion } : null,
    protectedModes: FAILURE_MODES.filter((m) => config.objectives[m] !== null),
    policyName: policyName(name),
    monitoring: {
      databaseName: name,
      topology: config.database.topology,
      offsite,
      offsiteRegion: offsite.backupReplication || offsite.snapshotCopy ? drRegion : null,
      objectives: config.objectives,
      backupSchedule: config.schedules.backup,
      maxVerifiedAgeHours: config.retention.maxVerifiedAgeHours,
      quotaHeadroom: config.retention.quotaHeadroom,
      autoFailover: config.failover.auto,
      maxLagOnFailoverSeconds: config.failover.maxLagOnFailoverSeconds,
      notificationEmails: config.notificationEmails,
    },
  };
}
