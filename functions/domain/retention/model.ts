/**
 * The retention model: the policy, a snapshot as the planner sees it, and the plan it returns
 * (decisions with stable reason codes, alarms, quota figures, anchors). Types and constants only;
 * imports nothing, so the planner, the run, the handler, the bench and the tests share it.
 */

/**
 * A retention policy. Counts are whole numbers; see {@link validateRetentionPolicy}.
 */
export interface RetentionPolicy {
  /** The policy's name; only snapshots tagged `dr:policy` with exactly this value are governed by it. */
  readonly name: string;
  /** Newest snapshots of tier daily or above to keep. */
  readonly daily: number;
  /** Newest snapshots of tier weekly or above to keep. */
  readonly weekly: number;
  /** Newest snapshots of tier monthly or above to keep. */
  readonly monthly: number;
  /** Newest yearly snapshots to keep. */
  readonly yearly: number;
  /** Manual, available snapshots under this policy that each database keeps whatever the tiers say (at least 1). */
  readonly minimumCount: number;
  /**
   * When the newest verified snapshot of a database was created longer ago than this,
   * its backups or restore tests are failing and its expiry freezes. Set it above the
   * restore-test interval plus one restore's duration.
   */
  readonly maxVerifiedAgeHours: number;
  /** The account's manual-snapshot quota in this region. */
  readonly quota: {
    /** The quota (RDS `ManualSnapshots` max; 100 by default). */
    readonly max: number;
    /** Manual snapshots to leave free for the next backups and copies; alarm when fewer remain. 0 alarms only when the quota is reached. */
    readonly headroom: number;
    /**
     * Manual snapshots in use account-wide (RDS `DescribeAccountAttributes`
     * `ManualSnapshots.Used`). Absent: the planner counts its input's non-automated
     * snapshots. When both are known the larger wins, so the alarm errs early.
     */
    readonly used?: number;
  };
}

