import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { drKeyAlias, type BackupFacts } from '../config/resolve.ts';
import type { WildcardRule } from '../acknowledgements.ts';
import { TAG } from '../../functions/domain/snapshots/naming.ts';
import { aslDefinition } from './asl-definition.ts';
import { DrFunction } from './dr-function.ts';
import type { MonitoredResources } from './alarm-specs.ts';
import { grantArchiveWrite, grantKeyThrough, RdsArns, sharedEnvironment, type AutomationContext } from './grants.ts';
import { postgresDatabaseName, type ProtectedDatabase } from './protected-database.ts';
import { exactCountsEnvironment } from './restore-testing.ts';

/** The `definitionSubstitutions` of the backup state machine (keys must match the ASL file). */
export function backupSubstitutions(functions: { snapshot: string; manifest: string; retention: string }): Record<string, string> {
  return { SnapshotFunctionArn: functions.snapshot, ManifestFunctionArn: functions.manifest, RetentionFunctionArn: functions.retention };
}

/** The IAM wildcards the backup's policies need, each with its reason (infra/nag.ts accepts them). */
export const BACKUP_WILDCARDS: readonly WildcardRule[] = [
  {
    finding: /^Resource::arn:<AWS::Partition>:rds:[a-z0-9-]+:<AWS::AccountId>:(cluster-)?snapshot:[a-z0-9-]+-\*$/,
    reason: 'Snapshot ids are <db>-<tier>-<timestamp>, created daily: the prefix scopes the policy to this database\'s snapshots; deletes also require the tag dr:managed=true.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:kms:[a-z0-9-]+:<AWS::AccountId>:key\/\*$/,
    reason: 'The DR-region key is referenced by alias across regions; kms:ResourceAliases and kms:ViaService conditions restrict the grant to that one key, used through RDS, and kms:GrantIsForAWSResource to grants for AWS resources.',
  },
];

/** Props of {@link Backup}. */
export interface BackupProps extends AutomationContext, BackupFacts {
  /** The protected database: its ARN, writer endpoint, port and master secret. */
  readonly database: Pick<ProtectedDatabase, 'arn' | 'endpoint' | 'port' | 'secretArn'>;
  /** The database's key (the master secret's, and RDS's grants for copies). */
  readonly databaseKey: kms.IKey;
}

/**
 * Backup: the snapshot, manifest and retention functions, the backup state machine over them
 * (statemachines/backup.asl.json) and its schedule. Only retention deletes, and only snapshots
 * tagged dr:managed=true.
 *
 * Adds its resources to `scope` itself (see grants.ts: the logical ids stay those of the deployed stack).
 */
export class Backup {
  /** create, poll, copy, record. Never deletes. */
  readonly snapshotFunction: DrFunction;
  /** In the VPC: reads the database, writes the manifest. */
  readonly manifestFunction: DrFunction;
  /** The only function that deletes, and only snapshots tagged dr:managed=true. */
  readonly retentionFunction: DrFunction;
  readonly stateMachine: sfn.StateMachine;
  /** What the monitoring alarms on: the three functions and the state machine. */
  readonly monitored: MonitoredResources;

