/**
 * DB snapshots and DB cluster snapshots: seeding, create, describe, delete, and copies (in and across regions,
 * with the limit on cross-region copies in progress).
 */
import {
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  InvalidDBClusterSnapshotStateFault,
  InvalidDBClusterStateFault,
} from '@aws-sdk/client-rds';
import type {
  CopyDBClusterSnapshotMessage,
  CopyDBSnapshotMessage,
  CreateDBClusterSnapshotMessage,
  CreateDBSnapshotMessage,
  DBClusterSnapshot,
  DBSnapshot,
  DeleteDBClusterSnapshotMessage,
  DeleteDBSnapshotMessage,
  DescribeDBClusterSnapshotsMessage,
  DescribeDBSnapshotsMessage,
  Tag,
} from '@aws-sdk/client-rds';
import {
  CROSS_REGION_COPIES_IN_PROGRESS_MAX,
  type SeedSnapshot,
  type SeedClusterSnapshot,
  rdsFault,
  rdsCommonError,
  type InstanceRec,
  type ClusterRec,
  type SnapshotRec,
  type ClusterSnapshotRec,
  type RegionState,
  MULTI_AZ_CLUSTER_ENGINES,
  parseArn,
  mergeTags,
  clone,
  requireString,
  validateIdentifier,
  resourceId,
  matchesFilters,
} from './model.ts';
import { RdsClusters } from './clusters.ts';
import { CLUSTER, INSTANCE } from './databases.ts';

/** DB snapshot and DB cluster snapshot operations. Passes every other operation down. */
export abstract class RdsSnapshots extends RdsClusters {
  /** Seeds a DB snapshot (manual or automated) directly, e.g. a history for retention tests. */
  addSnapshot(seed: SeedSnapshot): DBSnapshot {
    this.settle();
    const state = this.region(seed.region);
    const id = seed.id.toLowerCase();
    if (state.snapshots.has(id)) throw new Error(`RdsFake.addSnapshot: ${id} already exists in ${seed.region}`);
    const created = seed.SnapshotCreateTime ?? this.clock.now();
    const encrypted = seed.Encrypted ?? true;
    const data: DBSnapshot = {
      DBSnapshotIdentifier: id,
      DBInstanceIdentifier: seed.instanceId.toLowerCase(),
      SnapshotCreateTime: created,
      OriginalSnapshotCreateTime: created,
      SnapshotDatabaseTime: seed.SnapshotDatabaseTime ?? created,
      Engine: seed.Engine ?? 'postgres',
      EngineVersion: '16.4',
      AllocatedStorage: 100,
      Status: seed.status ?? 'available',
      Port: 5432,
      AvailabilityZone: `${seed.region}a`,
      VpcId: 'vpc-0fake0000000000001',
      MasterUsername: 'postgres',
      LicenseModel: 'postgresql-license',
      SnapshotType: seed.SnapshotType ?? 'manual',
      PercentProgress: 100,
      StorageType: 'gp3',
      Encrypted: encrypted,
      ...(encrypted ? { KmsKeyId: seed.KmsKeyId ?? this.defaultKmsKeyArn(seed.region) } : {}),
      DBSnapshotArn: this.snapshotArn(seed.region, id),
      DbiResourceId: resourceId('db', seed.instanceId.toLowerCase()),
      SnapshotTarget: 'region',
      TagList: mergeTags(undefined, seed.tags),
    };
    state.snapshots.set(id, { seq: this.nextSeq(), data, startedAt: created.getTime(), durationMs: this.durations.snapshotCreateMs });
    return this.snapshot(seed.region, id) as DBSnapshot;
  }

