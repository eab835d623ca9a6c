import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize, unacknowledgedNagErrors, type Synthesized } from '../support/synth.ts';

describe('database stack, multi-az-instance (default configuration)', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize({});
  });

  it('runs a Multi-AZ PostgreSQL 18 primary, encrypted with the customer key, never public', () => {
    synth.database.resourceCountIs('AWS::RDS::DBInstance', 1);
    synth.database.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'swifteats',
      Engine: 'postgres',
      EngineVersion: '18.3',
      DBInstanceClass: 'db.m7g.large',
      MultiAZ: true,
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
      PubliclyAccessible: false,
      DeletionProtection: true,
      BackupRetentionPeriod: 14,
      CopyTagsToSnapshot: true,
      DeleteAutomatedBackups: false,
      ManageMasterUserPassword: true,
      MasterUserSecret: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] } },
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      EnablePerformanceInsights: true,
      StorageType: 'gp3',
      AllocatedStorage: '100',
      MaxAllocatedStorage: 500,
    });
    synth.database.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
  });

  it('replicates automated backups and transaction logs to the DR region with the DR key, for PITR there', () => {
    synth.database.hasResourceProperties('AWS::RDS::DBInstance', {
      AutomaticBackupReplicationRegion: 'eu-central-1',
      AutomaticBackupReplicationRetentionPeriod: 14,
      // The DR key's ARN crosses regions through CDK's cross-region references (SSM in the DR region).
      AutomaticBackupReplicationKmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExportsReader'), Match.stringLikeRegexp('DrKey')] },
    });
    const off = synthesize({ dr: { backupReplication: false }, objectives: { region: { rpoSeconds: 108000, rtoSeconds: 3600 } } });
    off.database.hasResourceProperties('AWS::RDS::DBInstance', { AutomaticBackupReplicationRegion: Match.absent() });
  });

  it('forces TLS in the parameter group', () => {
    synth.database.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres18',
      Parameters: Match.objectLike({ 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' }),
    });
  });

  it('rotates the customer key', () => {
    synth.database.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    synth.database.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/swifteats-database' });
  });

  it('spans three AZs with isolated database subnets and no internet path', () => {
    const subnets = synth.database.findResources('AWS::EC2::Subnet');
    const zones = new Set(Object.values(subnets).map((s) => (s as { Properties: { AvailabilityZone: string } }).Properties.AvailabilityZone));
    expect([...zones].sort()).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(Object.keys(subnets)).toHaveLength(6);
    synth.database.resourceCountIs('AWS::EC2::InternetGateway', 0);
    synth.database.resourceCountIs('AWS::EC2::NatGateway', 0);
    const groups = synth.database.findResources('AWS::RDS::DBSubnetGroup');
    const ids = Object.values(groups).map((g) => (g as { Properties: { SubnetIds: unknown[] } }).Properties.SubnetIds);
    expect(ids).toHaveLength(1);
    expect(ids[0]).toHaveLength(3);
  });

  it('admits PostgreSQL only from the DR functions security group, and nothing from anywhere', () => {
    synth.database.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FunctionsSg'), 'GroupId'] },
    });
    const template = JSON.stringify(synth.database.toJSON());
    expect(template).not.toMatch(/"CidrIp":"0\.0\.0\.0\/0","Description":"[^"]*","FromPort":5432/);
    for (const sg of Object.values(synth.database.findResources('AWS::EC2::SecurityGroup'))) {
      const ingress = (sg as { Properties: { SecurityGroupIngress?: { CidrIp?: string }[] } }).Properties.SecurityGroupIngress ?? [];
      expect(ingress.filter((rule) => rule.CidrIp === '0.0.0.0/0')).toEqual([]);
    }
  });

  it('keeps RDS log groups with a retention period', () => {
    synth.database.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/instance/swifteats/postgresql', RetentionInDays: 90 });
    synth.database.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/instance/swifteats/upgrade', RetentionInDays: 90 });
  });

  it('creates the DR-region key in the DR region, by alias', () => {
    expect(synth.stacks.drRegion?.region).toBe('eu-central-1');
    synth.drRegion?.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    synth.drRegion?.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/swifteats-dr' });
  });

  it('never tags the database dr:managed (snapshots inherit its tags)', () => {
    const tags = (synth.database.findResources('AWS::RDS::DBInstance') as Record<string, { Properties: { Tags: { Key: string; Value: string }[] } }>);
    const instanceTags = Object.values(tags)[0]?.Properties.Tags ?? [];
    expect(instanceTags.map((t) => t.Key).sort()).toEqual(['dr:app', 'dr:database', 'dr:role', 'dr:topology']);
  });

  it('has no unacknowledged cdk-nag AwsSolutions error', () => {
    expect(unacknowledgedNagErrors(synth)).toEqual([]);
  });
});