  constructor(scope: Construct, props: BackupProps) {
    const stack = Stack.of(scope);
    const db = props.databaseName;
    const rds = new RdsArns(scope, db, props.topology);
    const { cluster, snapshotKind } = rds;
    const { database } = props;
    const drRegion = props.snapshotCopyRegion;
    const regions = [stack.region, ...(drRegion ? [drRegion] : [])];
    const environment = sharedEnvironment(props);

    this.snapshotFunction = new DrFunction(scope, 'Snapshot', {
      handler: 'snapshot',
      description: 'Backup steps: plan, create, poll and copy snapshots; record the run',
      environment: {
        ...environment,
        SCHEDULE_TIMEZONE: props.schedules.timezone,
        TIER_RULES: JSON.stringify(props.schedules.tiers),
        DR_REGION: drRegion ?? 'none',
        DR_KMS_KEY_ID: drRegion ? `arn:${stack.partition}:kms:${drRegion}:${stack.account}:${drKeyAlias(db)}` : 'none',
      },
    });
    const snap = this.snapshotFunction.role;
    snap.addToPolicy(new iam.PolicyStatement({ actions: [cluster ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances'], resources: [database.arn] }));
    snap.addToPolicy(new iam.PolicyStatement({ actions: [cluster ? 'rds:CreateDBClusterSnapshot' : 'rds:CreateDBSnapshot'], resources: [database.arn, ...rds.managedSnapshots(stack.region)] }));
    // Tags of a create or copy request (RDS authorizes them as AddTagsToResource): only the
    // managed tag set, only dr:managed=true of this database, only on the backup's own names,
    // and never over an existing dr:managed tag of another value.
    snap.addToPolicy(
      new iam.PolicyStatement({
        actions: ['rds:AddTagsToResource'],
        resources: regions.flatMap((region) => rds.managedSnapshots(region)),
        conditions: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG.managed, TAG.tier, TAG.policy, TAG.database, TAG.copyOf] },
          StringEquals: { [`aws:RequestTag/${TAG.managed}`]: 'true', [`aws:RequestTag/${TAG.database}`]: db },
          StringEqualsIfExists: { [`aws:ResourceTag/${TAG.managed}`]: 'true' },
        },
      }),
    );
    snap.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DescribeDBClusterSnapshots' : 'rds:DescribeDBSnapshots'],
        resources: [...regions.map((region) => rds.snapshots(region)), database.arn],
      }),
    );
    // DescribeAccountAttributes has no resource-level permissions (quota check).
    snap.addToPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeAccountAttributes'], resources: ['*'] }));
    if (drRegion) {
      snap.addToPolicy(
        new iam.PolicyStatement({
          actions: [cluster ? 'rds:CopyDBClusterSnapshot' : 'rds:CopyDBSnapshot'],
          resources: [...rds.managedSnapshots(stack.region), ...rds.managedSnapshots(drRegion)],
        }),
      );
      // RDS uses the DR key through a grant it creates on the caller's behalf, for the copy only.
      const drKey = {
        resources: [`arn:${stack.partition}:kms:${drRegion}:${stack.account}:key/*`],
        aliases: { 'kms:ResourceAliases': drKeyAlias(db) },
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
      grantKeyThrough(snap, props.databaseKey, ['rds'], ['kms:CreateGrant', 'kms:DescribeKey']);
    }
    grantArchiveWrite(snap, props.archive, 'audit', db);

    this.manifestFunction = new DrFunction(scope, 'Manifest', {
      handler: 'manifest',
      description: 'Capture the database manifest (schema fingerprint, row counts, heartbeat) before a snapshot',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      vpc: props.placement,
      environment: {
        ...environment,
        // The writer, not a reader: the bracketed manifest reads write counters
        // (pg_stat_user_tables) and open transactions (pg_stat_activity), which a hot standby
        // keeps only for its own sessions, so on a reader every bracket would be zero-width.
        DB_HOST: database.endpoint,
        BRACKET_MAX_WAIT_SECONDS: String(props.bracketMaxWaitSeconds),
        // Whether reading A digests every row (the 'table-content' check of quiet tables).
        CONTENT_DIGEST: String(props.contentDigest),
        ...exactCountsEnvironment(props.exactCountTables),
        DB_PORT: String(database.port),
        DB_NAME: postgresDatabaseName(db),
        DB_SECRET_ARN: database.secretArn,
      },
    });
    const man = this.manifestFunction.role;
    man.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [database.secretArn] }));
    grantKeyThrough(man, props.databaseKey, ['secretsmanager'], ['kms:Decrypt']);
    grantArchiveWrite(man, props.archive, 'manifests', db);
    man.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.archive.bucket.arnForObjects(`manifests/${db}/*`)] }));

    this.retentionFunction = new DrFunction(scope, 'Retention', {
      handler: 'retention',
      description: 'GFS retention with safety rules; deletes only dr:managed snapshots',
      timeout: Duration.minutes(15),
      environment: {
        ...environment,
        DR_REGION: drRegion ?? 'none',
        // The handler refuses any key it does not know, so the two shapes cannot drift apart silently.
        RETENTION_POLICY: JSON.stringify(props.retention),
      },
    });
    const ret = this.retentionFunction.role;
    ret.addToPolicy(rds.listSnapshots(regions));
    // Listing the databases finds restore tests in progress (dr:temporary, dr:source-snapshot), whose
    // snapshots retention keeps. Read-only, against every database of the region (a list call).
    ret.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances'],
        resources: regions.map((region) => rds.arn(region, rds.instanceKind, '*')),
      }),
    );
    ret.addToPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeAccountAttributes'], resources: ['*'] }));
    ret.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DeleteDBClusterSnapshot' : 'rds:DeleteDBSnapshot'],
        resources: regions.map((region) => rds.snapshots(region)),
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
    grantArchiveWrite(ret, props.archive, 'audit', db);

    const logGroup = new logs.LogGroup(scope, 'BackupLogs', { retention: logs.RetentionDays.ONE_YEAR });
    this.stateMachine = new sfn.StateMachine(scope, 'Backup', {
      stateMachineName: `${db}-backup`,
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
    for (const f of [this.snapshotFunction, this.manifestFunction, this.retentionFunction]) f.fn.grantInvoke(this.stateMachine);

    // One backup run; Scheduler passes the scheduled time that names the snapshot.
    new scheduler.Schedule(scope, 'BackupSchedule', {
      description: `${db}: backup run (tier from the date), then retention`,
      schedule: scheduler.ScheduleExpression.expression(props.schedules.backup, TimeZone.of(props.schedules.timezone)),
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledAt: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      }),
    });
    this.monitored = {
      functions: [
        { name: 'snapshot', function: this.snapshotFunction.fn },
        { name: 'manifest', function: this.manifestFunction.fn },
        { name: 'retention', function: this.retentionFunction.fn },
      ],
      stateMachines: [{ name: 'backup', stateMachine: this.stateMachine }],
    };
  }
}
