import { Duration, Stack, Tags, TimeZone, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { DrConfig } from '../config/types.ts';
import { aslDefinition } from '../constructs/asl-definition.ts';
import { DrFunction } from '../constructs/dr-function.ts';
import { Failover } from '../constructs/failover.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import type { Network } from '../constructs/network.ts';
import { postgresDatabaseName, type ProtectedDatabase } from '../constructs/protected-database.ts';
import type { RetentionSettings } from '../../functions/domain/retention-run.ts';
import { TAG, TIERS } from '../../functions/domain/snapshot-naming.ts';
import { drKeyAlias } from './dr-region-stack.ts';

/** Props of {@link AutomationStack}. */
export interface AutomationStackProps extends StackProps {
  readonly config: DrConfig;
  readonly network: Network;
  readonly database: ProtectedDatabase;
  readonly databaseKey: kms.IKey;
  readonly archiveBucket: s3.IBucket;
  readonly archiveKey: kms.IKey;
  /** Security group of temporary restored databases (database stack). */
  readonly restoreTestSecurityGroup: ec2.ISecurityGroup;
}

/** The `definitionSubstitutions` of the backup state machine (keys must match the ASL file). */
export function backupSubstitutions(functions: { snapshot: string; manifest: string; retention: string }): Record<string, string> {
  return { SnapshotFunctionArn: functions.snapshot, ManifestFunctionArn: functions.manifest, RetentionFunctionArn: functions.retention };
}

/** The `definitionSubstitutions` of the verify and point-in-time-restore state machines. */
export function restoreSubstitutions(functions: { restore: string; verify: string }): Record<string, string> {
  return { RestoreFunctionArn: functions.restore, VerifyFunctionArn: functions.verify };
}

/** The retention policy name written to `dr:policy` and read back by retention. */
export function policyName(config: DrConfig): string {
  return `${config.database.name}-gfs`;
}

/**
 * The stateless DR automation: functions, state machines and schedules. Redeploying
 * it never touches the database or the archive (they live in the database stack).
 */
export class AutomationStack extends Stack {
  readonly snapshotFunction: DrFunction;
  readonly manifestFunction: DrFunction;
  readonly retentionFunction: DrFunction;
  readonly restoreFunction: DrFunction;
  readonly verifyFunction: DrFunction;
  readonly backupStateMachine: sfn.StateMachine;
  readonly verifyStateMachine: sfn.StateMachine;
  readonly pitrStateMachine: sfn.StateMachine;
  readonly probeFunction: DrFunction;
  readonly monitoring: Monitoring;
  readonly failover: Failover;


  constructor(scope: Construct, id: string, props: AutomationStackProps) {
    super(scope, id, props);
    const { config, database } = props;
    const db = config.database;
    const cluster = db.topology === 'multi-az-cluster';
    const drRegion = config.dr.region !== null && config.dr.snapshotCopy ? config.dr.region : null;
    const snapshotKind = cluster ? 'cluster-snapshot' : 'snapshot';
    const snapshotArns = (region: string): string => `arn:${this.partition}:rds:${region}:${this.account}:${snapshotKind}:${db.name}-*`;
    // Only names the backup makes (<db>-<tier>-<stamp>): tagging a person's <db>-… snapshot
    // dr:managed=true would make retention delete it.
    const managedSnapshotArns = (region: string): string[] => TIERS.map((tier) => `arn:${this.partition}:rds:${region}:${this.account}:${snapshotKind}:${db.name}-${tier}-*`);
    // A list call is authorized against the list's resource types in each region (databases and
    // snapshots, whoever named them), not only against what it returns. Read-only.
    const listSnapshots = (regions: readonly string[]): iam.PolicyStatement =>
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DescribeDBClusterSnapshots' : 'rds:DescribeDBSnapshots'],
        resources: regions.flatMap((region) => [
          `arn:${this.partition}:rds:${region}:${this.account}:${snapshotKind}:*`,
          `arn:${this.partition}:rds:${region}:${this.account}:${cluster ? 'cluster' : 'db'}:*`,
        ]),
      });
    // The database key only as RDS and Secrets Manager use it on the caller's behalf: grants only
    // for AWS resources (KMS Developer Guide, kms:GrantIsForAWSResource and kms:ViaService).
    const keyThrough = (role: iam.IRole, services: readonly string[], actions: readonly string[]): void => {
      const via = services.map((service) => `${service}.${this.region}.amazonaws.com`);
      const grant = actions.includes('kms:CreateGrant');
      const rest = actions.filter((a) => a !== 'kms:CreateGrant');
      if (grant) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['kms:CreateGrant'],
            resources: [props.databaseKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `rds.${this.region}.amazonaws.com` }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
          }),
        );
      }
      if (rest.length > 0) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...rest], resources: [props.databaseKey.keyArn], conditions: { StringEquals: { 'kms:ViaService': via } } }));
    };
    // Writing to the archive: PutObject under one prefix of this database, and the archive
    // key only through S3 (SSE-KMS with a bucket key needs GenerateDataKey and Decrypt).
    const archiveWrite = (role: iam.IRole, prefix: string): void => {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.archiveBucket.arnForObjects(`${prefix}/${db.name}/*`)] }));
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.archiveKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
        }),
      );
    };
    const common = {
      DATABASE_ID: db.name,
      TOPOLOGY: db.topology,
      POLICY_NAME: policyName(config),
      ARCHIVE_BUCKET: props.archiveBucket.bucketName,
    };
    // restoreTest.exactCounts.tables (docs/restore.md, "Exact mode"): the manifest and verify functions
    // read the row-count ledger of these tables; absent (the default) leaves exact mode off.
    const exactCountTables = config.restoreTest.exactCounts.tables;
    const exactCountsEnvironment: Record<string, string> = exactCountTables.length === 0 ? {} : { EXACT_COUNT_TABLES: JSON.stringify(exactCountTables) };

    // snapshot λ: create, poll, copy, record. Never deletes.
    this.snapshotFunction = new DrFunction(this, 'Snapshot', {
      handler: 'snapshot',
      description: 'Backup steps: plan, create, poll and copy snapshots; record the run',
      environment: {
        ...common,
        SCHEDULE_TIMEZONE: config.schedules.timezone,
        TIER_RULES: JSON.stringify(config.schedules.tiers),
        DR_REGION: drRegion ?? 'none',
        DR_KMS_KEY_ID: drRegion ? `arn:${this.partition}:kms:${drRegion}:${this.account}:${drKeyAlias(db.name)}` : 'none',
      },
    });
    const snap = this.snapshotFunction.role;
    snap.addToPolicy(new iam.PolicyStatement({ actions: [cluster ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances'], resources: [database.arn] }));
    snap.addToPolicy(new iam.PolicyStatement({ actions: [cluster ? 'rds:CreateDBClusterSnapshot' : 'rds:CreateDBSnapshot'], resources: [database.arn, ...managedSnapshotArns(this.region)] }));
    // Tags of a create or copy request (RDS authorizes them as AddTagsToResource): only the
    // managed tag set, only dr:managed=true of this database, only on the backup's own names,
    // and never over an existing dr:managed tag of another value.
    snap.addToPolicy(
      new iam.PolicyStatement({
        actions: ['rds:AddTagsToResource'],
        resources: [this.region, ...(drRegion ? [drRegion] : [])].flatMap(managedSnapshotArns),
        conditions: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG.managed, TAG.tier, TAG.policy, TAG.database, TAG.copyOf] },
          StringEquals: { [`aws:RequestTag/${TAG.managed}`]: 'true', [`aws:RequestTag/${TAG.database}`]: db.name },
          StringEqualsIfExists: { [`aws:ResourceTag/${TAG.managed}`]: 'true' },
        },
      }),
    );
    snap.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DescribeDBClusterSnapshots' : 'rds:DescribeDBSnapshots'],
        resources: [snapshotArns(this.region), ...(drRegion ? [snapshotArns(drRegion)] : []), database.arn],
      }),
    );
    // DescribeAccountAttributes has no resource-level permissions (quota check).
    snap.addToPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeAccountAttributes'], resources: ['*'] }));
    if (drRegion) {
      snap.addToPolicy(
        new iam.PolicyStatement({
          actions: [cluster ? 'rds:CopyDBClusterSnapshot' : 'rds:CopyDBSnapshot'],
          resources: [...managedSnapshotArns(this.region), ...managedSnapshotArns(drRegion)],
        }),
      );
      // RDS uses the DR key through a grant it creates on the caller's behalf, for the copy only.
      const drKey = {
        resources: [`arn:${this.partition}:kms:${drRegion}:${this.account}:key/*`],
        aliases: { 'kms:ResourceAliases': drKeyAlias(db.name) },
        via: { 'kms:ViaService': `rds.${drRegion}.amazonaws.com` },
      };
      snap.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:CreateGrant'],
          resources: drKey.resources,
          conditions: { 'ForAnyValue:StringEquals': drKey.aliases, StringEquals: drKey.via, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        }),
      );
      snap.addToPolicy(new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: drKey.resources, conditions: { 'ForAnyValue:StringEquals': drKey.aliases, StringEquals: drKey.via } }));
      keyThrough(snap, ['rds'], ['kms:CreateGrant', 'kms:DescribeKey']);
    }
    archiveWrite(snap, 'audit');

    // manifest λ (in the VPC): reads the database, writes the manifest.
    this.manifestFunction = new DrFunction(this, 'Manifest', {
      handler: 'manifest',
      description: 'Capture the database manifest (schema fingerprint, row counts, heartbeat) before a snapshot',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      vpc: { vpc: props.network.vpc, securityGroup: props.network.functionsSecurityGroup },
      environment: {
        ...common,
        // The writer, not a reader: the bracketed manifest reads write counters
        // (pg_stat_user_tables) and open transactions (pg_stat_activity), which a hot standby
        // keeps only for its own sessions, so on a reader every bracket would be zero-width.
        DB_HOST: database.endpoint,
        // Reading B's bound on waiting for a transaction open across the snapshot point.
        BRACKET_MAX_WAIT_SECONDS: String(config.restoreTest.bracketMaxWaitSeconds),
        // Exact mode: reading A also reads these tables' row-count ledgers (set only when configured).
        ...exactCountsEnvironment,
        DB_PORT: String(db.port),
        DB_NAME: postgresDatabaseName(db.name),
        DB_SECRET_ARN: database.secretArn,
      },
    });
    const man = this.manifestFunction.role;
    man.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [database.secretArn] }));
    keyThrough(man, ['secretsmanager'], ['kms:Decrypt']);
    archiveWrite(man, 'manifests');
    man.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.archiveBucket.arnForObjects(`manifests/${db.name}/*`)] }));

    // retention λ: the only function that deletes, and only snapshots tagged dr:managed=true.
    this.retentionFunction = new DrFunction(this, 'Retention', {
      handler: 'retention',
      description: 'GFS retention with safety rules; deletes only dr:managed snapshots',
      timeout: Duration.minutes(15),
      environment: {
        ...common,
        DR_REGION: drRegion ?? 'none',
        // The handler refuses any key it does not know, so the two shapes cannot drift apart silently.
        RETENTION_POLICY: JSON.stringify(config.retention satisfies RetentionSettings),
      },
    });
    const ret = this.retentionFunction.role;
    const regions = [this.region, ...(drRegion ? [drRegion] : [])];
    ret.addToPolicy(listSnapshots(regions));
    // Listing the databases finds restore tests in progress (dr:temporary, dr:source-snapshot), whose
    // snapshots retention keeps. Read-only, against every database of the region (a list call).
    ret.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances'],
        resources: regions.map((region) => `arn:${this.partition}:rds:${region}:${this.account}:${cluster ? 'cluster' : 'db'}:*`),
      }),
    );
    ret.addToPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeAccountAttributes'], resources: ['*'] }));
    ret.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DeleteDBClusterSnapshot' : 'rds:DeleteDBSnapshot'],
        resources: regions.map(snapshotArns),
        conditions: { StringEquals: { [`rds:${snapshotKind}-tag/${TAG.managed}`]: 'true' } },
      }),
    );
    // A legal hold set between listing and deleting still wins: IAM refuses the delete.
    ret.addToPolicy(
      new iam.PolicyStatement({
        sid: 'NeverDeleteLegalHold',
        effect: iam.Effect.DENY,
        actions: [cluster ? 'rds:DeleteDBClusterSnapshot' : 'rds:DeleteDBSnapshot'],
        resources: ['*'],
        conditions: {
          Null: { [`rds:${snapshotKind}-tag/${TAG.legalHold}`]: 'false' },
          StringNotEquals: { [`rds:${snapshotKind}-tag/${TAG.legalHold}`]: 'false' },
        },
      }),
    );
    archiveWrite(ret, 'audit');

    // backup state machine.
    const logGroup = new logs.LogGroup(this, 'BackupLogs', { retention: logs.RetentionDays.ONE_YEAR });
    this.backupStateMachine = new sfn.StateMachine(this, 'Backup', {
      stateMachineName: `${db.name}-backup`,
      // The execution timeout is the file's TimeoutSeconds (asl-definition.ts): a `timeout` prop here would be ignored.
      definitionBody: aslDefinition('backup.asl.json'),
      definitionSubstitutions: backupSubstitutions({
        snapshot: this.snapshotFunction.fn.functionArn,
        manifest: this.manifestFunction.fn.functionArn,
        retention: this.retentionFunction.fn.functionArn,
      }),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    for (const f of [this.snapshotFunction, this.manifestFunction, this.retentionFunction]) f.fn.grantInvoke(this.backupStateMachine);

    // Schedule: one backup run; Scheduler passes the scheduled time that names the snapshot.
    const timeZone = TimeZone.of(config.schedules.timezone);
    new scheduler.Schedule(this, 'BackupSchedule', {
      description: `${db.name}: backup run (tier from the date), then retention`,
      schedule: scheduler.ScheduleExpression.expression(config.schedules.backup, timeZone),
      target: new targets.StepFunctionsStartExecution(this.backupStateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledAt: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      }),
    });
    // restore λ: restores, polls, tags verdicts, deletes temporary databases, sweeps.
    const instanceKind = cluster ? 'cluster' : 'db';
    const dbArns = (pattern: string): string => `arn:${this.partition}:rds:${this.region}:${this.account}:${instanceKind}:${pattern}`;
    this.restoreFunction = new DrFunction(this, 'Restore', {
      handler: 'restore',
      description: 'Restore tests and point-in-time restores: restore, poll, verdict tags, guarded delete, sweeper',
      environment: {
        ...common,
        ENGINE_VERSION: db.engineVersion,
        DR_REGION: drRegion ?? 'none',
        RESTORE_INSTANCE_CLASS: config.restoreTest.instanceClass ?? db.instanceClass,
        RESTORE_SUBNET_GROUP: database.subnetGroupName,
        RESTORE_PARAMETER_GROUP: database.parameterGroupName,
        VERIFY_SECURITY_GROUP_ID: props.restoreTestSecurityGroup.securityGroupId,
        PITR_SECURITY_GROUP_ID: database.securityGroup.securityGroupId,
        SECRET_KMS_KEY_ID: props.databaseKey.keyArn,
        TEMP_TTL_HOURS: String(config.restoreTest.temporaryTtlHours),
        STORAGE_TYPE: db.storageType,
        ...(db.iops === undefined ? {} : { STORAGE_IOPS: String(db.iops) }),
      },
    });
    const res = this.restoreFunction.role;
    res.addToPolicy(
      new iam.PolicyStatement({
        actions: cluster ? ['rds:RestoreDBClusterFromSnapshot', 'rds:RestoreDBClusterToPointInTime'] : ['rds:RestoreDBInstanceFromDBSnapshot', 'rds:RestoreDBInstanceToPointInTime'],
        // Every resource a restore is authorized against (Service Authorization Reference, Amazon
        // RDS): the target (always named <db>-…), the source database or snapshot, the subnet
        // group, the parameter group and the option group, the engine's default when none is named.
        resources: [
          dbArns(`${db.name}-*`),
          database.arn,
          snapshotArns(this.region),
          `arn:${this.partition}:rds:${this.region}:${this.account}:subgrp:${database.subnetGroupName}`,
          `arn:${this.partition}:rds:${this.region}:${this.account}:${cluster ? 'cluster-pg' : 'pg'}:${database.parameterGroupName}`,
          `arn:${this.partition}:rds:${this.region}:${this.account}:og:default:postgres-${db.engineVersion.split('.')[0]}`,
        ],
      }),
    );
    // Tags of a restore request: only on restored databases (<db>-…, never the production one),
    // only the restore tag set, only of this database.
    res.addToPolicy(
      new iam.PolicyStatement({
        actions: ['rds:AddTagsToResource'],
        resources: [dbArns(`${db.name}-*`)],
        conditions: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG.temporary, TAG.expiresAt, TAG.sourceSnapshot, TAG.pitrTarget, TAG.database] },
          StringEquals: { [`aws:RequestTag/${TAG.database}`]: db.name },
        },
      }),
    );
    // The sweeper lists every database (no identifier): RDS authorizes such a list call
    // against all databases of the account and region, so a name prefix would deny it.
    res.addToPolicy(new iam.PolicyStatement({ actions: [cluster ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances'], resources: [dbArns('*')] }));
    // A restored database gets its own RDS-managed secret after the restore (ensureOwnSecret of
    // restore.ts): only restored databases of this database (name and dr:database tag), never production.
    res.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:ModifyDBCluster' : 'rds:ModifyDBInstance'],
        resources: [dbArns(`${db.name}-*`)],
        conditions: { StringLike: { [`aws:ResourceTag/${TAG.database}`]: db.name } },
      }),
    );
    res.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DeleteDBCluster' : 'rds:DeleteDBInstance'],
        resources: [dbArns(`${db.name}-vfy-*`)],
        conditions: { StringEquals: { [`rds:${instanceKind}-tag/${TAG.temporary}`]: 'true' } },
      }),
    );
    // Selecting a snapshot lists them as retention does (the same grant), in both regions.
    res.addToPolicy(listSnapshots(regions));
    // Verdict tags only, only on managed snapshots (their existing dr:managed=true tag).
    res.addToPolicy(
      new iam.PolicyStatement({
        actions: ['rds:AddTagsToResource'],
        resources: regions.map(snapshotArns),
        conditions: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG.verified, TAG.verifiedAt] },
          StringEquals: { [`rds:${snapshotKind}-tag/${TAG.managed}`]: 'true' },
        },
      }),
    );
    // RDS creates the new master secret and uses the database key on the caller's behalf.
    res.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], resources: [`arn:${this.partition}:secretsmanager:${this.region}:${this.account}:secret:rds!*`] }));
    keyThrough(res, ['rds', 'secretsmanager'], ['kms:CreateGrant', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:Decrypt']);
    archiveWrite(res, 'audit');

    // verify λ (in the VPC): SQL checks against the restored database, report to the archive.
    this.verifyFunction = new DrFunction(this, 'Verify', {
      handler: 'verify',
      description: 'Restore-test SQL checks against a restored database; report archived with its SHA-256',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      vpc: { vpc: props.network.vpc, securityGroup: props.network.functionsSecurityGroup },
      environment: {
        ...common,
        DB_NAME: postgresDatabaseName(db.name),
        DB_TLS_MODE: 'verify-full',
        ASSERTIONS: JSON.stringify(config.restoreTest.assertions),
        MAX_BRACKET_SHARE: String(config.restoreTest.maxBracketShare),
        ...exactCountsEnvironment,
      },
    });
    const ver = this.verifyFunction.role;
    // Only the secrets RDS generated for restored databases (<db>-…), never the production one.
    ver.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [`arn:${this.partition}:secretsmanager:${this.region}:${this.account}:secret:rds!*`],
        // RDS tags the secret with the database it belongs to: aws:rds:primaryDBInstanceArn for a
        // DB instance, aws:rds:primaryDBClusterArn for a Multi-AZ DB cluster (RDS User Guide,
        // "Password management with Amazon RDS and AWS Secrets Manager").
        conditions: { StringLike: { [`aws:ResourceTag/aws:rds:${cluster ? 'primaryDBClusterArn' : 'primaryDBInstanceArn'}`]: dbArns(`${db.name}-*`) } },
      }),
    );
    keyThrough(ver, ['secretsmanager'], ['kms:Decrypt']);
    ver.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.archiveBucket.arnForObjects(`manifests/${db.name}/*`)] }));
    archiveWrite(ver, 'reports');

    const stateMachine = (id: string, file: string, name: string, substitutions: Record<string, string>): sfn.StateMachine =>
      new sfn.StateMachine(this, id, {
        stateMachineName: `${db.name}-${name}`,
        definitionBody: aslDefinition(file),
        definitionSubstitutions: substitutions,
        logs: { destination: new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR }), level: sfn.LogLevel.ALL, includeExecutionData: true },
        tracingEnabled: true,
      });
    const restoreArns = restoreSubstitutions({ restore: this.restoreFunction.fn.functionArn, verify: this.verifyFunction.fn.functionArn });
    this.verifyStateMachine = stateMachine('VerifyMachine', 'verify.asl.json', 'verify', restoreArns);
    this.pitrStateMachine = stateMachine('PitrMachine', 'pitr-restore.asl.json', 'pitr-restore', restoreArns);
    for (const machine of [this.verifyStateMachine, this.pitrStateMachine]) {
      this.restoreFunction.fn.grantInvoke(machine);
      this.verifyFunction.fn.grantInvoke(machine);
    }

    new scheduler.Schedule(this, 'RestoreTestSchedule', {
      description: `${db.name}: restore test of the newest unverified backup`,
      schedule: scheduler.ScheduleExpression.expression(config.schedules.restoreTest, timeZone),
      target: new targets.StepFunctionsStartExecution(this.verifyStateMachine, { input: scheduler.ScheduleTargetInput.fromObject({}), retryAttempts: 3, maxEventAge: Duration.hours(2) }),
    });
    new scheduler.Schedule(this, 'SweepSchedule', {
      description: `${db.name}: delete temporary restored databases past their expiry`,
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      target: new targets.LambdaInvoke(this.restoreFunction.fn, { input: scheduler.ScheduleTargetInput.fromObject({ action: 'sweep' }), retryAttempts: 2 }),
    });
    // probe λ (in the VPC): writes a heartbeat every minute; WriterHealthy feeds WriterDown.
    this.probeFunction = new DrFunction(this, 'Probe', {
      handler: 'probe',
      description: 'Writer probe: connect over TLS, write a heartbeat, measure latency, every minute',
      timeout: Duration.seconds(40),
      memorySize: 256,
      vpc: { vpc: props.network.vpc, securityGroup: props.network.functionsSecurityGroup },
      environment: {
        DATABASE_ID: db.name,
        DB_HOST: database.endpoint,
        DB_PORT: String(db.port),
        DB_NAME: postgresDatabaseName(db.name),
        DB_SECRET_ARN: database.secretArn,
        DB_TLS_MODE: 'verify-full',
        REPLICA_HOST: 'none',
      },
    });
    this.probeFunction.role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [database.secretArn] }));
    keyThrough(this.probeFunction.role, ['secretsmanager'], ['kms:Decrypt']);
    // A missed minute is superseded by the next: no retries piling up behind a hung writer.
    this.probeFunction.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    new scheduler.Schedule(this, 'ProbeSchedule', {
      description: `${db.name}: writer probe, every minute`,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      target: new targets.LambdaInvoke(this.probeFunction.fn, { input: scheduler.ScheduleTargetInput.fromObject({ mode: 'monitor' }), retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
    });

    // Monitoring: RPO monitor, alarms with runbook sections, composite alarm, dashboard, topic.
    this.monitoring = new Monitoring(this, 'Monitoring', {
      config,
      databaseArn: database.arn,
      functions: [
        { name: 'snapshot', function: this.snapshotFunction.fn },
        { name: 'manifest', function: this.manifestFunction.fn },
        { name: 'retention', function: this.retentionFunction.fn },
        { name: 'restore', function: this.restoreFunction.fn },
        { name: 'verify', function: this.verifyFunction.fn },
        { name: 'probe', function: this.probeFunction.fn },
      ],
      stateMachines: [
        { name: 'backup', stateMachine: this.backupStateMachine },
        { name: 'verify', stateMachine: this.verifyStateMachine },
        { name: 'pitr-restore', stateMachine: this.pitrStateMachine },
      ],
    });
    // Failover: lock table, endpoint record and connection secret, the workflow, its triggers.
    this.failover = new Failover(this, 'Failover', {
      config,
      vpc: props.network.vpc,
      database,
      probeFunction: this.probeFunction.fn,
      topic: this.monitoring.topic,
      topicKey: this.monitoring.topicKey,
      archiveBucket: props.archiveBucket,
      archiveKey: props.archiveKey,
    });
    this.monitoring.watch({
      functions: [{ name: 'failover', function: this.failover.function.fn }],
      stateMachines: [{ name: 'failover', stateMachine: this.failover.stateMachine }],
    });
    Tags.of(this).add(TAG.database, db.name);
  }
}
