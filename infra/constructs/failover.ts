import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ALARM_DETAIL_TYPE, RDS_EVENT_DETAIL_TYPE, RDS_FAILOVER_EVENT_IDS, writerDownAlarmName } from '../../functions/domain/failover/request.ts';
import type { ReplicaRef } from '../config/resolve.ts';
import { acknowledge, type WildcardRule } from '../acknowledgements.ts';
import type { MonitoredResources } from './alarm-specs.ts';
import { aslDefinition, aslTimeout } from './asl-definition.ts';
import { DrFunction } from './dr-function.ts';
import { grantArchiveWrite, type ArchiveAccess } from './grants.ts';
import { postgresDatabaseName, type ProtectedDatabase } from './protected-database.ts';

/** The `definitionSubstitutions` of the failover state machine (keys must match statemachines/failover.asl.json). */
export function failoverSubstitutions(functions: { failover: string; probe: string }): Record<string, string> {
  return { FailoverFunctionArn: functions.failover, ProbeFunctionArn: functions.probe };
}

/** The failover function's IAM wildcard, with its reason (infra/nag.ts accepts it). */
export const FAILOVER_WILDCARDS: readonly WildcardRule[] = [
  {
    finding: /^Resource::arn:<AWS::Partition>:route53:::change\/\*$/,
    reason: 'route53:GetChange polls the endpoint switch until it is INSYNC; a change id exists only once the change is made, so it cannot be named in advance. Read-only.',
  },
];

/** Props of {@link Failover}. */
export interface FailoverProps {
  /** The protected database's name: resource names, the lock item, the audit prefix (`database.name`). */
  readonly databaseName: string;
  /** Start the workflow when the WriterDown alarm enters ALARM (`failover.auto`); false: notify only. */
  readonly autoFailover: boolean;
  /** Refuse a region failover when the replica is further behind, unless forced (`failover.maxLagOnFailoverSeconds`). */
  readonly maxLagOnFailoverSeconds: number;
  /** Minutes after a failover during which another is refused (`failover.cooldownMinutes`). */
  readonly cooldownMinutes: number;
  /** The VPC the private hosted zone of the writer record is associated with. */
  readonly vpc: ec2.IVpc;
  /** The protected database: its topology, ARN, writer endpoint, port and security group (the fence). */
  readonly database: Pick<ProtectedDatabase, 'topology' | 'arn' | 'endpoint' | 'port' | 'securityGroup'>;
  /** The probe λ (functions/handlers/probe/index.ts), which the workflow invokes to confirm and to post-check. */
  readonly probeFunction: lambda.IFunction;
  /** Where notifications go (the alarms' topic). */
  readonly topic: sns.ITopic;
  /**
   * The key encrypting the topic, if any: publishing needs kms:GenerateDataKey and kms:Decrypt on it.
   * @default the topic is not encrypted with a customer key
   */
  readonly topicKey?: kms.IKey;
  /** The archive bucket and its key, for the audit records (`audit/<db>/`). */
  readonly archive: ArchiveAccess;
  /**
   * The cross-region read replica a region failover promotes (`Deployment.replica`); null: no region failover.
   * @default null
   */
  readonly replica?: ReplicaRef | null;
  /**
   * Name of the private hosted zone holding the writer record `writer.<zoneName>`.
   * @default `${db}.dr.internal`
   */
  readonly zoneName?: string;
  /**
   * TTL of the writer record: what a switch costs clients at most, on top of Route 53's propagation.
   * @default Duration.seconds(10)
   */
  readonly recordTtl?: Duration;
}

/**
 * The failover workflow of one database: the lock table, the failover λ, the writer record in a
 * private hosted zone, the connection secret, the state machine (statemachines/failover.asl.json),
 * and its triggers: the writer alarm when `failover.auto` is on, RDS's failover events always (observe
 * mode, which acts on nothing and measures RDS's own failovers).
 *
 * The failover λ runs outside the VPC: it calls AWS APIs only (RDS, EC2, DynamoDB, Route 53,
 * Secrets Manager, SNS, S3), and the isolated subnets have no endpoint for several of them. SQL
 * stays with the probe λ, in the VPC.
 */
