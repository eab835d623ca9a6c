/**
 * DB instances: seeding, describe, restore (from a snapshot, to a point in time), delete, reboot (with failover),
 * promotion of read replicas and modification (including the master user secret).
 */
import { InvalidDBClusterStateFault } from '@aws-sdk/client-rds';
import type {
  DBInstance,
  DBSnapshot,
  DeleteDBInstanceMessage,
  DescribeDBInstancesMessage,
  MasterUserSecret,
  ModifyDBInstanceMessage,
  PromoteReadReplicaMessage,
  RebootDBInstanceMessage,
  RestoreDBInstanceFromDBSnapshotMessage,
  RestoreDBInstanceToPointInTimeMessage,
  Tag,
} from '@aws-sdk/client-rds';
import {
  type SeedInstance,
  rdsFault,
  rdsCommonError,
  type InstanceRec,
  type SnapshotRec,
  DAY_MS,
  parseArn,
  mergeTags,
  requireString,
  validateIdentifier,
  retentionDays,
  resourceId,
  matchesFilters,
} from './model.ts';
import { INSTANCE, pitrWindow, RdsDatabases } from './databases.ts';

/** DB instance operations (what they share with DB clusters is in databases.ts). Passes every other operation down. */
export abstract class RdsInstances extends RdsDatabases {
  /** Seeds a DB instance (Multi-AZ by default), or a read replica when `ReadReplicaSourceDBInstanceIdentifier` is set. */
  addInstance(seed: SeedInstance): DBInstance {
    this.settle();
    const state = this.region(seed.region);
    const id = seed.id.toLowerCase();
    if (state.instances.has(id)) throw new Error(`RdsFake.addInstance: ${id} already exists in ${seed.region}`);
    const multiAZ = seed.MultiAZ ?? true;
    const now = this.now();
    const data: DBInstance = {
      ...this.instanceDefaults(seed.region, id, {
        engine: seed.Engine ?? 'postgres',
        engineVersion: seed.EngineVersion ?? '16.4',
        instanceClass: seed.DBInstanceClass ?? 'db.m6g.large',
        allocatedStorage: seed.AllocatedStorage ?? 100,
        encrypted: seed.StorageEncrypted ?? true,
        kmsKeyId: seed.KmsKeyId,
      }),
      DBInstanceStatus: seed.status ?? 'available',
      MultiAZ: multiAZ,
      AvailabilityZone: seed.AvailabilityZone ?? `${seed.region}a`,
      ...(multiAZ ? { SecondaryAvailabilityZone: seed.SecondaryAvailabilityZone ?? `${seed.region}b` } : {}),
      BackupRetentionPeriod: seed.BackupRetentionPeriod ?? 7,
      InstanceCreateTime: seed.InstanceCreateTime ?? new Date(now - 30 * DAY_MS),
      DeletionProtection: seed.DeletionProtection ?? false,
      CopyTagsToSnapshot: seed.CopyTagsToSnapshot ?? false,
      DBName: seed.DBName ?? 'swifteats',
      TagList: mergeTags(undefined, seed.tags),
    };
    const rec: InstanceRec = {
      seq: this.nextSeq(),
      token: 0,
      data,
      pitr: pitrWindow(seed),
      origin: undefined,
    };
    state.instances.set(id, rec);
    if (seed.ReadReplicaSourceDBInstanceIdentifier !== undefined) this.linkReplica(rec, seed.region, seed.ReadReplicaSourceDBInstanceIdentifier);
    return this.instanceOut(rec);
  }

  /** Forces an instance's status, e.g. `'failed'` or `'storage-full'` to simulate a broken writer. Cancels pending transitions. */
  setInstanceStatus(region: string, id: string, status: string): void {
    this.settle();
    const rec = this.region(region).instances.get(id.toLowerCase());
    if (!rec) throw new Error(`RdsFake.setInstanceStatus: no instance ${id} in ${region}`);
    rec.token += 1;
    rec.data.DBInstanceStatus = status;
  }

  /** A DB instance as DescribeDBInstances would show it now, or undefined. */
  instance(region: string, id: string): DBInstance | undefined {
    this.settle();
    const rec = this.region(region).instances.get(id.toLowerCase());
    return rec ? this.instanceOut(rec) : undefined;
  }

  /** Every DB instance of a region, in creation order. */
  instances(region: string): DBInstance[] {
    this.settle();
    return [...this.region(region).instances.values()].map((rec) => this.instanceOut(rec));
  }

  // ------------------------------------------------------------------ shared helpers

