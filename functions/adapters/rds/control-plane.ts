/**
 * RDS implementations of the {@link DatabaseControlPlane} port: one for DB instances and
 * DB snapshots, one for Multi-AZ DB clusters and DB cluster snapshots. Each translates
 * RDS faults into the typed errors of `shared/errors.ts`, keeping the SDK error as `cause`.
 */
import {
  AddTagsToResourceCommand,
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeAccountAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  FailoverDBClusterCommand,
  PromoteReadReplicaCommand,
  RebootDBInstanceCommand,
  paginateDescribeDBInstanceAutomatedBackups,
  paginateDescribeDBClusterSnapshots,
  paginateDescribeDBSnapshots,
  type DBClusterSnapshot,
  type DBSnapshot,
  type RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';
import type {
  CopySnapshotRequest,
  DatabaseControlPlane,
  DatabaseState,
  Snapshot,
  SnapshotQuota,
  Topology,
  WriterState,
} from '../../ports/database-control-plane.ts';
import {
  AccessDeniedError,
  ConfigurationError,
  DatabaseAlreadyExistsError,
  DatabaseNotAvailableError,
  InstanceQuotaExceededError,
  RestoreWindowError,
  DatabaseNotFoundError,
  DrError,
  KmsKeyNotAccessibleError,
  SnapshotAlreadyExistsError,
  SnapshotNotAvailableError,
  SnapshotNotFoundError,
  SnapshotQuotaExceededError,
  ThrottledError,
} from '../../shared/errors.ts';

type ErrorClass = new (message: string, options?: ErrorOptions) => DrError;

/**
 * RDS fault names (SDK class names end in `Fault`; the wire codes do not, and a fault the
 * SDK does not model keeps its wire code as `name`) mapped to our typed errors.
 * Throttling: the RDS API returns the code `Throttling` (RDS User Guide, "Request
 * throttling for the Amazon RDS API"); the other names cover generic AWS throttling codes.
 */
const FAULTS: Record<string, ErrorClass> = {
  DBInstanceNotFound: DatabaseNotFoundError,
  DBClusterNotFound: DatabaseNotFoundError,
  DBSnapshotNotFound: SnapshotNotFoundError,
  DBClusterSnapshotNotFound: SnapshotNotFoundError,
  DBSnapshotAlreadyExists: SnapshotAlreadyExistsError,
  DBClusterSnapshotAlreadyExists: SnapshotAlreadyExistsError,
  SnapshotQuotaExceeded: SnapshotQuotaExceededError,
  InvalidDBInstanceState: DatabaseNotAvailableError,
  InvalidDBClusterState: DatabaseNotAvailableError,
  InvalidDBSnapshotState: SnapshotNotAvailableError,
  InvalidDBClusterSnapshotState: SnapshotNotAvailableError,
  KMSKeyNotAccessible: KmsKeyNotAccessibleError,
  DBInstanceAlreadyExists: DatabaseAlreadyExistsError,
  DBClusterAlreadyExists: DatabaseAlreadyExistsError,
  InstanceQuotaExceeded: InstanceQuotaExceededError,
  DBClusterQuotaExceeded: InstanceQuotaExceededError,
  PointInTimeRestoreNotEnabled: RestoreWindowError,
  InvalidRestore: RestoreWindowError,
  AccessDenied: AccessDeniedError,
  AccessDeniedException: AccessDeniedError,
  Throttling: ThrottledError,
  ThrottlingException: ThrottledError,
  RequestLimitExceeded: ThrottledError,
  TooManyRequestsException: ThrottledError,
};

/** Translates an SDK error into a typed error (unknown errors pass through unchanged). */
export function translateRdsError(error: unknown, action: string): unknown {
  if (!(error instanceof Error)) return error;
  const name = error.name.replace(/Fault$/, '');
  const Typed = FAULTS[name];
  return Typed ? new Typed(`${action}: ${error.name}: ${error.message}`, { cause: error }) : error;
}

/** Runs one RDS call, translating its failure into a typed error. */
export async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translateRdsError(error, action);
  }
}

/** An RDS tag list as a key-value record. */
export function tagsOf(list: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of list ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}

