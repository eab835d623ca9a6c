/**
 * The IAM contract of each role of a deployment: role → function → handler → the adapters it
 * constructs (its composition root: functions/handlers/<handler>.ts or <handler>/index.ts, infra handlerEntry) → the port methods its use cases call → the declared
 * authorizations (functions/adapters/**\/*.permissions.ts), with the deployment's facts taken
 * from the resolved templates (function environment, keys, bucket). And what each role must
 * never be able to do.
 */
import type { AwsAuthorization, AwsLocation } from '../../../functions/adapters/shared.permissions.ts';
import { rdsArn } from '../../../functions/adapters/shared.permissions.ts';
import { archivePermissions } from '../../../functions/adapters/s3/archive.permissions.ts';
import { controlPlanePermissions } from '../../../functions/adapters/rds/control-plane.permissions.ts';
import { restorePermissions } from '../../../functions/adapters/rds/restore.permissions.ts';
import { credentialsPermissions, rdsManagedSecretTags } from '../../../functions/adapters/secrets/secrets-manager.permissions.ts';
import { connectionSecretPermissions } from '../../../functions/adapters/secrets/connection-secret.permissions.ts';
import { notifierPermissions } from '../../../functions/adapters/sns/notifier.permissions.ts';
import { failoverLockPermissions } from '../../../functions/adapters/dynamodb/failover-lock.permissions.ts';
import { fencePermissions } from '../../../functions/adapters/ec2/security-group-fence.permissions.ts';
import { writerRecordPermissions } from '../../../functions/adapters/route53/writer-record.permissions.ts';
import { metricSourcePermissions } from '../../../functions/adapters/cloudwatch/metric-source.permissions.ts';
import { replicationHistoryPermissions } from '../../../functions/adapters/cloudwatch/replication-history.permissions.ts';
import type { Topology } from '../../../functions/ports/database-control-plane.ts';
import { managedSnapshotTags, TAG } from '../../../functions/domain/snapshots/naming.ts';
import { ACCOUNT, PARTITION, logicalId, type Deployment } from './templates.ts';
import { principalOf, type Principal } from './simulate.ts';

/** One function role under contract. */
export interface FunctionRole {
  readonly handler: string;
  readonly principal: Principal;
  readonly env: Readonly<Record<string, string>>;
  /** Adapter modules (under functions/adapters, without `.ts`) whose declarations are used. */
  readonly adapters: readonly string[];
  readonly needed: readonly AwsAuthorization[];
}

/** The facts every role's declarations share. */
export interface Facts {
  readonly at: AwsLocation;
  readonly dr: AwsLocation | null;
  readonly topology: Topology;
  readonly db: string;
  readonly databaseArn: string;
  readonly databaseKeyArn: string;
  readonly archiveKeyArn: string;
  readonly bucket: string;
  readonly productionSecret: { arn: string; tags: Record<string, string>; keyArn: string };
  /** A managed snapshot of this database and its tags. */
  readonly snapshotId: string;
  readonly managedTags: Record<string, string>;
  /** A restore test's temporary database. */
  readonly temporaryId: string;
  readonly temporaryTags: Record<string, string>;
}

export function factsOf(d: Deployment): Facts {
  const { database, automation, drRegion } = d.synth.stacks;
  const dbStack = d.stack(database);
  const auto = d.stack(automation);
  const env = envOf(d, automation.manifestFunction.fn);
  const topology = env.TOPOLOGY as Topology;
  const db = env.DATABASE_ID ?? '';
  const at = { partition: PARTITION, account: ACCOUNT, region: auto.region };
  const drName = envOf(d, automation.retentionFunction.fn).DR_REGION ?? 'none';
  const databaseArn = rdsArn(at, topology === 'multi-az-cluster' ? 'cluster' : 'db', db);
  const databaseKeyArn = dbStack.getAtt(logicalId(database.databaseKey), 'Arn');
  void drRegion;
  return {
    at,
    dr: drName === 'none' ? null : { ...at, region: drName },
    topology,
    db,
    databaseArn,
    databaseKeyArn,
    archiveKeyArn: dbStack.getAtt(logicalId(database.archive.key), 'Arn'),
    bucket: env.ARCHIVE_BUCKET ?? '',
    productionSecret: {
      arn: env.DB_SECRET_ARN ?? '',
      // Instance: a CDK-generated secret (no RDS tags); cluster: RDS manages it and tags it.
      tags: topology === 'multi-az-cluster' ? rdsManagedSecretTags(topology, databaseArn) : {},
      keyArn: databaseKeyArn,
    },
    snapshotId: `${db}-daily-202612020300`,
    managedTags: managedSnapshotTags(db, 'daily', `${db}-gfs`),
    temporaryId: `${db}-vfy-d202612020300`,
    temporaryTags: { [TAG.temporary]: 'true', [TAG.expiresAt]: '2026-12-02T09:00:00.000Z', [TAG.sourceSnapshot]: `${db}-daily-202612020300`, [TAG.database]: db },
  };
}

