/**
 * What is neither an instance, a cluster nor a snapshot: replicated automated backups, account attributes (quotas)
 * and tags on any resource.
 */
import { DBClusterNotFoundFault, DBInstanceAutomatedBackupNotFoundFault, DBSnapshotNotFoundFault } from '@aws-sdk/client-rds';
import type {
  AccountQuota,
  AddTagsToResourceMessage,
  DBCluster,
  DBClusterSnapshot,
  DBInstance,
  DBInstanceAutomatedBackup,
  DescribeDBInstanceAutomatedBackupsMessage,
  DBSnapshot,
  ListTagsForResourceMessage,
  RemoveTagsFromResourceMessage,
  Tag,
} from '@aws-sdk/client-rds';
import {
  type RdsQuotaName,
  rdsFault,
  rdsCommonError,
  DAY_MS,
  parseArn,
  mergeTags,
  clone,
  requireString,
  matchesFilters,
} from './model.ts';
import { RdsSnapshots } from './snapshots.ts';

/** Automated backups, account attributes and tags. Passes every other operation down. */
export abstract class RdsOther extends RdsSnapshots {
  /**
   * Starts replicating an instance's automated backups into `region`, as StartDBInstanceAutomatedBackupsReplication
   * called in that region would (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html).
   * The replicated restore window trails the source's LatestRestorableTime by `lagMs`, or is fixed by `latest`.
   */
  replicateAutomatedBackups(o: { sourceRegion: string; sourceId: string; region: string; kmsKeyId?: string; lagMs?: number; latest?: Date }): void {
    this.settle();
    const source = this.region(o.sourceRegion).instances.get(o.sourceId.toLowerCase());
    if (!source) throw new Error(`RdsFake.replicateAutomatedBackups: no instance ${o.sourceId} in ${o.sourceRegion}`);
    this.region(o.region).replicatedBackups.push({
      seq: this.nextSeq(),
      sourceRegion: o.sourceRegion,
      sourceId: source.data.DBInstanceIdentifier ?? '',
      sourceArn: source.data.DBInstanceArn ?? '',
      dbiResourceId: source.data.DbiResourceId ?? '',
      kmsKeyId: o.kmsKeyId ?? this.defaultKmsKeyArn(o.region),
      retention: source.data.BackupRetentionPeriod ?? 7,
      lagMs: o.lagMs ?? 0,
      fixedLatest: o.latest,
      startedAt: this.now(),
      status: 'replicating',
    });
  }

  protected accountQuotas(region: string): AccountQuota[] {
    const state = this.region(region);
    const used: Record<RdsQuotaName, number> = {
      DBInstances: state.instances.size,
      DBClusters: state.clusters.size,
      ManualSnapshots: this.manualSnapshotCount(state),
      ManualClusterSnapshots: this.manualClusterSnapshotCount(state),
    };
    return (Object.keys(used) as RdsQuotaName[]).map((name) => ({ AccountQuotaName: name, Used: used[name], Max: state.quotas[name] }));
  }

  /** DescribeAccountAttributes: the region's quotas and their usage. */
  protected describeAccountAttributes(_input: object, region: string): object {
    return { AccountQuotas: this.accountQuotas(region) };
  }