/** One snapshot as the planner sees it: the same shape for instance and cluster snapshots. */
export interface SnapshotRecord {
  /** Snapshot identifier, unique in the account and region. */
  readonly id: string;
  /** Identifier of the source DB instance or cluster; tiers and safety rules apply per database. */
  readonly database: string;
  /**
   * Creation time: a Date, or an ISO 8601 string with a zone (a zoneless time would depend on
   * the machine's zone); null when RDS reports none (a snapshot that is not yet available).
   */
  readonly createdAt: Date | string | null;
  /**
   * When the snapshot's data was captured, in the same forms; absent or null: `createdAt`.
   * For a copy this is the source's time, which `createdAt` (the copy's start) is not.
   */
  readonly dataTime?: Date | string | null;
  /** A temporary database a restore test is restoring from this snapshot (its id), while it exists. */
  readonly restoreTest?: string | null;
  /** This snapshot's copy in the DR region, when one exists: its RDS status. */
  readonly offsiteCopy?: { readonly region: string; readonly status: string } | null;
  /** RDS status; only `available` snapshots are candidates. */
  readonly status: string;
  /** RDS snapshot type: `manual`, `automated`, `shared`, `public`, `awsbackup`. Only `manual` is a candidate; all but `automated` count toward the quota. */
  readonly type: string;
  /** Tags, key to value. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Stable reason codes, in the order they are reported on a decision. */
export const RETENTION_REASON_CODES = [
  // A snapshot that is not a candidate is kept for each of these.
  'not-manual',
  'unmanaged',
  'legal-hold',
  'other-policy',
  'not-available',
  'unknown-tier',
  'unknown-verification',
  'invalid-created-at',
  // A candidate is kept for each of these.
  'newest-verified',
  'newer-than-verified',
  'restore-test-in-progress',
  'copy-in-progress',
  'tier-daily',
  'tier-weekly',
  'tier-monthly',
  'tier-yearly',
  'expiry-frozen',
  'minimum-count',
  // A candidate is deleted for these.
  'verification-failed',
  'outside-retention',
] as const;
/** A machine-readable reason for a decision. */
export type RetentionReasonCode = (typeof RETENTION_REASON_CODES)[number];

/** What the planner decided for one snapshot. */
export interface RetentionDecision {
  /** The snapshot identifier. */
  readonly id: string;
  /** The source database. */
  readonly database: string;
  /** What to do with it. */
  readonly action: 'keep' | 'delete';
  /** Why, as stable codes (at least one), in {@link RETENTION_REASON_CODES} order. */
  readonly codes: readonly RetentionReasonCode[];
  /** Why, for people: `reasons[i]` is `"<codes[i]>: <explanation>"`. */
  readonly reasons: readonly string[];
}

/** Stable alarm codes. */
export const RETENTION_ALARM_CODES = [
  'no-verified-snapshot',
  'verification-stale',
  'minimum-count-engaged',
  'unclassifiable-snapshots',
  'quota-near',
  'quota-reached',
] as const;
/** A machine-readable alarm code. */
export type RetentionAlarmCode = (typeof RETENTION_ALARM_CODES)[number];

/** A condition an operator must hear about; the handler publishes it as a metric and a log line. */
export interface RetentionAlarm {
  /** What is wrong. */
  readonly code: RetentionAlarmCode;
  /** The database it concerns; null for the account-wide quota. */
  readonly database: string | null;
  /** What is wrong and what the planner did about it. */
  readonly message: string;
}

/** Manual-snapshot quota figures, before and after the plan. */
export interface RetentionQuota {
  /** The quota. */
  readonly max: number;
  /** Slots to leave free. */
  readonly headroom: number;
  /** Manual snapshots in use now. */
  readonly used: number;
  /** Manual snapshots in use once every delete has run. */
  readonly usedAfter: number;
}

/** The outcome of {@link planRetention}. */
export interface RetentionPlan {
  /** One decision per input snapshot, ordered by database, creation time, then id. */
  readonly decisions: readonly RetentionDecision[];
  /**
   * Ids to delete, oldest first: if a run stops part-way, what is left is the newer
   * data, and a re-plan deletes exactly the rest.
   */
  readonly deletes: readonly string[];
  /** Conditions to alarm on, ordered by database then code; quota last. */
  readonly alarms: readonly RetentionAlarm[];
  /** Quota usage before and after the plan. */
  readonly quota: RetentionQuota;
  /**
   * Per database with deletes, the newest verified snapshot the plan rests on: if it is gone,
   * no longer available or no longer `dr:verified=passed` when a delete runs, the plan's
   * premise is false and the deletes must stop (the next run re-plans).
   */
  readonly anchors: readonly { readonly database: string; readonly id: string }[];
}

/** The times RDS reports on a snapshot (the port's `Snapshot` fits). */
export interface SnapshotTimes {
  /** `SnapshotCreateTime`: a copy's own start; absent until the snapshot is available. */
  readonly createdAt: Date | null;
  /** `OriginalSnapshotCreateTime`: the source's creation, kept by copies. */
  readonly originalCreatedAt?: Date | null;
  /** `SnapshotDatabaseTime`: the newest transaction in the snapshot. */
  readonly databaseTime?: Date | null;
}

/**
 * The retention settings: the configuration's `retention` (grandfather-father-son: how many
 * snapshots of each tier to keep), as the retention λ receives them in `RETENTION_POLICY`
 * (schema: functions/contracts/retention-settings.ts). The policy name and the quota come from
 * elsewhere (`POLICY_NAME`, the RDS account). Defaults are the configuration's (infra/config/defaults.ts).
 */
export interface RetentionSettings {
  /** Newest snapshots of tier daily or above to keep. @default 7 */
  readonly daily: number;
  /** Newest snapshots of tier weekly or above to keep. @default 5 */
  readonly weekly: number;
  /** Newest snapshots of tier monthly or above to keep. @default 12 */
  readonly monthly: number;
  /** Newest yearly snapshots to keep. @default 3 */
  readonly yearly: number;
  /** Never go below this many managed snapshots (those under the policy) per database. @default 3 */
  readonly minimumCount: number;
  /** Manual snapshots to leave free under the account quota; alarm when fewer remain. @default 10 */
  readonly quotaHeadroom: number;
  /**
   * Delete calls per second at most when applying a plan (RDS sustains about 12 API requests/s per
   * account and region, all calls together). @default 2
   */
  readonly deletesPerSecond: number;
  /**
   * Expiry stops (nothing is deleted, an alarm fires) when the newest snapshot that passed its
   * restore test is older than this: expiry never outruns failing backups or failing tests.
   * @default 72
   */
  readonly maxVerifiedAgeHours: number;
}

/** The keys of {@link RetentionSettings}, in the order problems are reported. */
export const RETENTION_SETTING_KEYS = ['daily', 'weekly', 'monthly', 'yearly', 'minimumCount', 'quotaHeadroom', 'deletesPerSecond', 'maxVerifiedAgeHours'] as const satisfies readonly (keyof RetentionSettings)[];

/**
 * Highest accepted `deletesPerSecond`. RDS throttles an account above about 12 requests/s
 * sustained across every API and caller; 10 leaves room for the listing, the backup
 * workflow and operators working at the same time.
 */
export const MAX_DELETES_PER_SECOND = 10;