/** A key-value record as an RDS tag list. */
export function tagList(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function fromDbSnapshot(s: DBSnapshot): Snapshot {
  return {
    id: s.DBSnapshotIdentifier ?? '',
    arn: s.DBSnapshotArn ?? '',
    databaseId: s.DBInstanceIdentifier ?? '',
    status: s.Status ?? 'unknown',
    type: s.SnapshotType ?? 'unknown',
    createdAt: s.SnapshotCreateTime ?? null,
    percentProgress: s.PercentProgress ?? null,
    encrypted: s.Encrypted ?? false,
    kmsKeyId: s.KmsKeyId ?? null,
    tags: tagsOf(s.TagList),
    originalCreatedAt: s.OriginalSnapshotCreateTime ?? null,
    databaseTime: s.SnapshotDatabaseTime ?? null,
  };
}

function fromClusterSnapshot(s: DBClusterSnapshot): Snapshot {
  return {
    id: s.DBClusterSnapshotIdentifier ?? '',
    arn: s.DBClusterSnapshotArn ?? '',
    databaseId: s.DBClusterIdentifier ?? '',
    status: s.Status ?? 'unknown',
    type: s.SnapshotType ?? 'unknown',
    createdAt: s.SnapshotCreateTime ?? null,
    percentProgress: s.PercentProgress ?? null,
    encrypted: s.StorageEncrypted ?? false,
    kmsKeyId: s.KmsKeyId ?? null,
    tags: tagsOf(s.TagList),
  };
}

/** What both topologies share: tags and the account quota. */
abstract class RdsControlPlane implements DatabaseControlPlane {
  abstract readonly topology: Topology;
  readonly region: string;
  protected readonly rds: RDSClient;
  /**
   * `AccountQuotaName` of this topology's manual snapshots: `ManualSnapshots` (DB instance
   * snapshots) or `ManualClusterSnapshots` (RDS API reference, AccountQuota data type).
   */
  protected abstract readonly quotaName: string;

  constructor(rds: RDSClient, region: string) {
    this.rds = rds;
    this.region = region;
  }

  abstract describeDatabase(identifier: string): Promise<DatabaseState>;
  abstract createSnapshot(databaseId: string, snapshotId: string, tags: Readonly<Record<string, string>>): Promise<Snapshot>;
  abstract getSnapshot(snapshotId: string): Promise<Snapshot>;
  abstract listManualSnapshots(databaseId: string): Promise<Snapshot[]>;
  abstract deleteSnapshot(snapshotId: string): Promise<void>;
  abstract copySnapshot(request: CopySnapshotRequest): Promise<Snapshot>;
  abstract replicatedBackupRestorableTime(sourceArn: string): Promise<Date | null>;
  abstract describeWriter(identifier: string): Promise<WriterState>;
  abstract forceFailover(identifier: string): Promise<void>;
  abstract promoteReadReplica(identifier: string): Promise<void>;

  async addTags(arn: string, tags: Readonly<Record<string, string>>): Promise<void> {
    await call('AddTagsToResource', () => this.rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: tagList(tags) })));
  }

  async manualSnapshotQuota(): Promise<SnapshotQuota> {
    const out = await call('DescribeAccountAttributes', () => this.rds.send(new DescribeAccountAttributesCommand({})));
    const quota = out.AccountQuotas?.find((q) => q.AccountQuotaName === this.quotaName);
    if (quota?.Used === undefined || quota.Max === undefined) {
      throw new DrError(`DescribeAccountAttributes returned no ${this.quotaName} quota`);
    }
    return { used: quota.Used, max: quota.Max };
  }
}

/** DB instance topology: DB snapshots. */
export class RdsInstanceControlPlane extends RdsControlPlane {
  readonly topology = 'multi-az-instance' as const;
  protected readonly quotaName = 'ManualSnapshots';

