/**
 * Multi-AZ DB clusters: seeding, describe, modify, failover, restore (from a snapshot, to a point in time) and delete.
 */
import {
  DBClusterAlreadyExistsFault,
  DBClusterQuotaExceededFault,
  DBInstanceAlreadyExistsFault,
  InvalidDBClusterStateFault,
} from '@aws-sdk/client-rds';
import type {
  DBCluster,
  DBClusterMember,
  DeleteDBClusterMessage,
  DescribeDBClustersMessage,
  FailoverDBClusterMessage,
  ModifyDBClusterMessage,
  RestoreDBClusterFromSnapshotMessage,
  RestoreDBClusterToPointInTimeMessage,
  Tag,
} from '@aws-sdk/client-rds';
import {
  type SeedClusterMember,
  type SeedCluster,
  rdsFault,
  type ClusterRec,
  type ClusterSnapshotRec,
  DAY_MS,
  mergeTags,
  requireString,
  validateIdentifier,
  clusterRetentionDays,
  resourceId,
  matchesFilters,
} from './model.ts';
import { CLUSTER, pitrWindow } from './databases.ts';
import { RdsInstances } from './instances.ts';

/** A Multi-AZ DB cluster's writer and two readable standbys, one per AZ. */
function defaultMembers(region: string, id: string): SeedClusterMember[] {
  return [
    { id: `${id}-instance-1`, az: `${region}a`, writer: true },
    { id: `${id}-instance-2`, az: `${region}b`, writer: false },
    { id: `${id}-instance-3`, az: `${region}c`, writer: false },
  ];
}

/** Multi-AZ DB cluster operations (what they share with DB instances is in databases.ts). Passes every other operation down. */
export abstract class RdsClusters extends RdsInstances {
  /** Seeds a Multi-AZ DB cluster (writer + two readable standbys) and its member instances. */
  addCluster(seed: SeedCluster): DBCluster {
    this.settle();
    const state = this.region(seed.region);
    const id = seed.id.toLowerCase();
    if (state.clusters.has(id)) throw new Error(`RdsFake.addCluster: ${id} already exists in ${seed.region}`);
    const members = seed.members ?? defaultMembers(seed.region, id);
    const now = this.now();
    const rec = this.newCluster(seed.region, id, {
      status: seed.status ?? 'available',
      engine: seed.Engine ?? 'postgres',
      engineVersion: seed.EngineVersion ?? '16.4',
      instanceClass: seed.DBClusterInstanceClass ?? 'db.m6gd.large',
      encrypted: seed.StorageEncrypted ?? true,
      kmsKeyId: seed.KmsKeyId,
      retention: seed.BackupRetentionPeriod ?? 7,
      createTime: seed.ClusterCreateTime ?? new Date(now - 30 * DAY_MS),
      deletionProtection: seed.DeletionProtection ?? false,
      tags: seed.tags,
      members,
    });
    rec.pitr = pitrWindow(seed);
    return this.clusterOut(rec);
  }

  /** A DB cluster as DescribeDBClusters would show it now, or undefined. */
  cluster(region: string, id: string): DBCluster | undefined {
    this.settle();
    const rec = this.region(region).clusters.get(id.toLowerCase());
    return rec ? this.clusterOut(rec) : undefined;
  }

