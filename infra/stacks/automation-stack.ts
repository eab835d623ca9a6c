import { Duration, Stack, Tags, TimeZone, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import type { DrConfig } from '../config/types.ts';
import { DrFunction } from '../constructs/dr-function.ts';
import type { Network } from '../constructs/network.ts';
import type { ProtectedDatabase } from '../constructs/protected-database.ts';
import { drKeyAlias } from './dr-region-stack.ts';

const STATEMACHINES = fileURLToPath(new URL('../../statemachines/', import.meta.url));

/** Props of {@link AutomationStack}. */
export interface AutomationStackProps extends StackProps {
  readonly config: DrConfig;
  readonly network: Network;
  readonly database: ProtectedDatabase;
  readonly databaseKey: kms.IKey;
  readonly archiveBucket: s3.IBucket;
  readonly archiveKey: kms.IKey;
}

/** The `definitionSubstitutions` of the backup state machine (keys must match the ASL file). */
export function backupSubstitutions(functions: { snapshot: string; manifest: string; retention: string }): Record<string, string> {
  return { SnapshotFunctionArn: functions.snapshot, ManifestFunctionArn: functions.manifest, RetentionFunctionArn: functions.retention };
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
  readonly backupStateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: AutomationStackProps) {
    super(scope, id, props);
    const { config, database } = props;
    const db = config.database;
    const cluster = db.topology === 'multi-az-cluster';
    const drRegion = config.dr.region !== null && config.dr.snapshotCopy ? config.dr.region : null;
    const snapshotKind = cluster ? 'cluster-snapshot' : 'snapshot';
    const snapshotArns = (region: string): string => `arn:${this.partition}:rds:${region}:${this.account}:${snapshotKind}:${db.name}-*`;
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
    snap.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:CreateDBClusterSnapshot' : 'rds:CreateDBSnapshot', 'rds:AddTagsToResource'],
        resources: [database.arn, snapshotArns(this.region)],
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
          actions: ['rds:CopyDBSnapshot', 'rds:AddTagsToResource'],
          resources: [snapshotArns(this.region), snapshotArns(drRegion)],
        }),
      );
      // RDS uses the DR key through a grant it creates on the caller's behalf.
      snap.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:CreateGrant', 'kms:DescribeKey'],
          resources: [`arn:${this.partition}:kms:${drRegion}:${this.account}:key/*`],
          conditions: {
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': drKeyAlias(db.name) },
            StringEquals: { 'kms:ViaService': `rds.${drRegion}.amazonaws.com` },
          },
        }),
      );
      props.databaseKey.grant(snap, 'kms:CreateGrant', 'kms:DescribeKey');
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
        // A reader where one exists keeps the capture's load off the writer; its counts
        // then trail the writer by the replica lag, which the manifest's heartbeat records.
        DB_HOST: database.readerEndpoint,
        DB_PORT: String(db.port),
        DB_NAME: db.name.replaceAll('-', '_'),
        DB_SECRET_ARN: database.secretArn,
        // Node 20+ Lambda runtimes trust the RDS CA bundle only when told to.
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      },
    });
    const man = this.manifestFunction.role;
    man.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [database.secretArn] }));
    props.databaseKey.grantDecrypt(man);
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
        RETENTION_POLICY: JSON.stringify({
          daily: config.retention.daily,
          weekly: config.retention.weekly,
          monthly: config.retention.monthly,
          yearly: config.retention.yearly,
          minimumCount: config.retention.minimumCount,
          quotaHeadroom: config.retention.quotaHeadroom,
          deletesPerSecond: config.retention.deletesPerSecond,
          maxVerifiedAgeHours: config.retention.maxVerifiedAgeHours,
        }),
      },
    });
    const ret = this.retentionFunction.role;
    const regions = [this.region, ...(drRegion ? [drRegion] : [])];
    ret.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DescribeDBClusterSnapshots' : 'rds:DescribeDBSnapshots'],
        resources: [...regions.map(snapshotArns), database.arn],
      }),
    );
    ret.addToPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeAccountAttributes'], resources: ['*'] }));
    ret.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DeleteDBClusterSnapshot' : 'rds:DeleteDBSnapshot'],
        resources: regions.map(snapshotArns),
        conditions: { StringEquals: { [`rds:${snapshotKind}-tag/dr:managed`]: 'true' } },
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
          Null: { [`rds:${snapshotKind}-tag/dr:legal-hold`]: 'false' },
          StringNotEquals: { [`rds:${snapshotKind}-tag/dr:legal-hold`]: 'false' },
        },
      }),
    );
    archiveWrite(ret, 'audit');

    // backup state machine.
    const logGroup = new logs.LogGroup(this, 'BackupLogs', { retention: logs.RetentionDays.ONE_YEAR });
    this.backupStateMachine = new sfn.StateMachine(this, 'Backup', {
      stateMachineName: `${db.name}-backup`,
      definitionBody: sfn.DefinitionBody.fromFile(`${STATEMACHINES}backup.asl.json`),
      definitionSubstitutions: backupSubstitutions({
        snapshot: this.snapshotFunction.fn.functionArn,
        manifest: this.manifestFunction.fn.functionArn,
        retention: this.retentionFunction.fn.functionArn,
      }),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      timeout: Duration.hours(24),
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
    Tags.of(this).add('dr:database', db.name);
  }
}