export class Failover extends Construct {
  readonly table: dynamodb.Table;
  readonly tableKey: kms.Key;
  readonly function: DrFunction;
  readonly zone: route53.PrivateHostedZone;
  readonly writerRecord: route53.CnameRecord;
  /** Host, port and database name of the writer, for applications (never the RDS-managed master secret). */
  readonly connectionSecret: secretsmanager.Secret;
  readonly stateMachine: sfn.StateMachine;
  /** The WriterDown alarm rule; null when `failover.auto` is off (the alarm only notifies). */
  readonly alarmRule: events.Rule | null;
  readonly rdsEventRule: events.Rule;
  /** The writer record's fully qualified name. */
  readonly recordName: string;
  /** What the monitoring alarms on: the failover function and state machine. */
  readonly monitored: MonitoredResources;

  constructor(scope: Construct, id: string, props: FailoverProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { database } = props;
    const db = { name: props.databaseName, topology: database.topology, port: database.port };
    const replica = props.replica ?? null;
    // The state machine's timeout (TimeoutSeconds in failover.asl.json) is also the lock's lease:
    // a run that dies keeps the lock this long, and no run outlives its lease.
    const timeout = aslTimeout('failover.asl.json');
    const ttl = props.recordTtl ?? Duration.seconds(10);
    const zoneName = props.zoneName ?? `${db.name}.dr.internal`;
    this.recordName = `writer.${zoneName}`;

    // The lock: one item per database, conditional writes, TTL on expiresAt. Ephemeral coordination
    // state: losing it loses at most a running lease or a cooldown, so the table is not retained.
    this.tableKey = new kms.Key(this, 'LockKey', { description: `${db.name}: failover lock table`, enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
    this.table = new dynamodb.Table(this, 'Lock', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Where applications find the writer.
    this.zone = new route53.PrivateHostedZone(this, 'Zone', { zoneName, vpc: props.vpc, comment: `${db.name}: DR endpoints (switched by the failover workflow)` });
    this.writerRecord = new route53.CnameRecord(this, 'Writer', { zone: this.zone, recordName: 'writer', domainName: database.endpoint, ttl, comment: `${db.name} writer` });
    this.connectionSecret = new secretsmanager.Secret(this, 'Connection', {
      description: `${db.name}: writer host and port for applications (no credentials; switched by the failover workflow)`,
      secretStringValue: SecretValue.unsafePlainText(stack.toJsonString({ engine: 'postgres', host: database.endpoint, port: db.port, dbname: postgresDatabaseName(db.name) })),
    });
    acknowledge(
      this.connectionSecret,
      'AwsSolutions-SMG4',
      'The connection secret holds no credential (host, port, database name): there is nothing to rotate. The database credentials are in the RDS-managed master secret, which RDS rotates.',
    );

    this.function = new DrFunction(this, 'Function', {
      handler: 'failover',
      description: 'Failover steps: validate, lock, pre-checks, fence, act, wait, switch the endpoint, roll back, record, notify',
      timeout: Duration.minutes(1),
      environment: {
        DATABASE_ID: db.name,
        TOPOLOGY: db.topology,
        DATABASE_REGION: stack.region,
        DR_REGION: replica?.region ?? 'none',
        REPLICA_ID: replica?.identifier ?? 'none',
        LOCK_TABLE: this.table.tableName,
        HOSTED_ZONE_ID: this.zone.hostedZoneId,
        RECORD_NAME: this.recordName,
        RECORD_TTL_SECONDS: String(ttl.toSeconds()),
        CONNECTION_SECRET_ARN: this.connectionSecret.secretArn,
        FENCE_SECURITY_GROUP_ID: replica === null ? 'none' : database.securityGroup.securityGroupId,
        TOPIC_ARN: props.topic.topicArn,
        ARCHIVE_BUCKET: props.archive.bucket.bucketName,
        MAX_LAG_SECONDS: String(props.maxLagOnFailoverSeconds),
        COOLDOWN_SECONDS: String(props.cooldownMinutes * 60),
        LOCK_LEASE_SECONDS: String(timeout.toSeconds()),
      },
    });
    this.#grant(props, replica);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${db.name}-failover`,
      definitionBody: aslDefinition('failover.asl.json'),
      definitionSubstitutions: failoverSubstitutions({ failover: this.function.fn.functionArn, probe: props.probeFunction.functionArn }),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    this.function.fn.grantInvoke(this.stateMachine);
    props.probeFunction.grantInvoke(this.stateMachine);

    // Triggers. EventBridge passes the whole event: the workflow's first step validates it.
    const target = (): targets.SfnStateMachine => new targets.SfnStateMachine(this.stateMachine, { retryAttempts: 3, maxEventAge: Duration.minutes(15) });
    this.alarmRule = props.autoFailover
      ? new events.Rule(this, 'OnWriterDown', {
          description: `${db.name}: the WriterDown alarm entering ALARM starts an AZ failover (failover.auto)`,
          eventPattern: { source: ['aws.cloudwatch'], detailType: [ALARM_DETAIL_TYPE], detail: { alarmName: [writerDownAlarmName(db.name)], state: { value: ['ALARM'] } } },
          targets: [target()],
        })
      : null;
    this.rdsEventRule = new events.Rule(this, 'OnRdsFailover', {
      description: `${db.name}: RDS failover events start the workflow in observe mode (measure RDS's own failovers)`,
      eventPattern: { source: ['aws.rds'], detailType: [RDS_EVENT_DETAIL_TYPE[db.topology]], resources: [database.arn], detail: { EventID: [...RDS_FAILOVER_EVENT_IDS[db.topology]] } },
      targets: [target()],
    });
    this.monitored = { functions: [{ name: 'failover', function: this.function.fn }], stateMachines: [{ name: 'failover', stateMachine: this.stateMachine }] };
  }

  /** Least privilege: every statement names its resources; the exceptions are the API's own (see the comments). */
  #grant(props: FailoverProps, replica: ReplicaRef | null): void {
    const stack = Stack.of(this);
    const role = this.function.role;
    const { database } = props;
    const cluster = database.topology === 'multi-az-cluster';

    // The lock: the four item operations on the one table; its key only through DynamoDB.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], resources: [this.table.tableArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [this.tableKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
      }),
    );