  protected instanceDefaults(
    region: string,
    id: string,
    o: { engine: string; engineVersion: string; instanceClass: string; allocatedStorage: number; encrypted: boolean; kmsKeyId: string | undefined },
  ): DBInstance {
    return {
      DBInstanceIdentifier: id,
      DBInstanceClass: o.instanceClass,
      Engine: o.engine,
      EngineVersion: o.engineVersion,
      MasterUsername: 'postgres',
      Endpoint: { Address: `${id}.cfake0000000.${region}.rds.amazonaws.com`, Port: 5432, HostedZoneId: 'ZFAKE0000000' },
      AllocatedStorage: o.allocatedStorage,
      StorageType: 'gp3',
      PreferredBackupWindow: '03:00-03:30',
      PreferredMaintenanceWindow: 'sun:04:00-sun:04:30',
      StorageEncrypted: o.encrypted,
      ...(o.encrypted ? { KmsKeyId: o.kmsKeyId ?? this.defaultKmsKeyArn(region) } : {}),
      DbiResourceId: resourceId('db', id),
      DBInstanceArn: this.instanceArn(region, id),
      ReadReplicaDBInstanceIdentifiers: [],
      PubliclyAccessible: false,
    };
  }

  /** Records the replica link on both sides, as RDS shows it: ids within a region, ARNs across regions. */
  protected linkReplica(replica: InstanceRec, replicaRegion: string, source: string): void {
    const arn = parseArn(source);
    const sourceRegion = arn?.region ?? replicaRegion;
    const sourceId = arn?.id ?? source.toLowerCase();
    replica.data.ReadReplicaSourceDBInstanceIdentifier = arn ? this.instanceArn(sourceRegion, sourceId) : sourceId;
    replica.data.StatusInfos = [{ StatusType: 'read replication', Status: 'replicating', Normal: true }];
    const sourceRec = this.regions.get(sourceRegion)?.instances.get(sourceId);
    if (sourceRec) {
      const replicaRef = sourceRegion === replicaRegion ? (replica.data.DBInstanceIdentifier ?? '') : (replica.data.DBInstanceArn ?? '');
      sourceRec.data.ReadReplicaDBInstanceIdentifiers = [...(sourceRec.data.ReadReplicaDBInstanceIdentifiers ?? []), replicaRef];
    }
  }

  protected unlinkReplica(replica: InstanceRec, replicaRegion: string): void {
    const source = replica.data.ReadReplicaSourceDBInstanceIdentifier;
    if (source === undefined) return;
    const arn = parseArn(source);
    const sourceRec = this.regions.get(arn?.region ?? replicaRegion)?.instances.get(arn?.id ?? source);
    if (sourceRec) {
      const refs = new Set([replica.data.DBInstanceIdentifier, replica.data.DBInstanceArn]);
      sourceRec.data.ReadReplicaDBInstanceIdentifiers = (sourceRec.data.ReadReplicaDBInstanceIdentifiers ?? []).filter((r) => !refs.has(r));
    }
    delete replica.data.ReadReplicaSourceDBInstanceIdentifier;
    delete replica.data.StatusInfos;
  }

  // ------------------------------------------------------------------ DB instances

  protected describeDBInstances(input: DescribeDBInstancesMessage, region: string): object {
    const one = input.DBInstanceIdentifier === undefined ? undefined : this.requireInstance(region, input.DBInstanceIdentifier);
    const columns = (rec: InstanceRec): Parameters<typeof matchesFilters>[1] => ({
      'db-instance-id': () => [rec.data.DBInstanceIdentifier, rec.data.DBInstanceArn],
      'db-cluster-id': () => (rec.data.DBClusterIdentifier === undefined ? [] : [rec.data.DBClusterIdentifier, this.clusterArn(region, rec.data.DBClusterIdentifier)]),
      'dbi-resource-id': () => [rec.data.DbiResourceId],
      engine: () => [rec.data.Engine],
    });
    const { page, marker } = this.describeDatabases(INSTANCE, region, input, one, columns, 'DescribeDBInstances');
    return { DBInstances: page.map((rec) => this.instanceOut(rec)), ...(marker === undefined ? {} : { Marker: marker }) };
  }