  /**
   * Automated backups of the region: those of its own instances with backups on (`active`) and those replicated
   * into it from another region (`replicating`, or `retained` once their source is gone). Filters per
   * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstanceAutomatedBackups.html:
   * `status`, `db-instance-id` ("Accepts DB instance identifiers and Amazon Resource Names (ARNs)") and
   * `dbi-resource-id`. A DBInstanceIdentifier that matches nothing is DBInstanceAutomatedBackupNotFoundFault.
   */
  protected describeDBInstanceAutomatedBackups(input: DescribeDBInstanceAutomatedBackupsMessage, region: string): object {
    const state = this.region(region);
    const items: { seq: number; backup: DBInstanceAutomatedBackup }[] = [];
    for (const rec of state.instances.values()) {
      if (!rec.data.BackupRetentionPeriod || rec.data.DBClusterIdentifier !== undefined) continue;
      const latest = this.latestRestorable(rec.pitr, rec.data.BackupRetentionPeriod, rec.data.DBInstanceStatus);
      items.push({
        seq: rec.seq,
        backup: {
          DBInstanceArn: rec.data.DBInstanceArn,
          DbiResourceId: rec.data.DbiResourceId,
          Region: region,
          DBInstanceIdentifier: rec.data.DBInstanceIdentifier,
          Status: latest === undefined ? 'creating' : 'active',
          Engine: rec.data.Engine,
          EngineVersion: rec.data.EngineVersion,
          BackupRetentionPeriod: rec.data.BackupRetentionPeriod,
          Encrypted: rec.data.StorageEncrypted,
          ...(rec.data.KmsKeyId === undefined ? {} : { KmsKeyId: rec.data.KmsKeyId }),
          ...(latest === undefined ? {} : { RestoreWindow: { EarliestTime: this.earliestRestorable(rec.pitr, rec.data.BackupRetentionPeriod, rec.data.InstanceCreateTime), LatestTime: latest } }),
        },
      });
    }
    for (const rep of state.replicatedBackups) {
      const source = this.regions.get(rep.sourceRegion)?.instances.get(rep.sourceId);
      if (rep.status === 'replicating' && source?.data.DBInstanceArn !== rep.sourceArn) rep.status = 'retained';
      const sourceLatest = source ? this.latestRestorable(source.pitr, source.data.BackupRetentionPeriod, source.data.DBInstanceStatus) : undefined;
      const latest = rep.fixedLatest ?? (sourceLatest === undefined ? undefined : new Date(sourceLatest.getTime() - rep.lagMs));
      const arnSuffix = rep.dbiResourceId.replace(/^db-/, 'ab-');
      items.push({
        seq: rep.seq,
        backup: {
          DBInstanceArn: rep.sourceArn,
          DbiResourceId: rep.dbiResourceId,
          Region: rep.sourceRegion,
          DBInstanceIdentifier: rep.sourceId,
          Status: rep.status,
          BackupRetentionPeriod: rep.retention,
          Encrypted: true,
          KmsKeyId: rep.kmsKeyId,
          DBInstanceAutomatedBackupsArn: `arn:aws:rds:${region}:${this.accountId}:auto-backup:${arnSuffix}`,
          ...(latest === undefined ? {} : { RestoreWindow: { EarliestTime: new Date(Math.max(rep.startedAt, latest.getTime() - rep.retention * DAY_MS)), LatestTime: latest } }),
        },
      });
    }
    let matched = items;
    if (input.DBInstanceIdentifier !== undefined) {
      const id = input.DBInstanceIdentifier.toLowerCase();
      matched = matched.filter((i) => i.backup.DBInstanceIdentifier === id);
      if (matched.length === 0) throw rdsFault('DBInstanceAutomatedBackupNotFound', `No automated backup found for DB instance ${id}.`);
    }
    if (input.DbiResourceId !== undefined) matched = matched.filter((i) => i.backup.DbiResourceId?.toLowerCase() === input.DbiResourceId?.toLowerCase());
    if (input.DBInstanceAutomatedBackupsArn !== undefined) matched = matched.filter((i) => i.backup.DBInstanceAutomatedBackupsArn === input.DBInstanceAutomatedBackupsArn);
    matched = matched.filter((i) =>
      matchesFilters(input.Filters, {
        status: () => [i.backup.Status],
        'db-instance-id': () => [i.backup.DBInstanceIdentifier, i.backup.DBInstanceArn],
        'dbi-resource-id': () => [i.backup.DbiResourceId],
      }),
    );
    const { page, marker } = this.paginate(matched, input, 'DescribeDBInstanceAutomatedBackups');
    return { DBInstanceAutomatedBackups: page.map((i) => i.backup), ...(marker === undefined ? {} : { Marker: marker }) };
  }

  // ------------------------------------------------------------------ tags

  /** Finds the tag list of the resource an ARN names; each resource type has its own not-found fault. */
  protected taggable(resourceName: string | undefined, region: string): { TagList?: Tag[] | undefined } {
    const name = requireString(resourceName, 'ResourceName');
    const arn = parseArn(name);
    if (!arn || arn.account !== this.accountId) throw rdsCommonError('InvalidParameterValue', `Invalid resource name: ${name}`);
    if (arn.region !== region) {
      throw rdsCommonError('InvalidParameterValue', `The resource ${name} is not in region ${region}.`);
    }
    const state = this.region(region);
    switch (arn.type) {
      case 'db': {
        const rec = state.instances.get(arn.id);
        if (!rec) throw rdsFault('DBInstanceNotFound', `DBInstance ${arn.id} not found.`);
        return rec.data;
      }
      case 'snapshot': {
        const rec = state.snapshots.get(arn.id);
        if (!rec) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${arn.id} not found.`);
        return rec.data;
      }
      case 'cluster': {
        const rec = state.clusters.get(arn.id);
        if (!rec) throw rdsFault('DBClusterNotFoundFault', `DBCluster ${arn.id} not found.`);
        return rec.data;
      }
      case 'cluster-snapshot': {
        const rec = state.clusterSnapshots.get(arn.id);
        // The tag operations declare DBSnapshotNotFoundFault and no cluster-snapshot fault (SDK model,
        // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_AddTagsToResource.html#API_AddTagsToResource_Errors).
        if (!rec) throw rdsFault('DBSnapshotNotFound', `DBClusterSnapshot ${arn.id} not found.`);
        return rec.data;
      }
    }
  }

  protected addTagsToResource(input: AddTagsToResourceMessage, region: string): object {
    const resource = this.taggable(input.ResourceName, region);
    const tags = input.Tags ?? [];
    const reserved = tags.find((t) => t.Key?.toLowerCase().startsWith('aws:') === true);
    if (reserved) throw rdsCommonError('InvalidParameterValue', `Tag keys cannot start with the reserved prefix 'aws:'.`);
    resource.TagList = mergeTags(resource.TagList, tags);
    return {};
  }

  protected removeTagsFromResource(input: RemoveTagsFromResourceMessage, region: string): object {
    const resource = this.taggable(input.ResourceName, region);
    const remove = new Set(input.TagKeys ?? []);
    resource.TagList = (resource.TagList ?? []).filter((t) => t.Key === undefined || !remove.has(t.Key));
    return {};
  }

  protected listTagsForResource(input: ListTagsForResourceMessage, region: string): object {
    return { TagList: clone(this.taggable(input.ResourceName, region).TagList ?? []) };
  }
}