    // RDS: describe and fail over the protected database only.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: cluster ? ['rds:DescribeDBClusters', 'rds:FailoverDBCluster'] : ['rds:DescribeDBInstances', 'rds:RebootDBInstance'],
        resources: [database.arn],
      }),
    );
    if (replica !== null) {
      // Region failover: promote the one replica, fence the old writer's one security group.
      const replicaArn = `arn:${stack.partition}:rds:${replica.region}:${stack.account}:db:${replica.identifier}`;
      role.addToPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBInstances', 'rds:PromoteReadReplica'], resources: [replicaArn] }));
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['ec2:RevokeSecurityGroupIngress'],
          resources: [`arn:${stack.partition}:ec2:${stack.region}:${stack.account}:security-group/${database.securityGroup.securityGroupId}`],
        }),
      );
      // DescribeSecurityGroupRules has no resource-level permissions (Service Authorization Reference, Amazon EC2).
      role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeSecurityGroupRules'], resources: ['*'], conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } } }));
      // The lag gate reads the probe's lag history; GetMetricData has no resource-level permissions either.
      role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'], conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } } }));
    }

    // Route 53: list and UPSERT the one CNAME of the one zone (Route 53 Developer Guide, "Using IAM policy
    // conditions": record names lower case without the trailing dot).
    role.addToPolicy(new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: [this.zone.hostedZoneArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['route53:ChangeResourceRecordSets'],
        resources: [this.zone.hostedZoneArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': [this.recordName.toLowerCase()],
            'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
            'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
          },
        },
      }),
    );
    // A change's id is only known once made: GetChange takes the change resource type, by id.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['route53:GetChange'], resources: [`arn:${stack.partition}:route53:::change/*`] }));

    // The connection secret (never the master secret), the topic, the audit prefix of the archive.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], resources: [this.connectionSecret.secretArn] }));
    // Publish on the one topic; its key only through SNS (grantPublish would add kms:GenerateDataKey*).
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.topic.topicArn] }));
    if (props.topicKey !== undefined) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.topicKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    grantArchiveWrite(role, props.archive, 'audit', props.databaseName);
  }
}