function envOf(d: Deployment, fn: { node: { defaultChild?: unknown } }): Record<string, string> {
  const stack = d.stacks.find((s) => s.template.Resources[logicalIdSafe(fn)] !== undefined);
  if (!stack) throw new Error('function not found');
  const props = stack.template.Resources[logicalIdSafe(fn)]?.Properties as { Environment?: { Variables?: unknown } };
  return stack.resolve(props.Environment?.Variables ?? {}) as Record<string, string>;
}

function logicalIdSafe(construct: object): string {
  return logicalId(construct);
}

/** Every function role with the authorizations its code needs. */
export function functionRoles(d: Deployment): FunctionRole[] {
  const f = factsOf(d);
  const { automation } = d.synth.stacks;
  const auto = d.stack(automation);
  const roleOf = (fn: { role: object; fn: object }, handler: string, adapters: string[], needed: (env: Record<string, string>) => AwsAuthorization[]): FunctionRole => {
    const env = envOf(d, fn.fn as never);
    return { handler, principal: principalOf(auto, logicalId(fn.role)), env, adapters, needed: needed(env) };
  };
  const primary = controlPlanePermissions(f.at, f.topology);
  const drPlane = f.dr === null ? null : controlPlanePermissions(f.dr, f.topology);
  const archive = archivePermissions(f.at, f.bucket, f.archiveKeyArn);
  const managed = { existingTags: f.managedTags };
  const snapshotArn = rdsArn(f.at, f.topology === 'multi-az-cluster' ? 'cluster-snapshot' : 'snapshot', f.snapshotId);
  const restoredArn = rdsArn(f.at, f.topology === 'multi-az-cluster' ? 'cluster' : 'db', f.temporaryId);
  const drKeyArn = (): string => {
    const dr = d.synth.stacks.drRegion;
    if (!dr) throw new Error('no DR stack');
    return d.stack(dr).getAtt(logicalId(dr.key), 'Arn');
  };

  return [
    roleOf(automation.snapshotFunction, 'snapshot', ['rds/control-plane', 's3/archive'], (env) => [
      ...primary.describeDatabase(f.db),
      ...primary.manualSnapshotQuota(),
      ...primary.createSnapshot(f.db, f.snapshotId, f.managedTags),
      ...primary.getSnapshot(f.snapshotId, managed),
      ...(drPlane === null || env.DR_REGION === 'none'
        ? []
        : [
            ...drPlane.getSnapshot(f.snapshotId, managed),
            ...drPlane.copySnapshot(
              { sourceArn: snapshotArn, sourceRegion: f.at.region, targetId: f.snapshotId, kmsKeyId: env.DR_KMS_KEY_ID ?? '', tags: { ...f.managedTags, [TAG.copyOf]: snapshotArn } },
              { existingTags: f.managedTags, sourceKeyArn: f.databaseKeyArn, targetKeyArn: drKeyArn(), targetKeyAliases: [`alias/${f.db}-dr`] },
            ),
          ]),
      ...archive.put(`audit/${f.db}/backup-1.json`),
    ]),
    roleOf(automation.manifestFunction, 'manifest', ['secrets/secrets-manager', 's3/archive'], () => [
      ...credentialsPermissions(f.at, f.productionSecret).get(),
      ...archive.put(`manifests/${f.db}/${f.snapshotId}.json`),
      ...archive.get(`manifests/${f.db}/${f.snapshotId}.json`),
    ]),
    roleOf(automation.retentionFunction, 'retention', ['rds/control-plane', 'rds/restore', 's3/archive'], () => [
      ...[primary, ...(drPlane ? [drPlane] : [])].flatMap((plane) => [...plane.listManualSnapshots(f.db), ...plane.deleteSnapshot(f.snapshotId, managed), ...plane.manualSnapshotQuota()]),
      // The region's databases: restore tests in progress keep their snapshots (listed through the restore adapter).
      ...[f.at, ...(f.dr ? [f.dr] : [])].flatMap((at) => restorePermissions(at, f.topology, { engineVersion: '', storageKeyArn: f.databaseKeyArn }).list()),
      ...archive.put(`audit/${f.db}/retention-1.json`),
    ]),
    roleOf(automation.restoreFunction, 'restore', ['rds/control-plane', 'rds/restore', 's3/archive'], (env) => {
      const restores = restorePermissions(f.at, f.topology, { engineVersion: env.ENGINE_VERSION ?? '', storageKeyArn: f.databaseKeyArn });
      const placement = (targetId: string, tags: Record<string, string>, securityGroup: string) => ({
        targetId,
        instanceClass: env.RESTORE_INSTANCE_CLASS ?? '',
        subnetGroupName: env.RESTORE_SUBNET_GROUP ?? '',
        securityGroupIds: [securityGroup],
        parameterGroupName: env.RESTORE_PARAMETER_GROUP ?? '',
        secretKmsKeyId: env.SECRET_KMS_KEY_ID ?? '',
        tags,
      });
      const pitrId = `${f.db}-pitr-incident-42`;
      const pitrTags = { [TAG.pitrTarget]: 'latest', [TAG.database]: f.db };
      const verdict = { [TAG.verified]: 'passed', [TAG.verifiedAt]: '2026-12-02T08:00:00.000Z' };
      return [
        ...primary.listManualSnapshots(f.db),
        ...primary.getSnapshot(f.snapshotId, managed),
        ...primary.addTags(snapshotArn, verdict, managed),
        ...(drPlane && f.dr ? [...drPlane.getSnapshot(f.snapshotId, managed), ...drPlane.addTags(rdsArn(f.dr, 'snapshot', f.snapshotId).replace(':snapshot:', f.topology === 'multi-az-cluster' ? ':cluster-snapshot:' : ':snapshot:'), verdict, managed)] : []),
        ...restores.restoreFromSnapshot(f.snapshotId, placement(f.temporaryId, f.temporaryTags, env.VERIFY_SECURITY_GROUP_ID ?? '')),
        ...restores.restoreToPointInTime(f.db, 'latest', placement(pitrId, pitrTags, env.PITR_SECURITY_GROUP_ID ?? '')),
        ...restores.describe(f.temporaryId, { existingTags: f.temporaryTags }),
        ...restores.describe(pitrId, { existingTags: pitrTags }),
        ...restores.list(),
        ...restores.restoreWindow(f.db),
        ...restores.delete(f.temporaryId, { existingTags: f.temporaryTags }),
        ...restores.ensureOwnSecret(f.temporaryId, env.SECRET_KMS_KEY_ID ?? '', { existingTags: f.temporaryTags }),
        ...restores.ensureOwnSecret(pitrId, env.SECRET_KMS_KEY_ID ?? '', { existingTags: pitrTags }),
        ...archive.put(`audit/${f.db}/restore-1.json`),
      ];
    }),
    roleOf(automation.verifyFunction, 'verify', ['secrets/secrets-manager', 's3/archive'], () => [
      // The restored database's own RDS-managed secret, tagged by RDS per topology.
      ...credentialsPermissions(f.at, restoredSecret(f, restoredArn)).get(),
      ...archive.get(`manifests/${f.db}/${f.snapshotId}.json`),
      ...archive.put(`reports/${f.db}/${f.snapshotId}.json`),
    ]),
    roleOf(automation.probeFunction, 'probe', ['secrets/secrets-manager'], () => [...credentialsPermissions(f.at, f.productionSecret).get()]),
    roleOf(automation.monitoring.rpoMonitor, 'rpo-monitor', ['rds/control-plane', 'cloudwatch/metric-source'], (env) => [
      ...primary.describeDatabase(f.db),
      ...primary.listManualSnapshots(f.db),
      ...(drPlane && env.OFFSITE_PATHS?.includes('snapshot-copy') ? drPlane.listManualSnapshots(f.db) : []),
      ...(drPlane && env.OFFSITE_PATHS?.includes('backup-replication') ? drPlane.replicatedBackupRestorableTime(f.databaseArn) : []),
      ...(env.OFFSITE_PATHS?.includes('read-replica') ? metricSourcePermissions().newest() : []),
    ]),
    roleOf(
      automation.failover.function,
      'failover',
      ['dynamodb/failover-lock', 'rds/control-plane', 'ec2/security-group-fence', 'route53/writer-record', 'secrets/connection-secret', 'sns/notifier', 's3/archive', 'cloudwatch/replication-history'],
      (env) => {
        const lock = failoverLockPermissions(f.at, `arn:${PARTITION}:dynamodb:${f.at.region}:${ACCOUNT}:table/${env.LOCK_TABLE}`, auto.getAtt(logicalId(automation.failover.tableKey), 'Arn'));
        const dns = writerRecordPermissions(f.at, env.HOSTED_ZONE_ID ?? '', env.RECORD_NAME ?? '');
        const secret = connectionSecretPermissions(env.CONNECTION_SECRET_ARN ?? '');
        const notifier = notifierPermissions(f.at, env.TOPIC_ARN ?? '', auto.getAtt(logicalId(automation.monitoring.topicKey), 'Arn'));
        const replica = env.REPLICA_ID === 'none' || f.dr === null ? null : controlPlanePermissions({ ...f.at, region: env.DR_REGION ?? '' }, f.topology);
        return [
          ...Object.values(lock).flatMap((m) => m()),
          ...primary.describeWriter(f.db),
          ...primary.forceFailover(f.db),
          ...(replica ? [...replica.describeWriter(env.REPLICA_ID ?? ''), ...replica.promoteReadReplica(env.REPLICA_ID ?? '')] : []),
          ...(env.FENCE_SECURITY_GROUP_ID === 'none' ? [] : [...fencePermissions(f.at, env.FENCE_SECURITY_GROUP_ID ?? '').ingress(), ...fencePermissions(f.at, env.FENCE_SECURITY_GROUP_ID ?? '').revoke()]),
          ...(replica ? replicationHistoryPermissions().lastHealthyLag() : []),
          ...dns.read(),
          ...dns.upsert(),
          ...dns.changeStatus(),
          ...secret.read(),
          ...secret.write(),
          ...notifier.notify(),
          ...archive.put(`audit/${f.db}/failover-1.json`),
        ];
      },
    ),
  ];
}

