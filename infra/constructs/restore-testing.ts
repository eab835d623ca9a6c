import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { RestoreTestingFacts } from '../config/resolve.ts';
import type { WildcardRule } from '../acknowledgements.ts';
import { TAG } from '../../functions/domain/snapshots/naming.ts';
import { aslDefinition } from './asl-definition.ts';
import { DrFunction } from './dr-function.ts';
import type { MonitoredResources } from './alarm-specs.ts';
import { grantArchiveWrite, grantKeyThrough, RdsArns, sharedEnvironment, type AutomationContext } from './grants.ts';
import { postgresDatabaseName, type ProtectedDatabase } from './protected-database.ts';

/** The `definitionSubstitutions` of the verify and point-in-time-restore state machines. */
export function restoreSubstitutions(functions: { restore: string; verify: string }): Record<string, string> {
  return { RestoreFunctionArn: functions.restore, VerifyFunctionArn: functions.verify };
}

/** The IAM wildcards the restore functions' policies need, each with its reason (infra/nag.ts accepts them). */
export const RESTORE_WILDCARDS: readonly WildcardRule[] = [
  {
    finding: /^Resource::arn:<AWS::Partition>:rds:[a-z0-9-]+:<AWS::AccountId>:(db|cluster):[a-z0-9-]+(-vfy-|-|)\*$/,
    reason:
      'Restored databases are named <db>-… (restore tests <db>-vfy-…), so a name prefix scopes restores, describes and deletes to this database\'s restores; the production database is never a target, and deletes also require the tag dr:temporary=true.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:secretsmanager:[a-z0-9-]+:<AWS::AccountId>:secret:rds!\*$/,
    reason:
      'RDS names the master secrets it generates rds!db-<uuid>, unknown before the restore: RDS creates them on the caller\'s behalf, and reading them is further restricted by the tag RDS puts on them (aws:rds:primaryDBInstanceArn, or aws:rds:primaryDBClusterArn for a cluster) to databases named <db>-….',
  },
];

/** Props of {@link RestoreTesting}. */
export interface RestoreTestingProps extends AutomationContext, RestoreTestingFacts {
  /** The protected database: ARN, subnet and parameter groups (restores reuse them), security group (point-in-time restores). */
  readonly database: Pick<ProtectedDatabase, 'arn' | 'subnetGroupName' | 'parameterGroupName' | 'securityGroup'>;
  /** The database's key: the restored database's new master secret. */
  readonly databaseKey: kms.IKey;
  /** Security group of temporary restored databases ({@link RestoreTestNetwork}, database stack). */
  readonly restoreTestSecurityGroup: ec2.ISecurityGroup;
}

/**
 * Restore testing: the restore and verify functions, the verify state machine
 * (statemachines/verify.asl.json) with its schedule, the hourly sweeper of expired temporary
 * databases, and the point-in-time-restore state machine, which runs on the same two functions.
 *
 * Adds its resources to `scope` itself (see grants.ts: the logical ids stay those of the deployed stack).
 */
export class RestoreTesting {
  /** Restores, polls, tags verdicts, deletes temporary databases, sweeps. */
  readonly restoreFunction: DrFunction;
  /** In the VPC: SQL checks against the restored database, report to the archive. */
  readonly verifyFunction: DrFunction;
  readonly verifyStateMachine: sfn.StateMachine;
  readonly pitrStateMachine: sfn.StateMachine;
  /** What the monitoring alarms on: the two functions and the two state machines. */
  readonly monitored: MonitoredResources;

