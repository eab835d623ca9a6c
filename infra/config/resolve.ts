import type { DatabaseConfig, DrConfig, FailureMode, Objective, RestoreTestConfig, RetentionConfig, ScheduleConfig, Topology } from './types.ts';
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
  /** Its DB instance identifier (`<db>-dr`). */
  readonly identifier: string;
  /** The DR region it lives in. */
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
  /** The protected database's topology (instance or cluster metrics and APIs). */
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

/** What the backup capability runs on: its schedule, the retention policy, the manifest's readings. */
export interface BackupFacts {
  /** When the backup runs and which tier a run's date makes. */
  readonly schedules: Pick<ScheduleConfig, 'timezone' | 'backup' | 'tiers'>;
  /** The GFS retention settings, passed to the retention function as they are. */
  readonly retention: RetentionConfig;
  /** Reading B's bound on waiting for a transaction open across the snapshot point. */
  readonly bracketMaxWaitSeconds: number;
  /** Whether reading A digests every row (the 'table-content' check of quiet tables). */
  readonly contentDigest: boolean;
  /** Exact mode: tables whose ledgers readings A and B observe (none: off). */
  readonly exactCountTables: readonly string[];
}

/** What the restore-testing capability runs on: what a restore looks like, the checks, the schedule. */
export interface RestoreTestingFacts {
  /** What a restore is created like: engine version, class, storage. */
  readonly engine: Pick<DatabaseConfig, 'engineVersion' | 'instanceClass' | 'storageType' | 'iops'>;
  /** Restore-test settings: class, time to live, SQL assertions, bracket share, exact-mode tables. */
  readonly restoreTest: Pick<RestoreTestConfig, 'instanceClass' | 'temporaryTtlHours' | 'assertions' | 'maxBracketShare' | 'exactCounts'>;
  /** When the restore test runs, and the IANA time zone of that expression. */
  readonly schedule: { readonly expression: string; readonly timezone: string };
}

/** What the failover workflow runs on. */
export interface FailoverFacts {
  /** Start the workflow when the WriterDown alarm enters ALARM (`failover.auto`); false: notify only. */
  readonly autoFailover: boolean;
  /** Refuse a region failover when the replica is further behind, unless forced. */
  readonly maxLagOnFailoverSeconds: number;
  /** Minutes after a failover during which another is refused. */
  readonly cooldownMinutes: number;
  /** The cross-region read replica a region failover promotes; null: no region failover. */
  readonly replica: ReplicaRef | null;
}

/** The facts of one deployment, resolved once from its configuration. */
export interface Deployment {
  /** The protected database's name (`database.name`): the base of every resource name. */
  readonly databaseName: string;
  /** The protected database's topology (`database.topology`). */
  readonly topology: Topology;
  /** Region of the primary database (the database and automation stacks). */
  readonly region: string;
  /** The DR region (its key stack); null for none. */
  readonly drRegion: string | null;
  /** The three AZs of the VPC; the third hosts in-region read replicas. */
  readonly availabilityZones: readonly string[];
  /** The protected database as configured (engine, class, storage, backup windows, port, read replicas). */
  readonly database: DatabaseConfig;
  /** Object Lock default retention of the archive bucket, in days. */
  readonly archiveRetentionDays: number;
  /** The offsite recovery paths that are on. */
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
  /** What the backup capability runs on. */
  readonly backup: BackupFacts;
  /** What the restore-testing capability runs on. */
  readonly restoreTesting: RestoreTestingFacts;
  /** What the monitoring measures and alarms on. */
  readonly monitoring: MonitoringFacts;
  /** What the failover workflow runs on. */
  readonly failover: FailoverFacts;
}

/** Resolves a validated configuration into the facts of its deployment. */
export function resolveDeployment(config: DrConfig): Deployment {
  const name = config.database.name;
  const offsite = offsitePaths(config);
  const drRegion = config.dr.region;
  const replica = offsite.readReplica && drRegion !== null ? { identifier: crossRegionReplicaId(name), region: drRegion } : null;
  return {
    databaseName: name,
    topology: config.database.topology,
    region: config.region,
    drRegion,
    availabilityZones: config.availabilityZones,
    database: config.database,
    archiveRetentionDays: config.archiveRetentionDays,
    offsite,
    snapshotCopyRegion: offsite.snapshotCopy ? drRegion : null,
    backupReplicationRegion: offsite.backupReplication ? drRegion : null,
    replica,
    protectedModes: FAILURE_MODES.filter((m) => config.objectives[m] !== null),
    policyName: policyName(name),
    backup: {
      schedules: config.schedules,
      retention: config.retention,
      bracketMaxWaitSeconds: config.restoreTest.bracketMaxWaitSeconds,
      contentDigest: config.restoreTest.contentDigest,
      exactCountTables: config.restoreTest.exactCounts.tables,
    },
    restoreTesting: {
      engine: config.database,
      restoreTest: config.restoreTest,
      schedule: { expression: config.schedules.restoreTest, timezone: config.schedules.timezone },
    },
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
    failover: {
      autoFailover: config.failover.auto,
      maxLagOnFailoverSeconds: config.failover.maxLagOnFailoverSeconds,
      cooldownMinutes: config.failover.cooldownMinutes,
      replica,
    },
  };
}