  protected newCluster(
    region: string,
    id: string,
    o: {
      status: string;
      engine: string;
      engineVersion: string;
      instanceClass: string;
      encrypted: boolean;
      kmsKeyId: string | undefined;
      retention: number;
      createTime: Date;
      deletionProtection: boolean;
      tags: readonly Tag[] | undefined;
      members: readonly SeedClusterMember[];
    },
  ): ClusterRec {
    const state = this.region(region);
    for (const member of o.members) {
      // RestoreDBCluster* declare DBClusterAlreadyExistsFault but not DBInstanceAlreadyExistsFault (SDK model).
      if (state.instances.has(member.id.toLowerCase())) throw rdsFault('DBClusterAlreadyExistsFault', `DB instance already exists: ${member.id.toLowerCase()}`);
    }
    const kmsKeyId = o.encrypted ? (o.kmsKeyId ?? this.defaultKmsKeyArn(region)) : undefined;
    const data: DBCluster = {
      AllocatedStorage: 100,
      AvailabilityZones: [...new Set(o.members.map((m) => m.az))],
      BackupRetentionPeriod: o.retention,
      DatabaseName: 'swifteats',
      DBClusterIdentifier: id,
      DBSubnetGroup: 'default',
      Status: o.status,
      Endpoint: `${id}.cluster-cfake0000000.${region}.rds.amazonaws.com`,
      ReaderEndpoint: `${id}.cluster-ro-cfake0000000.${region}.rds.amazonaws.com`,
      MultiAZ: true,
      Engine: o.engine,
      EngineVersion: o.engineVersion,
      Port: 5432,
      MasterUsername: 'postgres',
      PreferredBackupWindow: '03:00-03:30',
      PreferredMaintenanceWindow: 'sun:04:00-sun:04:30',
      DBClusterMembers: o.members.map(
        (m, i): DBClusterMember => ({ DBInstanceIdentifier: m.id.toLowerCase(), IsClusterWriter: m.writer, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: i + 1 }),
      ),
      StorageEncrypted: o.encrypted,
      ...(kmsKeyId === undefined ? {} : { KmsKeyId: kmsKeyId }),
      DbClusterResourceId: resourceId('cluster', id),
      DBClusterArn: this.clusterArn(region, id),
      ClusterCreateTime: o.createTime,
      DBClusterInstanceClass: o.instanceClass,
      StorageType: 'io1',
      DeletionProtection: o.deletionProtection,
      CopyTagsToSnapshot: false,
      TagList: mergeTags(undefined, o.tags),
    };
    const rec: ClusterRec = { seq: this.nextSeq(), token: 0, data, pitr: pitrWindow(), origin: undefined };
    state.clusters.set(id, rec);
    for (const member of o.members) {
      const memberId = member.id.toLowerCase();
      state.instances.set(memberId, {
        seq: this.nextSeq(),
        token: 0,
        data: {
          ...this.instanceDefaults(region, memberId, {
            engine: o.engine,
            engineVersion: o.engineVersion,
            instanceClass: o.instanceClass,
            allocatedStorage: 100,
            encrypted: o.encrypted,
            kmsKeyId,
          }),
          DBInstanceStatus: o.status,
          MultiAZ: false,
          AvailabilityZone: member.az,
          BackupRetentionPeriod: o.retention,
          InstanceCreateTime: o.createTime,
          DBClusterIdentifier: id,
          DeletionProtection: false,
          CopyTagsToSnapshot: false,
          TagList: [],
        },
        // Cluster members have no point-in-time window of their own: it belongs to the cluster.
        pitr: pitrWindow(),
        origin: undefined,
      });
    }
    return rec;
  }

  // ------------------------------------------------------------------ DB clusters

  /** Only what the DR code changes: the managed master secret, backup retention and deletion protection. */
  protected modifyDBCluster(input: ModifyDBClusterMessage, region: string): object {
    const rec = this.requireCluster(region, input.DBClusterIdentifier);
    this.requireAvailable(CLUSTER, rec);
    if (input.DeletionProtection !== undefined) rec.data.DeletionProtection = input.DeletionProtection;
    if (input.BackupRetentionPeriod !== undefined) rec.data.BackupRetentionPeriod = clusterRetentionDays(input.BackupRetentionPeriod, 7);
    if (input.ManageMasterUserPassword !== undefined) this.manageMasterSecret(rec, input, region, 'cluster');
    return { DBCluster: this.clusterOut(rec) };
  }

  protected describeDBClusters(input: DescribeDBClustersMessage, region: string): object {
    const one = input.DBClusterIdentifier === undefined ? undefined : this.requireCluster(region, input.DBClusterIdentifier);
    const columns = (rec: ClusterRec): Parameters<typeof matchesFilters>[1] => ({
      'db-cluster-id': () => [rec.data.DBClusterIdentifier, rec.data.DBClusterArn],
      'db-cluster-resource-id': () => [rec.data.DbClusterResourceId],
      engine: () => [rec.data.Engine],
    });
    const { page, marker } = this.describeDatabases(CLUSTER, region, input, one, columns, 'DescribeDBClusters');
    return { DBClusters: page.map((rec) => this.clusterOut(rec)), ...(marker === undefined ? {} : { Marker: marker }) };
  }

  protected failoverDBCluster(input: FailoverDBClusterMessage, region: string): object {
    const rec = this.requireCluster(region, input.DBClusterIdentifier);
    const id = CLUSTER.id(rec);
    this.requireAvailable(CLUSTER, rec);
    const members = rec.data.DBClusterMembers ?? [];
    let target: DBClusterMember | undefined;
    if (input.TargetDBInstanceIdentifier !== undefined) {
      const wanted = input.TargetDBInstanceIdentifier.toLowerCase();
      target = members.find((m) => m.DBInstanceIdentifier === wanted);
      if (!target || target.IsClusterWriter === true) {
        throw rdsFault('InvalidDBInstanceState', `DB instance ${wanted} is not a reader of DB cluster ${id}.`);
      }
    } else {
      target = [...members].filter((m) => m.IsClusterWriter !== true).sort((a, b) => (a.PromotionTier ?? 15) - (b.PromotionTier ?? 15))[0];
      if (!target) throw rdsFault('InvalidDBClusterStateFault', `DB cluster ${id} has no reader to fail over to.`);
    }
    const targetId = target.DBInstanceIdentifier;
    this.transition(CLUSTER, rec, 'failing-over', this.durations.clusterFailoverMs, () => {
      for (const member of rec.data.DBClusterMembers ?? []) member.IsClusterWriter = member.DBInstanceIdentifier === targetId;
      rec.data.Status = 'available';
    });
    return { DBCluster: this.clusterOut(rec) };
  }

