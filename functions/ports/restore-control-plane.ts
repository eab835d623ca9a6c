/**
 * The port for restores: temporary databases for restore tests and new databases for
 * point-in-time restores, one implementation per topology (DB instance or Multi-AZ DB
 * cluster). Kept apart from the snapshot port because its permissions differ: it
 * creates and deletes whole databases.
 *
 * Implementations throw the typed errors of `shared/errors.ts`: SnapshotNotFoundError,
 * DatabaseNotFoundError, DatabaseAlreadyExistsError, RestoreWindowError,
 * InstanceQuotaExceededError, KmsKeyNotAccessibleError, ThrottledError.
 */

/** A database created by a restore, as the control plane reports it. */
export interface RestoredDatabase {
  readonly identifier: string;
  readonly arn: string;
  /** RDS status: `creating`, `backing-up`, `available`, `deleting`, ... */
  readonly status: string;
  /** Writer endpoint, once RDS assigned one. */
  readonly endpoint: string | null;
  readonly port: number | null;
  /** The secret RDS generated for this database's master user (never the source's). */
  readonly secretArn: string | null;
  readonly createdAt: Date | null;
  readonly tags: Readonly<Record<string, string>>;
}

/** Where and how a restored database is placed. */
export interface RestorePlacement {
  readonly targetId: string;
  readonly instanceClass: string;
  readonly subnetGroupName: string;
  readonly securityGroupIds: readonly string[];
  /** Parameter group (instance) or cluster parameter group that forces TLS. */
  readonly parameterGroupName: string;
  /** Key for the new master-user secret RDS generates. */
  readonly secretKmsKeyId: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Multi-AZ DB cluster only: storage settings a cluster restore requires. */
  readonly storage?: { readonly type: string; readonly iops?: number };
}

/** The point-in-time window of a database. */
export interface RestoreWindow {
  readonly earliest: Date | null;
  readonly latest: Date | null;
}

/** Restores and their clean-up in one region. */
export interface RestoreControlPlane {
  restoreFromSnapshot(snapshotId: string, placement: RestorePlacement): Promise<RestoredDatabase>;
  /** `at: 'latest'` restores to LatestRestorableTime. */
  restoreToPointInTime(sourceId: string, at: Date | 'latest', placement: RestorePlacement): Promise<RestoredDatabase>;
  describe(identifier: string): Promise<RestoredDatabase>;
  /** Every database of this topology in the region, all pages, tags included. */
  list(): Promise<RestoredDatabase[]>;
  /** Deletes without a final snapshot and with its automated backups. */
  delete(identifier: string): Promise<void>;
  restoreWindow(sourceId: string): Promise<RestoreWindow>;
}