/** The RDS-managed master secret of a restored database. */
export function restoredSecret(f: Facts, restoredArn: string): { arn: string; tags: Record<string, string>; keyArn: string } {
  return {
    arn: `arn:${PARTITION}:secretsmanager:${f.at.region}:${ACCOUNT}:secret:rds!${f.topology === 'multi-az-cluster' ? 'cluster' : 'db'}-0a1b2c3d-AbCdEf`,
    tags: rdsManagedSecretTags(f.topology, restoredArn),
    keyArn: f.databaseKeyArn,
  };
}

/** What no function role may do, whatever its code says (the dangerous calls). */
export function forbidden(f: Facts): { readonly name: string; readonly auth: AwsAuthorization; readonly except?: readonly string[] }[] {
  const cluster = f.topology === 'multi-az-cluster';
  const snapType = cluster ? 'cluster-snapshot' : 'snapshot';
  const dbType = cluster ? 'cluster' : 'db';
  const snapshot = (name: string): string => rdsArn(f.at, snapType, name);
  const deleteSnap = cluster ? 'DeleteDBClusterSnapshot' : 'DeleteDBSnapshot';
  const rds = (action: string, resource: string, more: Partial<AwsAuthorization> = {}): AwsAuthorization => ({ command: `${action}Command`, action: `rds:${action}`, resource, ...more });
  const personal = `${f.db}-before-upgrade`;
  return [
    { name: 'delete an unmanaged snapshot (no dr:managed=true)', auth: rds(deleteSnap, snapshot(personal), { resourceTags: {} }) },
    { name: 'delete a snapshot tagged dr:managed=false', auth: rds(deleteSnap, snapshot(f.snapshotId), { resourceTags: { ...f.managedTags, [TAG.managed]: 'false' } }) },
    { name: 'delete a legal-hold snapshot', auth: rds(deleteSnap, snapshot(f.snapshotId), { resourceTags: { ...f.managedTags, [TAG.legalHold]: 'true' } }) },
    { name: 'delete the production database', auth: rds(cluster ? 'DeleteDBCluster' : 'DeleteDBInstance', f.databaseArn, { resourceTags: { [TAG.database]: f.db } }) },
    { name: 'modify the production database', auth: rds(cluster ? 'ModifyDBCluster' : 'ModifyDBInstance', f.databaseArn, { resourceTags: { [TAG.database]: f.db } }) },
    {
      // With the restore tag set a sweeper would take it for a leaked temporary restore.
      name: 'tag the production database as a temporary restore',
      auth: rds('AddTagsToResource', f.databaseArn, { requestTags: { [TAG.temporary]: 'true', [TAG.database]: f.db, [TAG.expiresAt]: '2026-12-02T09:00:00.000Z' }, resourceTags: {} }),
    },
    { name: 'tag the production database at all', auth: rds('AddTagsToResource', f.databaseArn, { requestTags: { owner: 'x' }, resourceTags: {} }) },
    { name: "tag a person's snapshot dr:managed=true", auth: rds('AddTagsToResource', snapshot(personal), { requestTags: { [TAG.managed]: 'true' }, resourceTags: {} }) },
    {
      name: 'lift a legal hold by tagging',
      auth: rds('AddTagsToResource', snapshot(f.snapshotId), { requestTags: { [TAG.legalHold]: 'false' }, resourceTags: { ...f.managedTags, [TAG.legalHold]: 'true' } }),
    },
    { name: 'remove tags from a snapshot', auth: rds('RemoveTagsFromResource', snapshot(f.snapshotId), { requestTags: { [TAG.legalHold]: '' }, resourceTags: { ...f.managedTags, [TAG.legalHold]: 'true' } }) },
    {
      name: 'delete a database named like a restore test but not tagged dr:temporary=true',
      auth: rds(cluster ? 'DeleteDBCluster' : 'DeleteDBInstance', rdsArn(f.at, dbType, f.temporaryId), { resourceTags: { [TAG.database]: f.db } }),
    },
    {
      name: 'read the production master secret',
      auth: { command: 'GetSecretValueCommand', action: 'secretsmanager:GetSecretValue', resource: f.productionSecret.arn, resourceTags: f.productionSecret.tags },
      except: ['manifest', 'probe'],
    },
    {
      name: 'a KMS grant on the database key to an arbitrary principal',
      auth: { command: '-', action: 'kms:CreateGrant', resource: f.databaseKeyArn, context: { 'kms:GranteePrincipal': `arn:${PARTITION}:iam::444455556666:root` } },
    },
    {
      name: 'a KMS grant on the database key through RDS but not for an AWS resource',
      auth: { command: '-', action: 'kms:CreateGrant', resource: f.databaseKeyArn, context: { 'kms:ViaService': `rds.${f.at.region}.amazonaws.com`, 'kms:GrantIsForAWSResource': 'false' } },
    },
    { name: 'decrypt with the database key directly (not through a service)', auth: { command: '-', action: 'kms:Decrypt', resource: f.databaseKeyArn } },
    { name: 'decrypt with the archive key directly', auth: { command: '-', action: 'kms:Decrypt', resource: f.archiveKeyArn } },
    {
      name: 'delete an archived document version',
      auth: { command: '-', action: 's3:DeleteObjectVersion', resource: `arn:${PARTITION}:s3:::${f.bucket}/audit/${f.db}/x.json` },
    },
  ];
}

