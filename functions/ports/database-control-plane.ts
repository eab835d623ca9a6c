/**
 * The port to the RDS control plane, one implementation per topology
 * (DB instance + DB snapshots, or DB cluster + DB cluster snapshots). Domain code uses
 * only this interface and never branches on topology.
 *
 * Implementations throw the typed errors of `shared/errors.ts`:
 * DatabaseNotFoundError, SnapshotNotFoundError, SnapshotAlreadyExistsError,
 * SnapshotQuotaExceededError, DatabaseNotAvailableError, KmsKeyNotAccessibleError,
 * ThrottledError (safe to retry).
 */

/** Topology of the protected database. */
export type Topology = 'multi-az-instance' | 'multi-az-cluster';

/** The protected database as the control plane reports it. */
export interface DatabaseState {
  readonly identifier: string;
  readonly arn: string;
  /** RDS status string, e.g. `available`, `backing-up`, `modifying`. */
  readonly status: string;
  /** Latest time PITR can restore to; null while RDS has none (new database, backups off). */
  readonly latestRestorableTime: Date | null;
  /** Whether the storage is encrypted, and with which key. */
  readonly kmsKeyId: string | null;
  /**
   * Whether RDS reports a standby that takes over without data loss: a Multi-AZ instance with
   * its secondary AZ (synchronous standby), or a Multi-AZ DB cluster with at least one reader
   * (semi-synchronous). Absent when the implementation cannot tell.
   */
  readonly multiAz?: boolean;
}

/** A DB snapshot or DB cluster snapshot. */
export interface Snapshot {
  readonly id: string;
  readonly arn: string;
  readonly databaseId: string;
  /** RDS status: `creating`, `available`, `copying`, `failed`, ... */
  readonly status: string;
  /** `manual`, `automated`, `awsbackup`, ... Only `manual` snapshots are ours to manage. */
  readonly type: string;
  readonly createdAt: Date | null;
  readonly percentProgress: number | null;
  readonly encrypted: boolean;
  readonly kmsKeyId: string | null;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * When the data was captured: RDS's `OriginalSnapshotCreateTime`, which a copy keeps while its
   * `createdAt` is the copy's own start. Absent or null when RDS reports none (cluster snapshots).
   */
  readonly originalCreatedAt?: Date | null;
  /**
   * RDS's `SnapshotDatabaseTime`: the most recent transaction in the snapshot (DB snapshots only).
   * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBSnapshot.html
   * Absent or null when RDS (or the fake) reports none.
   */
  readonly databaseTime?: Date | null;
}

/** Manual-snapshot quota of the account in this region. */
export interface SnapshotQuota {
  readonly used: number;
  readonly max: number;
}

/** Request to copy a snapshot into the region of the control plane it is sent to. */
export interface CopySnapshotRequest {
  /** ARN of the source snapshot (in another region for an offsite copy). */
  readonly sourceArn: string;
  readonly sourceRegion: string;
  readonly targetId: string;
  /** Key in the target region (ARN, id or alias). */
  readonly kmsKeyId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The writer side of the database as the failover workflow sees it, the same shape for both
 * topologies so the domain never branches on topology.
 */
export interface WriterState {
  /** DB instance identifier (instance topology, or a cross-region replica) or DB cluster identifier. */
  readonly identifier: string;
  readonly arn: string;
  /** RDS status: `available`, `rebooting`, `failing-over`, `modifying`, ... */
  readonly status: string;
  /**
   * Where the writer runs, compared before and after a failover: the AZ of a Multi-AZ instance's
   * primary, or the identifier of a DB cluster's writer member. Null when RDS reports none.
   */
  readonly writer: string | null;
  /** Standbys able to take over: 1 for a Multi-AZ instance with its secondary AZ, the reader count of a cluster. */
  readonly standbys: number;
  /** The source of a read replica (id or ARN), or null when this is not (or no longer) a replica. */
  readonly replicaSource: string | null;
  /** The writer endpoint applications connect to (instance endpoint or cluster writer endpoint), or null while RDS has none. */
  readonly endpoint: { readonly address: string; readonly port: number } | null;
}

/** The RDS control plane of one region, for one topology. */
export interface DatabaseControlPlane {
  readonly topology: Topology;
  readonly region: string;
  describeDatabase(identifier: string): Promise<DatabaseState>;
  createSnapshot(databaseId: string, snapshotId: string, tags: Readonly<Record<string, string>>): Promise<Snapshot>;
  getSnapshot(snapshotId: string): Promise<Snapshot>;
  /** Every manual snapshot of the database, all pages, tags included from the list response. */
  listManualSnapshots(databaseId: string): Promise<Snapshot[]>;
  deleteSnapshot(snapshotId: string): Promise<void>;
  copySnapshot(request: CopySnapshotRequest): Promise<Snapshot>;
  addTags(arn: string, tags: Readonly<Record<string, string>>): Promise<void>;
  manualSnapshotQuota(): Promise<SnapshotQuota>;
  /**
   * The newest point the automated backups replicated *into this region* from the source
   * database (its ARN) can restore to; null when none are replicated here (or the topology
   * cannot replicate backups across regions).
   */
  replicatedBackupRestorableTime(sourceArn: string): Promise<Date | null>;
  /** The writer side of a DB instance (or read replica) or DB cluster, for the failover workflow. */
  describeWriter(identifier: string): Promise<WriterState>;
  /**
   * Forces a Multi-AZ failover: RebootDBInstance with ForceFailover, or FailoverDBCluster (RDS picks
   * the standby). Returns once RDS accepted it; the failover itself takes RDS 60-120 s (instance) or
   * under 35 s (cluster).
   */
  forceFailover(identifier: string): Promise<void>;
  /**
   * Promotes a read replica in this region to a standalone writer (PromoteReadReplica). Multi-AZ DB
   * clusters have no cross-region replica: their implementation refuses with ConfigurationError.
   */
  promoteReadReplica(identifier: string): Promise<void>;
}