  /** Seeds a DB cluster snapshot directly. */
  addClusterSnapshot(seed: SeedClusterSnapshot): DBClusterSnapshot {
    this.settle();
    const state = this.region(seed.region);
    const id = seed.id.toLowerCase();
    if (state.clusterSnapshots.has(id)) throw new Error(`RdsFake.addClusterSnapshot: ${id} already exists in ${seed.region}`);
    const created = seed.SnapshotCreateTime ?? this.clock.now();
    const encrypted = seed.StorageEncrypted ?? true;
    const data: DBClusterSnapshot = {
      AvailabilityZones: [`${seed.region}a`, `${seed.region}b`, `${seed.region}c`],
      DBClusterSnapshotIdentifier: id,
      DBClusterIdentifier: seed.clusterId.toLowerCase(),
      SnapshotCreateTime: created,
      Engine: seed.Engine ?? 'postgres',
      EngineVersion: '16.4',
      AllocatedStorage: 100,
      Status: seed.status ?? 'available',
      Port: 5432,
      VpcId: 'vpc-0fake0000000000001',
      MasterUsername: 'postgres',
      SnapshotType: seed.SnapshotType ?? 'manual',
      PercentProgress: 100,
      StorageEncrypted: encrypted,
      ...(encrypted ? { KmsKeyId: seed.KmsKeyId ?? this.defaultKmsKeyArn(seed.region) } : {}),
      DBClusterSnapshotArn: this.clusterSnapshotArn(seed.region, id),
      DbClusterResourceId: resourceId('cluster', seed.clusterId.toLowerCase()),
      TagList: mergeTags(undefined, seed.tags),
    };
    state.clusterSnapshots.set(id, { seq: this.nextSeq(), data, startedAt: created.getTime(), durationMs: this.durations.snapshotCreateMs });
    return this.clusterSnapshot(seed.region, id) as DBClusterSnapshot;
  }

  /** A DB snapshot (with TagList) as DescribeDBSnapshots would show it now, or undefined. */
  snapshot(region: string, id: string): DBSnapshot | undefined {
    this.settle();
    const rec = this.region(region).snapshots.get(id.toLowerCase());
    return rec ? this.snapshotOut(rec) : undefined;
  }

  /** Every DB snapshot of a region (manual and automated), in creation order. */
  snapshots(region: string): DBSnapshot[] {
    this.settle();
    return [...this.region(region).snapshots.values()].map((rec) => this.snapshotOut(rec));
  }

  /** A DB cluster snapshot as DescribeDBClusterSnapshots would show it now, or undefined. */
  clusterSnapshot(region: string, id: string): DBClusterSnapshot | undefined {
    this.settle();
    const rec = this.region(region).clusterSnapshots.get(id.toLowerCase());
    return rec ? this.clusterSnapshotOut(rec) : undefined;
  }

  /** Every DB cluster snapshot of a region, in creation order. */
  clusterSnapshots(region: string): DBClusterSnapshot[] {
    this.settle();
    return [...this.region(region).clusterSnapshots.values()].map((rec) => this.clusterSnapshotOut(rec));
  }

  // ------------------------------------------------------------------ snapshots