/** Per role, what it must never do beyond {@link forbidden} (read-only roles stay read-only). */
export function forbiddenFor(f: Facts, handler: string): AwsAuthorization[] {
  const cluster = f.topology === 'multi-az-cluster';
  const rds = (action: string, resource: string, more: Partial<AwsAuthorization> = {}): AwsAuthorization => ({ command: `${action}Command`, action: `rds:${action}`, resource, ...more });
  const snapshot = rdsArn(f.at, cluster ? 'cluster-snapshot' : 'snapshot', f.snapshotId);
  const writes = [
    rds(cluster ? 'CreateDBClusterSnapshot' : 'CreateDBSnapshot', f.databaseArn),
    rds(cluster ? 'DeleteDBClusterSnapshot' : 'DeleteDBSnapshot', snapshot, { resourceTags: f.managedTags }),
    rds('AddTagsToResource', snapshot, { requestTags: { [TAG.verified]: 'passed' }, resourceTags: f.managedTags }),
    rds(cluster ? 'FailoverDBCluster' : 'RebootDBInstance', f.databaseArn),
    rds(cluster ? 'RestoreDBClusterFromSnapshot' : 'RestoreDBInstanceFromDBSnapshot', rdsArn(f.at, cluster ? 'cluster' : 'db', f.temporaryId)),
  ];
  switch (handler) {
    case 'probe':
    case 'rpo-monitor':
    case 'manifest':
    case 'verify':
      return writes;
    case 'snapshot':
      // Backups never delete and never restore.
      return [writes[1], writes[4]].filter((w): w is AwsAuthorization => w !== undefined);
    case 'retention':
      return [writes[0], writes[2], writes[3], writes[4]].filter((w): w is AwsAuthorization => w !== undefined);
    default:
      return [];
  }
}