  protected restoreDBInstanceFromDBSnapshot(input: RestoreDBInstanceFromDBSnapshotMessage, region: string): object {
    const id = validateIdentifier(requireString(input.DBInstanceIdentifier, 'DBInstanceIdentifier'), 'DBInstanceIdentifier', 63);
    const snapshotId = this.idIn(region, requireString(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier'), 'snapshot');
    this.requireFreeTarget(INSTANCE, region, id);
    const snapshot = this.requireRestorableSnapshot(INSTANCE, region, snapshotId) as SnapshotRec;
    const rec = this.newRestoredInstance(region, id, {
      engine: snapshot.data.Engine ?? 'postgres',
      engineVersion: snapshot.data.EngineVersion ?? '16.4',
      allocatedStorage: snapshot.data.AllocatedStorage ?? 100,
      encrypted: snapshot.data.Encrypted ?? false,
      kmsKeyId: snapshot.data.KmsKeyId,
      retention: this.region(region).instances.get(snapshot.data.DBInstanceIdentifier ?? '')?.data.BackupRetentionPeriod ?? 7,
      restoreInput: input,
      // Restores take the snapshot's tags unless the request names its own.
      tags: input.Tags !== undefined && input.Tags.length > 0 ? input.Tags : snapshot.data.TagList,
    });
    rec.origin = { kind: 'snapshot', snapshotArn: snapshot.data.DBSnapshotArn ?? '' };
    return { DBInstance: this.instanceOut(rec) };
  }

  protected restoreDBInstanceToPointInTime(input: RestoreDBInstanceToPointInTimeMessage, region: string): object {
    const state = this.region(region);
    const targetId = validateIdentifier(requireString(input.TargetDBInstanceIdentifier, 'TargetDBInstanceIdentifier'), 'TargetDBInstanceIdentifier', 63);
    let source: InstanceRec | undefined;
    if (input.SourceDBInstanceIdentifier !== undefined) {
      source = this.requireInstance(region, input.SourceDBInstanceIdentifier, 'SourceDBInstanceIdentifier');
    } else if (input.SourceDbiResourceId !== undefined) {
      source = [...state.instances.values()].find((rec) => rec.data.DbiResourceId === input.SourceDbiResourceId);
      if (!source) throw rdsFault('DBInstanceNotFound', `DBInstance with resource id ${input.SourceDbiResourceId} not found.`);
    } else {
      throw rdsCommonError('MissingParameter', 'The request must contain the parameter SourceDBInstanceIdentifier');
    }
    this.requireFreeTarget(INSTANCE, region, targetId);
    const restoreTime = this.restorePoint(INSTANCE, region, source, source.data.InstanceCreateTime, input.RestoreTime, input.UseLatestRestorableTime, 'RestoreTime');
    const rec = this.newRestoredInstance(region, targetId, {
      engine: source.data.Engine ?? 'postgres',
      engineVersion: source.data.EngineVersion ?? '16.4',
      allocatedStorage: source.data.AllocatedStorage ?? 100,
      encrypted: source.data.StorageEncrypted ?? false,
      kmsKeyId: source.data.KmsKeyId,
      retention: source.data.BackupRetentionPeriod ?? 7,
      restoreInput: input,
      tags: input.Tags,
    });
    rec.origin = { kind: 'point-in-time', sourceArn: INSTANCE.arn(source), restoreTime };
    return { DBInstance: this.instanceOut(rec) };
  }

  protected newRestoredInstance(
    region: string,
    id: string,
    o: {
      engine: string;
      engineVersion: string;
      allocatedStorage: number;
      encrypted: boolean;
      kmsKeyId: string | undefined;
      /** The source's backup retention, which the restored instance keeps unless the request names one. */
      retention: number;
      restoreInput: RestoreDBInstanceFromDBSnapshotMessage | RestoreDBInstanceToPointInTimeMessage;
      tags: readonly Tag[] | undefined;
    },
  ): InstanceRec {
    const input = o.restoreInput;
    const engine = input.Engine ?? o.engine;
    if (input.ManageMasterUserPassword !== undefined && !engine.startsWith('oracle')) {
      // "ManageMasterUserPassword ... Constraints: Applies to RDS for Oracle only." (API reference,
      // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html and
      // API_RestoreDBInstanceToPointInTime.html; same text in @aws-sdk/client-rds). The reference does not name the
      // error for other engines: the fake fails closed with the common error for a parameter that does not apply.
      throw rdsCommonError('InvalidParameterCombination', `ManageMasterUserPassword is not supported for engine ${engine} on a restore; use ModifyDBInstance after the restore.`);
    }
    const multiAZ = input.MultiAZ ?? false;
    if (multiAZ && input.AvailabilityZone !== undefined) {
      throw rdsCommonError('InvalidParameterCombination', 'Requesting a specific availability zone is not valid for Multi-AZ instances.');
    }
    this.requireQuota(INSTANCE, region);
    const state = this.region(region);
    const now = this.now();
    const rec: InstanceRec = {
      seq: this.nextSeq(),
      token: 0,
      data: {
        ...this.instanceDefaults(region, id, {
          engine: input.Engine ?? o.engine,
          engineVersion: o.engineVersion,
          instanceClass: input.DBInstanceClass ?? 'db.m6g.large',
          allocatedStorage: input.AllocatedStorage ?? o.allocatedStorage,
          encrypted: o.encrypted,
          kmsKeyId: o.kmsKeyId,
        }),
        DBInstanceStatus: 'creating',
        MultiAZ: multiAZ,
        AvailabilityZone: input.AvailabilityZone ?? `${region}a`,
        ...(multiAZ ? { SecondaryAvailabilityZone: `${region}b` } : {}),
        // "Default: Uses existing setting" (API reference, BackupRetentionPeriod of both restore operations).
        BackupRetentionPeriod: retentionDays(input.BackupRetentionPeriod, o.retention),
        InstanceCreateTime: new Date(now),
        DeletionProtection: input.DeletionProtection ?? false,
        CopyTagsToSnapshot: input.CopyTagsToSnapshot ?? false,
        DBName: 'swifteats',
        TagList: mergeTags(undefined, o.tags),
        ...(input.DBSubnetGroupName === undefined ? {} : { DBSubnetGroup: { DBSubnetGroupName: input.DBSubnetGroupName } }),
        ...(input.VpcSecurityGroupIds === undefined ? {} : { VpcSecurityGroups: input.VpcSecurityGroupIds.map((g) => ({ VpcSecurityGroupId: g, Status: 'active' })) }),
        ...(input.PubliclyAccessible === undefined ? {} : { PubliclyAccessible: input.PubliclyAccessible }),
        // ManageMasterUserPassword on a restore: RDS generates a new password in a new secret of
        // its own (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html).
        ...(input.ManageMasterUserPassword === true
          ? { MasterUserSecret: { SecretArn: `arn:aws:secretsmanager:${region}:${this.accountId}:secret:rds!db-${id}-AbCdEf`, SecretStatus: 'creating', KmsKeyId: input.MasterUserSecretKmsKeyId } }
          : {}),
      },
      pitr: pitrWindow(),
      origin: undefined,
    };
    state.instances.set(id, rec);
    this.finishCreating(INSTANCE, region, rec, this.durations.instanceCreateMs, () => {
      if (rec.data.MasterUserSecret) rec.data.MasterUserSecret = { ...rec.data.MasterUserSecret, SecretStatus: 'active' };
    });
    return rec;
  }

  protected deleteDBInstance(input: DeleteDBInstanceMessage, region: string): object {
    const rec = this.requireInstance(region, input.DBInstanceIdentifier);
    if (rec.data.DBClusterIdentifier !== undefined) {
      throw rdsFault('InvalidDBClusterStateFault', `DB instance ${INSTANCE.id(rec)} is a member of DB cluster ${rec.data.DBClusterIdentifier}; delete the cluster instead.`);
    }
    this.deleteDatabase(INSTANCE, region, rec, input, 'instanceDeleteMs', {
      beforeFinalSnapshot: () => {
        if (rec.data.ReadReplicaSourceDBInstanceIdentifier !== undefined) {
          throw rdsCommonError('InvalidParameterCombination', 'FinalDBSnapshotIdentifier can not be specified when deleting a replica instance');
        }
      },
      takeFinalSnapshot: (finalId) => {
        this.checkManualSnapshotQuota(this.region(region));
        this.startSnapshot(region, rec, finalId, rec.data.CopyTagsToSnapshot === true ? rec.data.TagList : []);
      },
      removed: () => this.unlinkReplica(rec, region),
    });
    return { DBInstance: this.instanceOut(rec) };
  }

  protected rebootDBInstance(input: RebootDBInstanceMessage, region: string): object {
    const rec = this.requireInstance(region, input.DBInstanceIdentifier);
    const id = INSTANCE.id(rec);
    this.requireAvailable(INSTANCE, rec);
    const failover = input.ForceFailover === true;
    // "You can't enable force failover if the instance isn't configured for Multi-AZ."
    // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RebootDBInstance.html)
    if (failover && rec.data.MultiAZ !== true) {
      throw rdsFault('InvalidDBInstanceState', `Cannot force a failover of DB instance ${id}: it is not a Multi-AZ deployment.`);
    }
    this.transition(INSTANCE, rec, 'rebooting', failover ? this.durations.failoverMs : this.durations.rebootMs, () => {
      if (failover) {
        // The standby becomes the primary: the AZs swap once the failover completes.
        const primary = rec.data.AvailabilityZone;
        rec.data.AvailabilityZone = rec.data.SecondaryAvailabilityZone;
        rec.data.SecondaryAvailabilityZone = primary;
      }
      rec.data.DBInstanceStatus = 'available';
    });
    return { DBInstance: this.instanceOut(rec) };
  }

  protected promoteReadReplica(input: PromoteReadReplicaMessage, region: string): object {
    const rec = this.requireInstance(region, input.DBInstanceIdentifier);
    if (rec.data.ReadReplicaSourceDBInstanceIdentifier === undefined) {
      throw rdsFault('InvalidDBInstanceState', `DB instance ${INSTANCE.id(rec)} is not a read replica.`);
    }
    this.requireAvailable(INSTANCE, rec);
    // "BackupRetentionPeriod ... Default: 1" (API_PromoteReadReplica.html): a replica without backups of its own
    // gets them at promotion, and RDS takes the first backup then: the instance is `backing-up`, which can take far
    // longer than the promotion itself ("We recommend that you enable automated backups on your read replica before
    // promoting it", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html).
    const hadBackups = (rec.data.BackupRetentionPeriod ?? 0) > 0;
    const retention = retentionDays(input.BackupRetentionPeriod, hadBackups ? (rec.data.BackupRetentionPeriod ?? 1) : 1);
    this.transition(INSTANCE, rec, 'modifying', this.durations.promoteMs, (later) => {
      this.unlinkReplica(rec, region);
      rec.data.BackupRetentionPeriod = retention;
      rec.pitr.fixedEarliest = new Date(this.now());
      if (hadBackups || retention === 0) {
        rec.data.DBInstanceStatus = 'available';
        return;
      }
      rec.data.DBInstanceStatus = 'backing-up';
      later(this.durations.promoteBackupMs, () => {
        rec.data.DBInstanceStatus = 'available';
      });
    });
    return { DBInstance: this.instanceOut(rec) };
  }

  /** Only the simple, DR-relevant settings: protection, retention, tag copying, class and Multi-AZ. */
  protected modifyDBInstance(input: ModifyDBInstanceMessage, region: string): object {
    const rec = this.requireInstance(region, input.DBInstanceIdentifier);
    this.requireAvailable(INSTANCE, rec);
    if (input.DeletionProtection !== undefined) rec.data.DeletionProtection = input.DeletionProtection;
    if (input.CopyTagsToSnapshot !== undefined) rec.data.CopyTagsToSnapshot = input.CopyTagsToSnapshot;
    if (input.BackupRetentionPeriod !== undefined) rec.data.BackupRetentionPeriod = retentionDays(input.BackupRetentionPeriod, 7);
    if (input.ManageMasterUserPassword !== undefined) {
      this.manageMasterSecret(rec, input, region, 'db');
      return { DBInstance: this.instanceOut(rec) };
    }
    const wantsClass = input.DBInstanceClass !== undefined && input.DBInstanceClass !== rec.data.DBInstanceClass;
    const wantsMultiAZ = input.MultiAZ !== undefined && input.MultiAZ !== rec.data.MultiAZ;
    if (!wantsClass && !wantsMultiAZ) return { DBInstance: this.instanceOut(rec) };
    if (input.ApplyImmediately !== true) {
      // Without ApplyImmediately the change waits for the maintenance window, which the fake never reaches.
      rec.data.PendingModifiedValues = {
        ...rec.data.PendingModifiedValues,
        ...(wantsClass ? { DBInstanceClass: input.DBInstanceClass } : {}),
        ...(wantsMultiAZ ? { MultiAZ: input.MultiAZ } : {}),
      };
      return { DBInstance: this.instanceOut(rec) };
    }
    this.transition(INSTANCE, rec, 'modifying', this.durations.modifyMs, () => {
      if (wantsClass) rec.data.DBInstanceClass = input.DBInstanceClass;
      if (wantsMultiAZ) {
        rec.data.MultiAZ = input.MultiAZ;
        if (input.MultiAZ === true) rec.data.SecondaryAvailabilityZone = rec.data.AvailabilityZone === `${region}b` ? `${region}a` : `${region}b`;
        else delete rec.data.SecondaryAvailabilityZone;
      }
      rec.data.DBInstanceStatus = 'available';
    });
    return { DBInstance: this.instanceOut(rec) };
  }
}