  async describeDatabase(identifier: string): Promise<DatabaseState> {
    const out = await call('DescribeDBInstances', () => this.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })));
    const db = out.DBInstances?.[0];
    if (!db) throw new DatabaseNotFoundError(`DescribeDBInstances: DB instance ${identifier} not found`);
    return {
      identifier,
      arn: db.DBInstanceArn ?? '',
      status: db.DBInstanceStatus ?? 'unknown',
      latestRestorableTime: db.LatestRestorableTime ?? null,
      kmsKeyId: db.KmsKeyId ?? null,
      // MultiAZ alone is also true while a conversion is still creating the standby; the
      // secondary AZ appears once the standby exists.
      multiAz: db.MultiAZ === true && db.SecondaryAvailabilityZone !== undefined,
    };
  }

  async createSnapshot(databaseId: string, snapshotId: string, tags: Readonly<Record<string, string>>): Promise<Snapshot> {
    const out = await call('CreateDBSnapshot', () =>
      this.rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: databaseId, DBSnapshotIdentifier: snapshotId, Tags: tagList(tags) })),
    );
    return fromDbSnapshot({ ...out.DBSnapshot, TagList: out.DBSnapshot?.TagList ?? tagList(tags) });
  }

  async getSnapshot(snapshotId: string): Promise<Snapshot> {
    const out = await call('DescribeDBSnapshots', () => this.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId })));
    const snapshot = out.DBSnapshots?.[0];
    if (!snapshot) throw new SnapshotNotFoundError(`DescribeDBSnapshots: DB snapshot ${snapshotId} not found`);
    return fromDbSnapshot(snapshot);
  }

  async listManualSnapshots(databaseId: string): Promise<Snapshot[]> {
    const out: Snapshot[] = [];
    await call('DescribeDBSnapshots', async () => {
      const pages = paginateDescribeDBSnapshots({ client: this.rds, pageSize: 100 }, { DBInstanceIdentifier: databaseId, SnapshotType: 'manual' });
      for await (const page of pages) for (const s of page.DBSnapshots ?? []) out.push(fromDbSnapshot(s));
    });
    return out;
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await call('DeleteDBSnapshot', () => this.rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshotId })));
  }

  /**
   * The source region travels in the ARN. No PreSignedUrl: outside GovCloud RDS ignores it
   * (RDS API reference, CopyDBSnapshot, PreSignedUrl).
   */
  async copySnapshot(request: CopySnapshotRequest): Promise<Snapshot> {
    const out = await call('CopyDBSnapshot', () =>
      this.rds.send(
        new CopyDBSnapshotCommand({
          SourceDBSnapshotIdentifier: request.sourceArn,
          TargetDBSnapshotIdentifier: request.targetId,
          KmsKeyId: request.kmsKeyId,
          Tags: tagList(request.tags),
        }),
      ),
    );
    return fromDbSnapshot({ ...out.DBSnapshot, TagList: out.DBSnapshot?.TagList ?? tagList(request.tags) });
  }

  /**
   * The primary's AZ is the writer's location: a forced failover swaps it with the standby's
   * (`SecondaryAvailabilityZone`), which is how the workflow sees the failover has happened.
   */
  async describeWriter(identifier: string): Promise<WriterState> {
    const out = await call('DescribeDBInstances', () => this.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })));
    const db = out.DBInstances?.[0];
    if (!db) throw new DatabaseNotFoundError(`DescribeDBInstances: DB instance ${identifier} not found`);
    return {
      identifier,
      arn: db.DBInstanceArn ?? '',
      status: db.DBInstanceStatus ?? 'unknown',
      writer: db.AvailabilityZone ?? null,
      standbys: db.MultiAZ === true && db.SecondaryAvailabilityZone !== undefined ? 1 : 0,
      replicaSource: db.ReadReplicaSourceDBInstanceIdentifier ?? null,
      endpoint: db.Endpoint?.Address === undefined ? null : { address: db.Endpoint.Address, port: db.Endpoint.Port ?? 5432 },
    };
  }

  /** RebootDBInstance with ForceFailover: RDS refuses it (InvalidDBInstanceState) unless the instance is Multi-AZ and available. */
  async forceFailover(identifier: string): Promise<void> {
    await call('RebootDBInstance', () => this.rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: identifier, ForceFailover: true })));
  }

  /** PromoteReadReplica; RDS refuses it (InvalidDBInstanceState) unless the instance is an available read replica. */
  async promoteReadReplica(identifier: string): Promise<void> {
    await call('PromoteReadReplica', () => this.rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: identifier })));
  }

  /**
   * DescribeDBInstanceAutomatedBackups in this (the destination) region, filtered by the source
   * ARN (filter `db-instance-id` accepts ARNs; RDS API reference). The newest `RestoreWindow.LatestTime`
   * of any match wins: a retained backup whose replication stopped keeps an old window, so
   * taking the newest never hides a stalled replication when it is the only one.
   */
  async replicatedBackupRestorableTime(sourceArn: string): Promise<Date | null> {
    let newest: Date | null = null;
    await call('DescribeDBInstanceAutomatedBackups', async () => {
      const pages = paginateDescribeDBInstanceAutomatedBackups({ client: this.rds, pageSize: 100 }, { Filters: [{ Name: 'db-instance-id', Values: [sourceArn] }] });
      for await (const page of pages) {
        for (const backup of page.DBInstanceAutomatedBackups ?? []) {
          const latest = backup.RestoreWindow?.LatestTime;
          if (latest !== undefined && (newest === null || latest.getTime() > newest.getTime())) newest = latest;
        }
      }
    });
    return newest;
  }
}

/** Multi-AZ DB cluster topology: DB cluster snapshots. */
export class RdsClusterControlPlane extends RdsControlPlane {
  readonly topology = 'multi-az-cluster' as const;
  protected readonly quotaName = 'ManualClusterSnapshots';