  protected createDBSnapshot(input: CreateDBSnapshotMessage, region: string): object {
    const state = this.region(region);
    const snapshotId = validateIdentifier(requireString(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier'), 'DBSnapshotIdentifier', 255);
    const rec = this.requireInstance(region, input.DBInstanceIdentifier);
    const instanceId = rec.data.DBInstanceIdentifier ?? '';
    if (state.snapshots.has(snapshotId)) {
      throw rdsFault('DBSnapshotAlreadyExists', `Cannot create the snapshot because a snapshot with the identifier ${snapshotId} already exists.`);
    }
    if (rec.data.DBClusterIdentifier !== undefined) {
      // RDS answers InvalidParameterValue "The specified instance is a member of a cluster and a snapshot cannot be
      // created directly. Please use the CreateDBClusterSnapshot API instead." (quoted in cevoaustralia/aws-backup-lambda#5).
      throw rdsCommonError('InvalidParameterValue', 'The specified instance is a member of a cluster and a snapshot cannot be created directly. Please use the CreateDBClusterSnapshot API instead.');
    }
    if (rec.data.DBInstanceStatus !== 'available') {
      throw rdsFault('InvalidDBInstanceState', `Cannot create a snapshot because the database instance ${instanceId} is not currently in the available state.`);
    }
    this.checkManualSnapshotQuota(state);
    const snapshot = this.startSnapshot(region, rec, snapshotId, this.snapshotTags(input.Tags, rec));
    // While RDS takes the snapshot the instance shows `backing-up` ("The DB instance is being backed up",
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status);
    // RDS refuses another snapshot, a promotion or a reboot with failover then (InvalidDBInstanceState).
    this.transition(INSTANCE, rec, 'backing-up', Math.min(this.durations.backingUpMs, this.durations.snapshotCreateMs), () => {
      rec.data.DBInstanceStatus = 'available';
    });
    return { DBSnapshot: this.snapshotOut(snapshot) };
  }

  protected startSnapshot(region: string, instance: InstanceRec, snapshotId: string, tags: readonly Tag[] | undefined): SnapshotRec {
    const state = this.region(region);
    const now = this.now();
    const data: DBSnapshot = {
      DBSnapshotIdentifier: snapshotId,
      DBInstanceIdentifier: instance.data.DBInstanceIdentifier,
      SnapshotCreateTime: new Date(now),
      OriginalSnapshotCreateTime: new Date(now),
      // "The timestamp of the most recent transaction applied to the database that you're backing up" (DBSnapshot).
      SnapshotDatabaseTime: new Date(now),
      Engine: instance.data.Engine,
      EngineVersion: instance.data.EngineVersion,
      AllocatedStorage: instance.data.AllocatedStorage,
      Status: 'creating',
      Port: 5432,
      AvailabilityZone: instance.data.AvailabilityZone,
      VpcId: 'vpc-0fake0000000000001',
      InstanceCreateTime: instance.data.InstanceCreateTime,
      MasterUsername: instance.data.MasterUsername,
      LicenseModel: 'postgresql-license',
      SnapshotType: 'manual',
      PercentProgress: 0,
      StorageType: instance.data.StorageType,
      Encrypted: instance.data.StorageEncrypted ?? false,
      ...(instance.data.KmsKeyId === undefined ? {} : { KmsKeyId: instance.data.KmsKeyId }),
      DBSnapshotArn: this.snapshotArn(region, snapshotId),
      DbiResourceId: instance.data.DbiResourceId,
      SnapshotTarget: 'region',
      TagList: mergeTags(undefined, tags),
    };
    const rec: SnapshotRec = { seq: this.nextSeq(), data, startedAt: now, durationMs: this.durations.snapshotCreateMs };
    state.snapshots.set(snapshotId, rec);
    this.completeSnapshot(state.snapshots, snapshotId, rec);
    return rec;
  }

  protected createDBClusterSnapshot(input: CreateDBClusterSnapshotMessage, region: string): object {
    const state = this.region(region);
    const snapshotId = validateIdentifier(requireString(input.DBClusterSnapshotIdentifier, 'DBClusterSnapshotIdentifier'), 'DBClusterSnapshotIdentifier', 255);
    const rec = this.requireCluster(region, input.DBClusterIdentifier);
    if (state.clusterSnapshots.has(snapshotId)) {
      throw rdsFault('DBClusterSnapshotAlreadyExistsFault', `Cannot create the cluster snapshot because one with the identifier ${snapshotId} already exists.`);
    }
    this.requireAvailable(CLUSTER, rec);
    this.checkManualClusterSnapshotQuota(state);
    const snapshot = this.startClusterSnapshot(region, rec, snapshotId, this.snapshotTags(input.Tags, rec));
    return { DBClusterSnapshot: this.clusterSnapshotOut(snapshot) };
  }

  protected startClusterSnapshot(region: string, cluster: ClusterRec, snapshotId: string, tags: readonly Tag[] | undefined): ClusterSnapshotRec {
    const state = this.region(region);
    const now = this.now();
    const data: DBClusterSnapshot = {
      AvailabilityZones: [...(cluster.data.AvailabilityZones ?? [])],
      DBClusterSnapshotIdentifier: snapshotId,
      DBClusterIdentifier: cluster.data.DBClusterIdentifier,
      SnapshotCreateTime: new Date(now),
      Engine: cluster.data.Engine,
      EngineVersion: cluster.data.EngineVersion,
      AllocatedStorage: cluster.data.AllocatedStorage,
      Status: 'creating',
      Port: cluster.data.Port,
      VpcId: 'vpc-0fake0000000000001',
      ClusterCreateTime: cluster.data.ClusterCreateTime,
      MasterUsername: cluster.data.MasterUsername,
      SnapshotType: 'manual',
      PercentProgress: 0,
      StorageEncrypted: cluster.data.StorageEncrypted ?? false,
      ...(cluster.data.KmsKeyId === undefined ? {} : { KmsKeyId: cluster.data.KmsKeyId }),
      DBClusterSnapshotArn: this.clusterSnapshotArn(region, snapshotId),
      DbClusterResourceId: cluster.data.DbClusterResourceId,
      StorageType: cluster.data.StorageType,
      TagList: mergeTags(undefined, tags),
    };
    const rec: ClusterSnapshotRec = { seq: this.nextSeq(), data, startedAt: now, durationMs: this.durations.snapshotCreateMs };
    state.clusterSnapshots.set(snapshotId, rec);
    this.completeSnapshot(state.clusterSnapshots, snapshotId, rec);
    return rec;
  }

  /**
   * Semantics from https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshots.html:
   * without SnapshotType both automated and manual snapshots are returned (shared and public never are, in a
   * one-account fake); an automated snapshot named by DBSnapshotIdentifier is only found with SnapshotType automated.
   */
  protected describeDBSnapshots(input: DescribeDBSnapshotsMessage, region: string): object {
    const state = this.region(region);
    const type = input.SnapshotType;
    let recs = this.ofSnapshotType(state.snapshots, type);
    if (input.DBSnapshotIdentifier !== undefined) {
      const id = this.idIn(region, input.DBSnapshotIdentifier, 'snapshot');
      recs = recs.filter((rec) => rec.data.DBSnapshotIdentifier === id);
      if (recs.length === 0) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${id} not found.`);
    }
    if (input.DBInstanceIdentifier !== undefined) {
      const instanceId = this.idIn(region, input.DBInstanceIdentifier, 'db');
      recs = recs.filter((rec) => rec.data.DBInstanceIdentifier === instanceId);
    }
    if (input.DbiResourceId !== undefined) recs = recs.filter((rec) => rec.data.DbiResourceId === input.DbiResourceId);
    recs = recs.filter((rec) =>
      matchesFilters(input.Filters, {
        'db-instance-id': () => [rec.data.DBInstanceIdentifier, this.instanceArn(region, rec.data.DBInstanceIdentifier ?? '')],
        'db-snapshot-id': () => [rec.data.DBSnapshotIdentifier],
        'dbi-resource-id': () => [rec.data.DbiResourceId],
        'snapshot-type': () => [rec.data.SnapshotType],
        engine: () => [rec.data.Engine],
      }),
    );
    const { page, marker } = this.paginate(recs, input, 'DescribeDBSnapshots');
    return { DBSnapshots: page.map((rec) => this.snapshotOut(rec)), ...(marker === undefined ? {} : { Marker: marker }) };
  }

  protected describeDBClusterSnapshots(input: DescribeDBClusterSnapshotsMessage, region: string): object {
    const state = this.region(region);
    const type = input.SnapshotType;
    let recs = this.ofSnapshotType(state.clusterSnapshots, type);
    if (input.DBClusterSnapshotIdentifier !== undefined) {
      const id = this.idIn(region, input.DBClusterSnapshotIdentifier, 'cluster-snapshot');
      recs = recs.filter((rec) => rec.data.DBClusterSnapshotIdentifier === id);
      if (recs.length === 0) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`);
    }
    if (input.DBClusterIdentifier !== undefined) {
      const clusterId = this.idIn(region, input.DBClusterIdentifier, 'cluster');
      recs = recs.filter((rec) => rec.data.DBClusterIdentifier === clusterId);
    }
    recs = recs.filter((rec) =>
      matchesFilters(input.Filters, {
        'db-cluster-id': () => [rec.data.DBClusterIdentifier, this.clusterArn(region, rec.data.DBClusterIdentifier ?? '')],
        'db-cluster-snapshot-id': () => [rec.data.DBClusterSnapshotIdentifier],
        'snapshot-type': () => [rec.data.SnapshotType],
        engine: () => [rec.data.Engine],
      }),
    );
    const { page, marker } = this.paginate(recs, input, 'DescribeDBClusterSnapshots');
    return { DBClusterSnapshots: page.map((rec) => this.clusterSnapshotOut(rec)), ...(marker === undefined ? {} : { Marker: marker }) };
  }