  constructor(scope: Construct, props: RestoreTestingProps) {
    const stack = Stack.of(scope);
    const db = props.databaseName;
    const { database, engine } = props;
    const rds = new RdsArns(scope, db, props.topology);
    const { cluster, snapshotKind, instanceKind } = rds;
    const drRegion = props.snapshotCopyRegion;
    const regions = [stack.region, ...(drRegion ? [drRegion] : [])];
    const environment = sharedEnvironment(props);

    this.restoreFunction = new DrFunction(scope, 'Restore', {
      handler: 'restore',
      description: 'Restore tests and point-in-time restores: restore, poll, verdict tags, guarded delete, sweeper',
      environment: {
        ...environment,
        ENGINE_VERSION: engine.engineVersion,
        DR_REGION: drRegion ?? 'none',
        RESTORE_INSTANCE_CLASS: props.restoreTest.instanceClass ?? engine.instanceClass,
        RESTORE_SUBNET_GROUP: database.subnetGroupName,
        RESTORE_PARAMETER_GROUP: database.parameterGroupName,
        VERIFY_SECURITY_GROUP_ID: props.restoreTestSecurityGroup.securityGroupId,
        PITR_SECURITY_GROUP_ID: database.securityGroup.securityGroupId,
        SECRET_KMS_KEY_ID: props.databaseKey.keyArn,
        TEMP_TTL_HOURS: String(props.restoreTest.temporaryTtlHours),
        STORAGE_TYPE: engine.storageType,
        ...(engine.iops === undefined ? {} : { STORAGE_IOPS: String(engine.iops) }),
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
          rds.databases(`${db}-*`),
          database.arn,
          rds.snapshots(stack.region),
          rds.arn(stack.region, 'subgrp', database.subnetGroupName),
          rds.arn(stack.region, cluster ? 'cluster-pg' : 'pg', database.parameterGroupName),
          rds.arn(stack.region, 'og', `default:postgres-${engine.engineVersion.split('.')[0]}`),
        ],
      }),
    );
    // Tags of a restore request: only on restored databases (<db>-…, never the production one),
    // only the restore tag set, only of this database.
    res.addToPolicy(
      new iam.PolicyStatement({
        actions: ['rds:AddTagsToResource'],
        resources: [rds.databases(`${db}-*`)],
        conditions: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG.temporary, TAG.expiresAt, TAG.sourceSnapshot, TAG.pitrTarget, TAG.database] },
          StringEquals: { [`aws:RequestTag/${TAG.database}`]: db },
        },
      }),
    );
    // The sweeper lists every database (no identifier): RDS authorizes such a list call
    // against all databases of the account and region, so a name prefix would deny it.
    res.addToPolicy(new iam.PolicyStatement({ actions: [cluster ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances'], resources: [rds.databases('*')] }));
    // A restored database gets its own RDS-managed secret after the restore (ensureOwnSecret of
    // restore.ts): only restored databases of this database (name and dr:database tag), never production.
    res.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:ModifyDBCluster' : 'rds:ModifyDBInstance'],
        resources: [rds.databases(`${db}-*`)],
        conditions: { StringLike: { [`aws:ResourceTag/${TAG.database}`]: db } },
      }),
    );
    res.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DeleteDBCluster' : 'rds:DeleteDBInstance'],
        resources: [rds.databases(`${db}-vfy-*`)],
        conditions: { StringEquals: { [`rds:${instanceKind}-tag/${TAG.temporary}`]: 'true' } },
      }),
    );
    // Selecting a snapshot lists them as retention does (the same grant), in both regions.
    res.addToPolicy(rds.listSnapshots(regions));
    // Verdict tags only, only on managed snapshots (their existing dr:managed=true tag).
    res.addToPolicy(
      new iam.PolicyStatement({
        actions: ['rds:AddTagsToResource'],
        resources: regions.map((region) => rds.snapshots(region)),
        conditions: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG.verified, TAG.verifiedAt] },
          StringEquals: { [`rds:${snapshotKind}-tag/${TAG.managed}`]: 'true' },
        },
      }),
    );
    // RDS creates the new master secret and uses the database key on the caller's behalf.
    const rdsSecrets = `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:rds!*`;
    res.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], resources: [rdsSecrets] }));
    grantKeyThrough(res, props.databaseKey, ['rds', 'secretsmanager'], ['kms:CreateGrant', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:Decrypt']);
    grantArchiveWrite(res, props.archive, 'audit', db);

    this.verifyFunction = new DrFunction(scope, 'Verify', {
      handler: 'verify',
      description: 'Restore-test SQL checks against a restored database; report archived with its SHA-256',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      vpc: props.placement,
      environment: {
        ...environment,
        DB_NAME: postgresDatabaseName(db),
        DB_TLS_MODE: 'verify-full',
        ASSERTIONS: JSON.stringify(props.restoreTest.assertions),
        MAX_BRACKET_SHARE: String(props.restoreTest.maxBracketShare),
        // Exact mode (docs/restore.md): the verify function reads these tables' row-count ledgers; absent leaves it off.
        ...exactCountsEnvironment(props.restoreTest.exactCounts.tables),
      },
    });
    const ver = this.verifyFunction.role;
    // Only the secrets RDS generated for restored databases (<db>-…), never the production one.
    ver.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [rdsSecrets],
        // RDS tags the secret with the database it belongs to: aws:rds:primaryDBInstanceArn for a
        // DB instance, aws:rds:primaryDBClusterArn for a Multi-AZ DB cluster (RDS User Guide,
        // "Password management with Amazon RDS and AWS Secrets Manager").
        conditions: { StringLike: { [`aws:ResourceTag/aws:rds:${cluster ? 'primaryDBClusterArn' : 'primaryDBInstanceArn'}`]: rds.databases(`${db}-*`) } },
      }),
    );
    grantKeyThrough(ver, props.databaseKey, ['secretsmanager'], ['kms:Decrypt']);
    ver.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.archive.bucket.arnForObjects(`manifests/${db}/*`)] }));
    grantArchiveWrite(ver, props.archive, 'reports', db);

    const stateMachine = (id: string, file: string, name: string, substitutions: Record<string, string>): sfn.StateMachine =>
      new sfn.StateMachine(scope, id, {
        stateMachineName: `${db}-${name}`,
        definitionBody: aslDefinition(file),
        definitionSubstitutions: substitutions,
        logs: { destination: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR }), level: sfn.LogLevel.ALL, includeExecutionData: true },
        tracingEnabled: true,
      });
    const restoreArns = restoreSubstitutions({ restore: this.restoreFunction.fn.functionArn, verify: this.verifyFunction.fn.functionArn });
    this.verifyStateMachine = stateMachine('VerifyMachine', 'verify.asl.json', 'verify', restoreArns);
    this.pitrStateMachine = stateMachine('PitrMachine', 'pitr-restore.asl.json', 'pitr-restore', restoreArns);
    for (const machine of [this.verifyStateMachine, this.pitrStateMachine]) {
      this.restoreFunction.fn.grantInvoke(machine);
      this.verifyFunction.fn.grantInvoke(machine);
    }

    new scheduler.Schedule(scope, 'RestoreTestSchedule', {
      description: `${db}: restore test of the newest unverified backup`,
      schedule: scheduler.ScheduleExpression.expression(props.schedule.expression, TimeZone.of(props.schedule.timezone)),
      target: new targets.StepFunctionsStartExecution(this.verifyStateMachine, { input: scheduler.ScheduleTargetInput.fromObject({}), retryAttempts: 3, maxEventAge: Duration.hours(2) }),
    });
    new scheduler.Schedule(scope, 'SweepSchedule', {
      description: `${db}: delete temporary restored databases past their expiry`,
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      target: new targets.LambdaInvoke(this.restoreFunction.fn, { input: scheduler.ScheduleTargetInput.fromObject({ action: 'sweep' }), retryAttempts: 2 }),
    });
    this.monitored = {
      functions: [
        { name: 'restore', function: this.restoreFunction.fn },
        { name: 'verify', function: this.verifyFunction.fn },
      ],
      stateMachines: [
        { name: 'verify', stateMachine: this.verifyStateMachine },
        { name: 'pitr-restore', stateMachine: this.pitrStateMachine },
      ],
    };
  }
}

