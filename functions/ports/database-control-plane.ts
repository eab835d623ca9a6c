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
}