  /**
   * "The DB snapshot must be in the available state to be deleted", and "if the snapshot is being copied, the copy
   * operation is terminated" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBSnapshot.html):
   * so `available` and an in-flight copy target may be deleted, a snapshot still `creating` may not.
   * Automated snapshots are managed by RDS and cannot be deleted this way.
   */
  protected deleteDBSnapshot(input: DeleteDBSnapshotMessage, region: string): object {
    const state = this.region(region);
    const id = this.idIn(region, requireString(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier'), 'snapshot');
    const rec = state.snapshots.get(id);
    if (!rec) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${id} not found.`);
    if (rec.data.SnapshotType !== 'manual') throw rdsFault('InvalidDBSnapshotState', `Only manual snapshots may be deleted: ${id} is ${rec.data.SnapshotType}.`);
    if (rec.data.Status !== 'available' && rec.data.Status !== 'copying' && rec.data.Status !== 'pending') {
      throw rdsFault('InvalidDBSnapshotState', `Cannot delete the snapshot ${id} because it is in the ${rec.data.Status} state.`);
    }
    state.snapshots.delete(id);
    if (rec.copy === true && rec.data.Status === 'copying') this.startNextPending(rec.data.SourceDBSnapshotIdentifier);
    const out = this.snapshotOut(rec);
    out.Status = 'deleted';
    return { DBSnapshot: out };
  }

  protected deleteDBClusterSnapshot(input: DeleteDBClusterSnapshotMessage, region: string): object {
    const state = this.region(region);
    const id = this.idIn(region, requireString(input.DBClusterSnapshotIdentifier, 'DBClusterSnapshotIdentifier'), 'cluster-snapshot');
    const rec = state.clusterSnapshots.get(id);
    if (!rec) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`);
    if (rec.data.SnapshotType !== 'manual') throw rdsFault('InvalidDBClusterSnapshotStateFault', `Only manual cluster snapshots may be deleted: ${id} is ${rec.data.SnapshotType}.`);
    if (rec.data.Status !== 'available' && rec.data.Status !== 'copying') {
      throw rdsFault('InvalidDBClusterSnapshotStateFault', `Cannot delete the cluster snapshot ${id} because it is in the ${rec.data.Status} state.`);
    }
    state.clusterSnapshots.delete(id);
    const out = this.clusterSnapshotOut(rec);
    out.Status = 'deleted';
    return { DBClusterSnapshot: out };
  }

  /**
   * CopyDBSnapshot is called in the destination region; a source in another region must be named by its ARN
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBSnapshot.html). The SDK's presigned-URL
   * middleware does not run under aws-sdk-client-mock, so PreSignedUrl is not required here.
   * An encrypted cross-region copy without KmsKeyId fails with InvalidParameterValue "Must specify new KMS key for
   * cross region encrypted snapshot copy." (the doc: "you must specify a KMS key for the destination AWS Region").
   */
  protected copyDBSnapshot(input: CopyDBSnapshotMessage, region: string): object {
    const target = this.region(region);
    const sourceRef = requireString(input.SourceDBSnapshotIdentifier, 'SourceDBSnapshotIdentifier');
    const targetId = validateIdentifier(requireString(input.TargetDBSnapshotIdentifier, 'TargetDBSnapshotIdentifier'), 'TargetDBSnapshotIdentifier', 255);
    const arn = parseArn(sourceRef);
    if (arn && arn.type !== 'snapshot') throw rdsCommonError('InvalidParameterValue', `${sourceRef} is not a DB snapshot ARN.`);
    if (arn && arn.account !== this.accountId) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${sourceRef} not found.`);
    const sourceRegion = arn?.region ?? region;
    const sourceId = arn?.id ?? sourceRef.toLowerCase();
    const source = this.region(sourceRegion).snapshots.get(sourceId);
    if (!source) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${sourceId} not found.`);
    if (source.data.Status !== 'available') {
      throw rdsFault('InvalidDBSnapshotState', `Snapshot ${sourceId} is not in available state (status: ${source.data.Status}).`);
    }
    if (target.snapshots.has(targetId)) {
      throw rdsFault('DBSnapshotAlreadyExists', `Cannot create the snapshot because a snapshot with the identifier ${targetId} already exists.`);
    }
    const crossRegion = sourceRegion !== region;
    if (crossRegion && source.data.Encrypted === true && input.KmsKeyId === undefined) {
      throw rdsCommonError('InvalidParameterValue', 'Must specify new KMS key for cross region encrypted snapshot copy.');
    }
    this.checkKey(source.data.KmsKeyId, sourceRegion, 'source snapshot');
    this.checkKey(input.KmsKeyId, region, 'target');
    this.checkManualSnapshotQuota(target);
    const inProgress = [...target.snapshots.values()].filter((r) => r.copy === true && r.data.SourceRegion !== undefined && (r.data.Status === 'copying' || r.data.Status === 'pending'));
    if (crossRegion && inProgress.length >= CROSS_REGION_COPIES_IN_PROGRESS_MAX) {
      throw rdsFault('SnapshotQuotaExceeded', `Cannot have more than ${CROSS_REGION_COPIES_IN_PROGRESS_MAX} cross-region snapshot copy requests in progress to ${region}.`);
    }
    const tags = mergeTags(input.CopyTags === true ? source.data.TagList : [], input.Tags);
    const now = this.now();
    const encrypted = source.data.Encrypted === true || input.KmsKeyId !== undefined;
    const data: DBSnapshot = {
      ...clone(source.data),
      DBSnapshotIdentifier: targetId,
      // SnapshotCreateTime "changes for the copy"; OriginalSnapshotCreateTime "doesn't change when the snapshot is copied".
      SnapshotCreateTime: new Date(now),
      OriginalSnapshotCreateTime: source.data.OriginalSnapshotCreateTime ?? source.data.SnapshotCreateTime,
      // The copy holds the source's data: its data point is the source's.
      SnapshotDatabaseTime: source.data.SnapshotDatabaseTime ?? source.data.SnapshotCreateTime,
      Status: 'copying',
      SnapshotType: 'manual',
      PercentProgress: 0,
      Encrypted: encrypted,
      DBSnapshotArn: this.snapshotArn(region, targetId),
      TagList: tags,
    };
    if (encrypted) data.KmsKeyId = input.KmsKeyId ?? source.data.KmsKeyId;
    else delete data.KmsKeyId;
    // SourceRegion / SourceDBSnapshotIdentifier only have a value for cross-region (or cross-account) copies.
    if (crossRegion) {
      data.SourceRegion = sourceRegion;
      data.SourceDBSnapshotIdentifier = source.data.DBSnapshotArn;
      data.AvailabilityZone = `${region}a`;
    } else {
      delete data.SourceRegion;
      delete data.SourceDBSnapshotIdentifier;
    }
    const durationMs = crossRegion ? this.durations.crossRegionCopyMs : this.durations.snapshotCopyMs;
    const rec: SnapshotRec = { seq: this.nextSeq(), data, startedAt: now, durationMs, copy: true };
    target.snapshots.set(targetId, rec);
    // Copies of one source run one at a time: a second one waits as `pending` ("Amazon RDS might put new
    // cross-Region copy requests ... into a queue ... No progress information is displayed about copy requests
    // while they are in the queue", USER_CopySnapshot.html).
    const sourceArn = source.data.DBSnapshotArn ?? '';
    if (crossRegion && this.copiesOf(sourceArn).some((r) => r !== rec && r.data.Status === 'copying')) {
      rec.data.Status = 'pending';
    } else {
      this.runCopy(target, targetId, rec);
    }
    return { DBSnapshot: this.snapshotOut(rec) };
  }