/** Props of {@link RestoreTestNetwork}. */
export interface RestoreTestNetworkProps {
  /** The protected database's name, for the group's description. */
  readonly databaseName: string;
  /** The VPC the restored databases are placed in. */
  readonly vpc: ec2.IVpc;
  /** The DR functions' security group: the only source admitted, and given egress to the group. */
  readonly functionsSecurityGroup: ec2.ISecurityGroup;
  /** The PostgreSQL port (restores keep the database's port). */
  readonly port: number;
}

/**
 * The security group of temporary restored databases (in the database stack): PostgreSQL from the
 * DR functions only, so a restored copy is reachable by the verify function and nothing else,
 * whatever the production database's group allows.
 *
 * Adds its group to `scope` itself (see grants.ts: the logical ids stay those of the deployed stack).
 */
export class RestoreTestNetwork {
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, props: RestoreTestNetworkProps) {
    this.securityGroup = new ec2.SecurityGroup(scope, 'RestoreTestSg', {
      vpc: props.vpc,
      description: `${props.databaseName}: temporary restored databases, reachable from the DR functions only`,
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(props.functionsSecurityGroup, ec2.Port.tcp(props.port), 'verify function');
    props.functionsSecurityGroup.addEgressRule(this.securityGroup, ec2.Port.tcp(props.port), 'temporary restored databases');
  }
}

/**
 * `EXACT_COUNT_TABLES` for the manifest and verify functions when `restoreTest.exactCounts.tables`
 * names any (docs/restore.md, "Exact mode"); nothing otherwise, so exact mode stays off.
 */
export function exactCountsEnvironment(tables: readonly string[]): Record<string, string> {
  return tables.length === 0 ? {} : { EXACT_COUNT_TABLES: JSON.stringify(tables) };
}