  async describeDatabase(identifier: string): Promise<DatabaseState> {
    const out = await call('DescribeDBClusters', () => this.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })));
    const db = out.DBClusters?.[0];
    if (!db) throw new DatabaseNotFoundError(`DescribeDBClusters: DB cluster ${identifier} not found`);
    return {
      identifier,
      arn: db.DBClusterArn ?? '',
      status: db.Status ?? 'unknown',
      latestRestorableTime: db.LatestRestorableTime ?? null,
      kmsKeyId: db.KmsKeyId ?? null,
      // Semi-synchronous replication needs a reader to acknowledge each commit.
      multiAz: db.MultiAZ === true && (db.DBClusterMembers ?? []).some((m) => m.IsClusterWriter === false),
    };
  }

  async createSnapshot(databaseId: string, snapshotId: string, tags: Readonly<Record<string, string>>): Promise<Snapshot> {
    const out = await call('CreateDBClusterSnapshot', () =>
      this.rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: databaseId, DBClusterSnapshotIdentifier: snapshotId, Tags: tagList(tags) })),
    );
    return fromClusterSnapshot({ ...out.DBClusterSnapshot, TagList: out.DBClusterSnapshot?.TagList ?? tagList(tags) });
  }

  async getSnapshot(snapshotId: string): Promise<Snapshot> {
    const out = await call('DescribeDBClusterSnapshots', () =>
      this.rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshotId })),
    );
    const snapshot = out.DBClusterSnapshots?.[0];
    if (!snapshot) throw new SnapshotNotFoundError(`DescribeDBClusterSnapshots: DB cluster snapshot ${snapshotId} not found`);
    return fromClusterSnapshot(snapshot);
  }

  async listManualSnapshots(databaseId: string): Promise<Snapshot[]> {
    const out: Snapshot[] = [];
    await call('DescribeDBClusterSnapshots', async () => {
      const pages = paginateDescribeDBClusterSnapshots({ client: this.rds, pageSize: 100 }, { DBClusterIdentifier: databaseId, SnapshotType: 'manual' });
      for await (const page of pages) for (const s of page.DBClusterSnapshots ?? []) out.push(fromClusterSnapshot(s));
    });
    return out;
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await call('DeleteDBClusterSnapshot', () => this.rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: snapshotId })));
  }

  async copySnapshot(request: CopySnapshotRequest): Promise<Snapshot> {
    // RDS does not copy Multi-AZ DB cluster snapshots across regions; configuration
    // validation refuses it, and this call would fail with RDS's own error if reached.
    const out = await call('CopyDBClusterSnapshot', () =>
      this.rds.send(
        new CopyDBClusterSnapshotCommand({
          SourceDBClusterSnapshotIdentifier: request.sourceArn,
          TargetDBClusterSnapshotIdentifier: request.targetId,
          KmsKeyId: request.kmsKeyId,
          Tags: tagList(request.tags),
        }),
      ),
    );
    return fromClusterSnapshot({ ...out.DBClusterSnapshot, TagList: out.DBClusterSnapshot?.TagList ?? tagList(request.tags) });
  }

  /** The writer member's identifier is the writer's location; the other members are the readable standbys. */
  async describeWriter(identifier: string): Promise<WriterState> {
    const out = await call('DescribeDBClusters', () => this.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })));
    const db = out.DBClusters?.[0];
    if (!db) throw new DatabaseNotFoundError(`DescribeDBClusters: DB cluster ${identifier} not found`);
    const members = db.DBClusterMembers ?? [];
    return {
      identifier,
      arn: db.DBClusterArn ?? '',
      status: db.Status ?? 'unknown',
      writer: members.find((m) => m.IsClusterWriter === true)?.DBInstanceIdentifier ?? null,
      standbys: members.filter((m) => m.IsClusterWriter !== true).length,
      replicaSource: db.ReplicationSourceIdentifier ?? null,
      endpoint: db.Endpoint === undefined ? null : { address: db.Endpoint, port: db.Port ?? 5432 },
    };
  }

  /** FailoverDBCluster without a target: RDS promotes a readable standby (InvalidDBClusterState unless available). */
  async forceFailover(identifier: string): Promise<void> {
    await call('FailoverDBCluster', () => this.rds.send(new FailoverDBClusterCommand({ DBClusterIdentifier: identifier })));
  }

  /** RDS has no cross-region read replica of a Multi-AZ DB cluster (configuration validation refuses one). */
  async promoteReadReplica(identifier: string): Promise<void> {
    throw new ConfigurationError(`promoting ${identifier}: Multi-AZ DB clusters have no cross-region read replica to promote`);
  }

  /** RDS does not replicate a Multi-AZ DB cluster's automated backups to another region. */
  async replicatedBackupRestorableTime(_sourceArn: string): Promise<Date | null> {
    return null;
  }
}

/** The adapter for a topology. */
export function controlPlaneFor(topology: Topology, rds: RDSClient, region: string): DatabaseControlPlane {
  return topology === 'multi-az-cluster' ? new RdsClusterControlPlane(rds, region) : new RdsInstanceControlPlane(rds, region);
}