  /** Cross-region copies of one source snapshot, in every region, oldest first. */
  protected copiesOf(sourceArn: string): SnapshotRec[] {
    return [...this.regions.values()]
      .flatMap((state) => [...state.snapshots.values()])
      .filter((r) => r.copy === true && r.data.SourceDBSnapshotIdentifier === sourceArn)
      .sort((a, b) => a.seq - b.seq);
  }

  protected runCopy(target: RegionState, targetId: string, rec: SnapshotRec): void {
    rec.data.Status = 'copying';
    rec.startedAt = this.now();
    this.schedule(rec.durationMs, () => {
      if (target.snapshots.get(targetId) !== rec || rec.data.Status !== 'copying') return;
      rec.data.Status = 'available';
      this.startNextPending(rec.data.SourceDBSnapshotIdentifier);
    });
  }

  protected startNextPending(sourceArn: string | undefined): void {
    if (sourceArn === undefined) return;
    const next = this.copiesOf(sourceArn).find((r) => r.data.Status === 'pending');
    if (!next) return;
    const arn = parseArn(next.data.DBSnapshotArn ?? '');
    const state = arn ? this.regions.get(arn.region) : undefined;
    if (state && arn) this.runCopy(state, arn.id, next);
  }

  /**
   * Aurora cluster snapshots can be copied (a cancelled copy is deleted while "copying", per
   * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBClusterSnapshot.html), but RDS does not support
   * "Copying a snapshot of a Multi-AZ DB cluster"
   * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.Limitations.html).
   */
  protected copyDBClusterSnapshot(input: CopyDBClusterSnapshotMessage, region: string): object {
    const target = this.region(region);
    const sourceRef = requireString(input.SourceDBClusterSnapshotIdentifier, 'SourceDBClusterSnapshotIdentifier');
    const targetId = validateIdentifier(requireString(input.TargetDBClusterSnapshotIdentifier, 'TargetDBClusterSnapshotIdentifier'), 'TargetDBClusterSnapshotIdentifier', 63);
    const arn = parseArn(sourceRef);
    if (arn && arn.type !== 'cluster-snapshot') throw rdsCommonError('InvalidParameterValue', `${sourceRef} is not a DB cluster snapshot ARN.`);
    const sourceRegion = arn?.region ?? region;
    const sourceId = arn?.id ?? sourceRef.toLowerCase();
    const source = this.region(sourceRegion).clusterSnapshots.get(sourceId);
    if (!source) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${sourceId} not found.`);
    if (MULTI_AZ_CLUSTER_ENGINES.has(source.data.Engine ?? '')) {
      throw rdsCommonError('InvalidParameterCombination', `Copying a snapshot of a Multi-AZ DB cluster isn't supported (${sourceId}).`);
    }
    if (source.data.Status !== 'available') {
      throw rdsFault('InvalidDBClusterSnapshotStateFault', `Snapshot ${sourceId} is not in available state (status: ${source.data.Status}).`);
    }
    if (target.clusterSnapshots.has(targetId)) {
      throw rdsFault('DBClusterSnapshotAlreadyExistsFault', `Cannot create the cluster snapshot because one with the identifier ${targetId} already exists.`);
    }
    const crossRegion = sourceRegion !== region;
    if (crossRegion && source.data.StorageEncrypted === true && input.KmsKeyId === undefined) {
      throw rdsCommonError('InvalidParameterValue', 'Must specify new KMS key for cross region encrypted snapshot copy.');
    }
    this.checkKey(source.data.KmsKeyId, sourceRegion, 'source snapshot');
    this.checkKey(input.KmsKeyId, region, 'target');
    this.checkManualClusterSnapshotQuota(target);
    const now = this.now();
    const data: DBClusterSnapshot = {
      ...clone(source.data),
      DBClusterSnapshotIdentifier: targetId,
      SnapshotCreateTime: new Date(now),
      Status: 'copying',
      SnapshotType: 'manual',
      PercentProgress: 0,
      DBClusterSnapshotArn: this.clusterSnapshotArn(region, targetId),
      SourceDBClusterSnapshotArn: source.data.DBClusterSnapshotArn,
      TagList: mergeTags(input.CopyTags === true ? source.data.TagList : [], input.Tags),
      ...(input.KmsKeyId === undefined ? {} : { KmsKeyId: input.KmsKeyId }),
    };
    const durationMs = crossRegion ? this.durations.crossRegionCopyMs : this.durations.snapshotCopyMs;
    const rec: ClusterSnapshotRec = { seq: this.nextSeq(), data, startedAt: now, durationMs };
    target.clusterSnapshots.set(targetId, rec);
    this.schedule(durationMs, () => {
      if (target.clusterSnapshots.get(targetId) !== rec || rec.data.Status !== 'copying') return;
      rec.data.Status = 'available';
    });
    return { DBClusterSnapshot: this.clusterSnapshotOut(rec) };
  }
}
