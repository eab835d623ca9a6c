/**
 * The typed configuration of one protected database.
 *
 * A configuration file (JSON) holds a partial {@link DrConfigInput}; `applyDefaults`
 * fills every missing field (defaults live in `defaults.ts` only) and `validateConfig`
 * checks the result, listing every problem at once: the shape by the one schema of `schema.ts`,
 * then the cross-field rules of `validate.ts`.
 */

import type { Topology } from '../../functions/ports/database-control-plane.ts';
import type { RetentionSettings } from '../../functions/domain/retention/model.ts';
import type { RecoveryObjective, RecoveryObjectives } from '../../functions/domain/rpo/objectives.ts';

/** Deployment topology (declared with the control-plane port); see docs/architecture.md for the capability matrix. */
export type { Topology };
/** Failure modes with their own recovery path and objectives (declared with the recovery objectives). */
export { FAILURE_MODES, type FailureMode } from '../../functions/domain/rpo/objectives.ts';

/** Recovery objectives of one failure mode, in seconds (declared with the recovery objectives). */
export type Objective = RecoveryObjective;

/** The protected database. */
export interface DatabaseConfig {
  /**
   * Database name and the base of every resource name (DB identifier, snapshot ids).
   * Lower-case letters, digits and hyphens; starts with a letter.
   * @default "swifteats"
   */
  readonly name: string;
  /**
   * Full PostgreSQL engine version.
   * @default "18.3"
   */
  readonly engineVersion: string;
  /** @default "multi-az-instance" */
  readonly topology: Topology;
  /**
   * DB instance class (writer, standbys and replicas).
   * @default "db.m7g.large" (instance); a Multi-AZ DB cluster needs a class that cluster supports
   */
  readonly instanceClass: string;
  /**
   * Storage type. A Multi-AZ DB cluster needs `io1`, `io2` or `gp3`.
   * @default "gp3"
   */
  readonly storageType: 'gp3' | 'io1' | 'io2';
  /** @default 100 */
  readonly allocatedStorageGiB: number;
  /**
   * Storage autoscaling ceiling (instance topology only; ignored by the cluster).
   * @default 500
   */
  readonly maxAllocatedStorageGiB: number;
  /**
   * Provisioned IOPS; required for io1/io2, optional for gp3.
   * @default undefined (gp3 baseline)
   */
  readonly iops?: number;
  /**
   * In-region read replicas (instance topology). A Multi-AZ DB cluster already has two readable standbys.
   * @default 0
   */
  readonly readReplicas: number;
  /**
   * Days of automated backups, the point-in-time-restore window (1 to 35; 0 would disable PITR).
   * @default 14
   */
  readonly backupRetentionDays: number;
  /** UTC window for automated backups, `hh:mm-hh:mm`. @default "01:00-01:30" */
  readonly preferredBackupWindow: string;
  /** UTC weekly maintenance window, `ddd:hh:mm-ddd:hh:mm`. @default "sun:03:00-sun:03:30" */
  readonly preferredMaintenanceWindow: string;
  /** @default 5432 */
  readonly port: number;
  /** Master user name (its password is managed by RDS in Secrets Manager and rotated). @default "dr_admin" */
  readonly masterUsername: string;
}

/** Disaster-recovery region and what goes there. */
export interface DrRegionConfig {
  /**
   * DR region, or null for none (then region loss and snapshot loss are unprotected and
   * their objectives must be null).
   * @default "eu-central-1"
   */
  readonly region: string | null;
  /** Copy each snapshot to the DR region (instance topology only). @default true */
  readonly snapshotCopy: boolean;
  /** Replicate automated backups to the DR region for PITR there (instance topology only). @default true */
  readonly backupReplication: boolean;
  /** Keep a cross-region read replica to promote on region loss (instance topology only). @default false */
  readonly readReplica: boolean;
}