  protected restoreDBClusterFromSnapshot(input: RestoreDBClusterFromSnapshotMessage, region: string): object {
    const id = validateIdentifier(requireString(input.DBClusterIdentifier, 'DBClusterIdentifier'), 'DBClusterIdentifier', 63);
    const snapshotId = this.idIn(region, requireString(input.SnapshotIdentifier, 'SnapshotIdentifier'), 'cluster-snapshot');
    requireString(input.Engine, 'Engine');
    this.requireFreeTarget(CLUSTER, region, id);
    const snapshot = this.requireRestorableSnapshot(CLUSTER, region, snapshotId) as ClusterSnapshotRec;
    const rec = this.newRestoredCluster(region, id, {
      engine: input.Engine ?? snapshot.data.Engine ?? 'postgres',
      engineVersion: input.EngineVersion ?? snapshot.data.EngineVersion ?? '16.4',
      instanceClass: input.DBClusterInstanceClass,
      encrypted: snapshot.data.StorageEncrypted ?? false,
      kmsKeyId: input.KmsKeyId ?? snapshot.data.KmsKeyId,
      deletionProtection: input.DeletionProtection,
      retention: clusterRetentionDays(input.BackupRetentionPeriod, this.region(region).clusters.get(snapshot.data.DBClusterIdentifier ?? '')?.data.BackupRetentionPeriod ?? 7),
      tags: input.Tags !== undefined && input.Tags.length > 0 ? input.Tags : snapshot.data.TagList,
    });
    rec.origin = { kind: 'snapshot', snapshotArn: snapshot.data.DBClusterSnapshotArn ?? '' };
    return { DBCluster: this.clusterOut(rec) };
  }

  protected restoreDBClusterToPointInTime(input: RestoreDBClusterToPointInTimeMessage, region: string): object {
    const id = validateIdentifier(requireString(input.DBClusterIdentifier, 'DBClusterIdentifier'), 'DBClusterIdentifier', 63);
    const source = this.requireCluster(region, input.SourceDBClusterIdentifier, 'SourceDBClusterIdentifier');
    this.requireFreeTarget(CLUSTER, region, id);
    const restoreTime = this.restorePoint(CLUSTER, region, source, source.data.ClusterCreateTime, input.RestoreToTime, input.UseLatestRestorableTime, 'RestoreToTime');
    const rec = this.newRestoredCluster(region, id, {
      engine: source.data.Engine ?? 'postgres',
      engineVersion: source.data.EngineVersion ?? '16.4',
      instanceClass: input.DBClusterInstanceClass ?? source.data.DBClusterInstanceClass,
      encrypted: source.data.StorageEncrypted ?? false,
      kmsKeyId: input.KmsKeyId ?? source.data.KmsKeyId,
      deletionProtection: input.DeletionProtection,
      retention: clusterRetentionDays(input.BackupRetentionPeriod, source.data.BackupRetentionPeriod ?? 7),
      tags: input.Tags,
    });
    rec.origin = { kind: 'point-in-time', sourceArn: CLUSTER.arn(source), restoreTime };
    return { DBCluster: this.clusterOut(rec) };
  }

  protected newRestoredCluster(
    region: string,
    id: string,
    o: {
      engine: string;
      engineVersion: string;
      instanceClass: string | undefined;
      encrypted: boolean;
      kmsKeyId: string | undefined;
      deletionProtection: boolean | undefined;
      retention: number;
      tags: readonly Tag[] | undefined;
    },
  ): ClusterRec {
    this.requireQuota(CLUSTER, region);
    const rec = this.newCluster(region, id, {
      status: 'creating',
      engine: o.engine,
      engineVersion: o.engineVersion,
      instanceClass: o.instanceClass ?? 'db.m6gd.large',
      encrypted: o.encrypted,
      kmsKeyId: o.kmsKeyId,
      retention: o.retention,
      createTime: new Date(this.now()),
      deletionProtection: o.deletionProtection ?? false,
      tags: o.tags,
      // A Multi-AZ DB cluster restore creates its writer and two readable standbys itself.
      members: defaultMembers(region, id),
    });
    this.finishCreating(CLUSTER, region, rec, this.durations.clusterCreateMs, () => {
      for (const member of this.clusterMembers(region, rec)) member.data.DBInstanceStatus = 'available';
    });
    return rec;
  }

  protected deleteDBCluster(input: DeleteDBClusterMessage, region: string): object {
    const state = this.region(region);
    const rec = this.requireCluster(region, input.DBClusterIdentifier);
    const members = this.clusterMembers(region, rec);
    this.deleteDatabase(CLUSTER, region, rec, input, 'clusterDeleteMs', {
      takeFinalSnapshot: (finalId) => {
        this.checkManualClusterSnapshotQuota(state);
        this.startClusterSnapshot(region, rec, finalId, []);
      },
      removed: () => {
        for (const member of members) state.instances.delete(member.data.DBInstanceIdentifier ?? '');
      },
    });
    for (const member of members) {
      member.token += 1;
      member.data.DBInstanceStatus = 'deleting';
    }
    return { DBCluster: this.clusterOut(rec) };
  }
}