describe('database stack, multi-az-cluster', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize({ database: { topology: 'multi-az-cluster' } });
  });

  it('runs a Multi-AZ DB cluster (writer + 2 readable standbys) on the postgres engine', () => {
    synth.database.resourceCountIs('AWS::RDS::DBInstance', 0);
    synth.database.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: 'swifteats',
      Engine: 'postgres',
      EngineVersion: '18.3',
      DBClusterInstanceClass: 'db.m6gd.large',
      StorageType: 'io2',
      AllocatedStorage: 100,
      Iops: 3000,
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
      PubliclyAccessible: false,
      DeletionProtection: true,
      BackupRetentionPeriod: 14,
      CopyTagsToSnapshot: true,
      ManageMasterUserPassword: true,
      PerformanceInsightsEnabled: true,
    });
    synth.database.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot' });
  });

  it('forces TLS in the cluster parameter group and spans three AZs', () => {
    synth.database.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Family: 'postgres18',
      Parameters: Match.objectLike({ 'rds.force_ssl': '1' }),
    });
    const groups = Object.values(synth.database.findResources('AWS::RDS::DBSubnetGroup'));
    expect((groups[0] as { Properties: { SubnetIds: unknown[] } }).Properties.SubnetIds).toHaveLength(3);
  });

  it('has no unacknowledged cdk-nag AwsSolutions error', () => {
    expect(unacknowledgedNagErrors(synth)).toEqual([]);
  });
});

describe('optional read replica and no DR region', () => {
  it('places the read replica in the third AZ, encrypted, and acknowledges only its documented findings', () => {
    const synth = synthesize({ database: { readReplicas: 1 } });
    synth.database.resourceCountIs('AWS::RDS::DBInstance', 2);
    synth.database.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'swifteats-replica-1',
      AvailabilityZone: 'eu-west-1c',
      SourceDBInstanceIdentifier: Match.anyValue(),
      StorageEncrypted: true,
      PubliclyAccessible: false,
    });
    expect(unacknowledgedNagErrors(synth)).toEqual([]);
  });

  it('creates no DR-region stack without a DR region', () => {
    const synth = synthesize({ dr: { region: null, snapshotCopy: false, backupReplication: false }, objectives: { region: null, snapshotLoss: null } });
    expect(synth.stacks.drRegion).toBeNull();
    expect(synth.app.node.children.filter((c) => Stack.isStack(c)).map((c) => c.node.id)).toEqual(['Dr-swifteats-Database', 'Dr-swifteats-Automation']);
  });
});

describe('the CDK entry point', () => {
  it('fails synth once with every configuration problem listed', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'dr-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ database: { name: 'Bad_Name', port: 80, typo: 1 }, dr: { region: 'eu-west-1' } }));
    // Act
    const run = spawnSync(process.execPath, ['infra/app.ts'], {
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ config: file }), CDK_OUTDIR: join(dir, 'out') },
      encoding: 'utf8',
    });
    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      [
        `Invalid configuration ${file} (4 problems):`,
        '  - database.typo: unknown key; allowed keys of database: name, engineVersion, topology, instanceClass, storageType, allocatedStorageGiB, maxAllocatedStorageGiB, iops, readReplicas, backupRetentionDays, preferredBackupWindow, preferredMaintenanceWindow, port, masterUsername',
        '  - database.name: "Bad_Name" is not a name of 1-40 lower-case letters, digits and single hyphens starting with a letter',
        '  - database.port: 80 must be an integer from 1150 to 65535',
        '  - dr.region: must differ from region (eu-west-1): a copy in the same region does not survive region loss',
        '',
      ].join('\n'),
    );
  });

  it('synthesizes the default configuration into an assembly with both stacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-synth-'));
    const run = spawnSync(process.execPath, ['infra/app.ts'], {
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }), CDK_OUTDIR: dir },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