/** When jobs run. Expressions are EventBridge Scheduler `cron(...)` or `rate(...)`. */
export interface ScheduleConfig {
  /** IANA time zone of the cron expressions. @default "UTC" */
  readonly timezone: string;
  /** The backup run (one snapshot; its tier comes from the date, see `tiers`). @default "cron(0 2 * * ? *)" */
  readonly backup: string;
  /** The restore test of the newest backup. @default "cron(0 6 * * ? *)" */
  readonly restoreTest: string;
  /** Snapshot tiers: the highest tier whose rule matches the run's local date wins. */
  readonly tiers: {
    /** Day of week of the weekly tier. @default "SUN" */
    readonly weeklyOn: 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';
    /** Day of month of the monthly tier. @default 1 */
    readonly monthlyOnDay: number;
    /** Month-day (`MM-DD`) of the yearly tier. @default "01-01" */
    readonly yearlyOn: string;
  };
}

/**
 * Grandfather-father-son retention: how many snapshots of each tier to keep. Declared once with the
 * retention use case, which receives exactly this (`RetentionSettings`, each field with its default).
 */
export type RetentionConfig = RetentionSettings;

/** Restore tests (the verify workflow). */
export interface RestoreTestConfig {
  /**
   * Class of the temporary restored instance; null uses the database's own class
   * (the restore duration measured then is the real RTO of a restore).
   * @default null
   */
  readonly instanceClass: string | null;
  /** Hours a temporary database may live before the sweeper deletes it. @default 6 */
  readonly temporaryTtlHours: number;
  /**
   * SQL assertions run read-only against every restore:
   * `{ name, query, expect: { equals | atLeast | atMost | between }, timeoutSeconds? }`.
   * @default []
   */
  readonly assertions: readonly unknown[];
  /**
   * A table whose row-count bracket (the rows written between the manifest's two readings) is wider
   * than this share of its rows is flagged in the report: the check could miss that much loss.
   * @default 0.05
   */
  readonly maxBracketShare: number;
  /**
   * Seconds the backup's reading B waits for transactions open across the snapshot point before it
   * is read unsettled (the restore test is then inconclusive). @default 300
   */
  readonly bracketMaxWaitSeconds: number;
  /**
   * Whether the backup's reading A digests every row of every counted table, so a restore test can
   * prove the unwritten ("quiet") tables row for row (docs/restore.md, 'table-content'). Costs 0.85
   * to 2.6 s per million rows on the production database at backup time (`node bench/content.ts`);
   * turn it off above about 100 million rows, where that approaches the manifest function's 15 minutes. The column tallies are taken either way. @default true
   */
  readonly contentDigest: boolean;
  /**
   * Exact mode (docs/restore.md, "Exact mode"): tables (`schema.table`) whose restored row count
   * must equal a row-count ledger kept by triggers in the database. Opt-in and invasive: the ledger
   * is installed by an operator (`npm run dr -- ledger install`), only on the tables listed here.
   * @default { tables: [] }
   */
  readonly exactCounts: { readonly tables: readonly string[] };
}

/** Failover behaviour. */
export interface FailoverConfig {
  /** Start the failover workflow on the WriterDown alarm (false: notify only). @default false */
  readonly auto: boolean;
  /** Refuse a region failover when the replica is further behind than this, unless forced. @default 60 */
  readonly maxLagOnFailoverSeconds: number;
  /** Minutes after a failover during which another is refused. @default 30 */
  readonly cooldownMinutes: number;
}

/** The complete configuration, every field set. */
export interface DrConfig {
  /** Region of the primary database. @default "eu-west-1" */
  readonly region: string;
  /** The three AZs of the VPC. @default [`${region}a`, `${region}b`, `${region}c`] */
  readonly availabilityZones: readonly string[];
  readonly database: DatabaseConfig;
  readonly dr: DrRegionConfig;
  /** Targets per failure mode; null means the mode is knowingly unprotected (only without a DR region). */
  readonly objectives: RecoveryObjectives;
  readonly schedules: ScheduleConfig;
  readonly retention: RetentionConfig;
  /** Email addresses subscribed to alarm notifications. @default [] */
  readonly notificationEmails: readonly string[];
  readonly failover: FailoverConfig;
  readonly restoreTest: RestoreTestConfig;
  /** Object Lock default retention of the archive bucket, in days. @default 365 */
  readonly archiveRetentionDays: number;
}

/** What a configuration file may contain: any subset of {@link DrConfig}. */
export type DrConfigInput = DeepPartial<DrConfig>;

/** Recursive partial, arrays taken whole. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;
