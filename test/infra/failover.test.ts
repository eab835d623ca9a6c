import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../infra/config/load.ts';
import { resolveDeployment } from '../../infra/config/resolve.ts';
import type { DrConfigInput } from '../../infra/config/types.ts';
import { Failover } from '../../infra/constructs/failover.ts';
import { DrFunction } from '../../infra/constructs/dr-function.ts';
import { DatabaseStack } from '../../infra/stacks/database-stack.ts';
import { DrAwsSolutionsChecks } from '../../infra/nag.ts';
import { aslText, substitutionKeys } from '../support/asl.ts';

/** The protected instance's ARN as the automation side sees it: its identifier imported from the database stack. */
function instanceArn(imported: unknown): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:db:', { 'Fn::ImportValue': imported }]] };
}
const IMPORTED_ID = /^Dr-swifteats-Database:ExportsOutputRefDatabasePrimary/;

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };


interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly failover: Failover;
  readonly template: Template;
}

/**
 * The construct in a test stack beside the real database stack (network, database, archive), so
 * cross-stack references render as in the app; a probe λ and a KMS-encrypted topic stand in for the
 * automation stack's. Bundling skipped.
 */
function build(input: DrConfigInput = {}): Built {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
  const config = resolveConfig(input);
  const env = { account: '123456789012', region: 'eu-west-1' };
  const db = new DatabaseStack(app, 'Dr-swifteats-Database', { deployment: resolveDeployment(config), env });
  const stack = new Stack(app, 'FailoverTest', { env });
  const probe = new DrFunction(stack, 'Probe', {
    handler: 'probe',
    description: 'Writer probe (test stand-in)',
    vpc: { vpc: db.network.vpc, securityGroup: db.network.functionsSecurityGroup },
    // The probe's contract (functions/contracts/environment.ts) is checked at synth: a complete environment.
    environment: {
      DATABASE_ID: 'swifteats',
      DB_HOST: 'writer.example.internal',
      DB_PORT: '5432',
      DB_NAME: 'swifteats',
      DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:swifteats-probe',
      DB_TLS_MODE: 'verify-full',
      REPLICA_HOST: 'none',
    },
  });
  const topicKey = new kms.Key(stack, 'TopicKey', { enableKeyRotation: true });
  const topic = new sns.Topic(stack, 'Topic', { masterKey: topicKey, enforceSSL: true });
  const failover = new Failover(stack, 'Failover', {
    databaseName: config.database.name,
    autoFailover: config.failover.auto,
    maxLagOnFailoverSeconds: config.failover.maxLagOnFailoverSeconds,
    cooldownMinutes: config.failover.cooldownMinutes,
    replica: resolveDeployment(config).replica,
    vpc: db.network.vpc,
    database: db.database,
    probeFunction: probe.fn,
    topic,
    topicKey,
    archive: { bucket: db.archive.bucket, key: db.archive.key },
  });
  return { app, stack, failover, template: Template.fromStack(stack) };
}

/** Every IAM statement of the construct's policies (not the stand-ins'). */
function statements(template: Template): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('Failover'))
    .flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

function actions(s: Statement): string[] {
  return Array.isArray(s.Action) ? s.Action : [s.Action];
}

function statementWith(template: Template, action: string): Statement | undefined {
  return statements(template).find((s) => actions(s).includes(action));
}

function nagErrors(built: Built): string[] {
  const report = new DrAwsSolutionsChecks(built.app).validateScope(built.stack);
  return report.violations
    .filter((v) => v.severity?.toLowerCase() === 'error')
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId ?? ''}`));
}

describe('Failover construct, multi-az-instance with a cross-region replica, auto-failover on', () => {
  const built = build({ failover: { auto: true }, dr: { readReplica: true } });
  const { template } = built;

  it('keeps the lock in a KMS-encrypted table with point-in-time recovery and TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'swifteats: failover lock table', EnableKeyRotation: true });
  });

  it('gives the state machine exactly the substitutions its ASL file uses, logs everything and traces', () => {
    const substitutions = new Capture();
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'swifteats-failover', DefinitionSubstitutions: substitutions, TracingConfiguration: { Enabled: true }, LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true } });
    expect(Object.keys(substitutions.asObject()).sort()).toEqual(substitutionKeys(aslText('failover')));
    expect(substitutions.asObject()).toEqual({ FailoverFunctionArn: { 'Fn::GetAtt': [expect.stringMatching(/^FailoverFunction/), 'Arn'] }, ProbeFunctionArn: { 'Fn::GetAtt': [expect.stringMatching(/^ProbeFunction/), 'Arn'] } });
  });

  it('configures the failover λ outside the VPC, with every setting from the configuration', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Failover steps') } }))[0] as { Properties: { Environment: { Variables: Record<string, unknown> }; VpcConfig?: unknown } };
    expect(fn.Properties.VpcConfig).toBeUndefined();
    expect(fn.Properties.Environment.Variables).toMatchObject({
      DATABASE_ID: 'swifteats',
      TOPOLOGY: 'multi-az-instance',
      DATABASE_REGION: 'eu-west-1',
      DR_REGION: 'eu-central-1',
      REPLICA_ID: 'swifteats-dr',
      RECORD_NAME: 'writer.swifteats.dr.internal',
      RECORD_TTL_SECONDS: '10',
      TOPIC_ARN: { Ref: expect.stringMatching(/^Topic/) },
      ARCHIVE_BUCKET: { 'Fn::ImportValue': expect.stringMatching(/^Dr-swifteats-Database:ExportsOutputRefArchiveBucket/) },
      MAX_LAG_SECONDS: '60',
      COOLDOWN_SECONDS: '1800',
      LOCK_LEASE_SECONDS: '3600',
      LOCK_TABLE: { Ref: expect.stringMatching(/^FailoverLock/) },
      HOSTED_ZONE_ID: { Ref: expect.stringMatching(/^FailoverZone/) },
      CONNECTION_SECRET_ARN: { Ref: expect.stringMatching(/^FailoverConnection/) },
      FENCE_SECURITY_GROUP_ID: { 'Fn::ImportValue': expect.stringMatching(/^Dr-swifteats-Database:ExportsOutputFnGetAttDatabaseSecurityGroup/) },
    });
  });

  it('publishes the writer as a 10 s CNAME in a private zone of the VPC, and in a connection secret without credentials', () => {
    template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'swifteats.dr.internal.', VPCs: [Match.objectLike({ VPCRegion: 'eu-west-1' })] });
    const endpoint = { 'Fn::ImportValue': Match.stringLikeRegexp('^Dr-swifteats-Database:ExportsOutputFnGetAttDatabasePrimary[A-Z0-9]+EndpointAddress') };
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'writer.swifteats.dr.internal.', Type: 'CNAME', TTL: '10', ResourceRecords: [endpoint] });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: { 'Fn::Join': ['', ['{"engine":"postgres","host":"', endpoint, '","port":5432,"dbname":"swifteats"}']] },
    });
  });

  it('starts the workflow on the WriterDown alarm entering ALARM, and on RDS failover events of this instance', () => {
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: ['swifteats-WriterDown'], state: { value: ['ALARM'] } } },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 900 } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.rds'],
        'detail-type': ['RDS DB Instance Event'],
        resources: [instanceArn(Match.stringLikeRegexp(IMPORTED_ID.source))],
        detail: { EventID: ['RDS-EVENT-0013', 'RDS-EVENT-0015', 'RDS-EVENT-0049'] },
      },
    });
  });

  it('scopes every permission to its resource: the database, the replica, the security group, the record, the secret, the table', () => {
    expect(statementWith(template, 'rds:RebootDBInstance')).toMatchObject({ Action: ['rds:DescribeDBInstances', 'rds:RebootDBInstance'], Resource: instanceArn(expect.stringMatching(IMPORTED_ID)) });
    expect(statementWith(template, 'rds:PromoteReadReplica')).toMatchObject({ Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-central-1:123456789012:db:swifteats-dr']] } });
    expect(statementWith(template, 'ec2:RevokeSecurityGroupIngress')?.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:security-group/', { 'Fn::ImportValue': expect.stringMatching(/^Dr-swifteats-Database:ExportsOutputFnGetAttDatabaseSecurityGroup/) }]],
    });
    expect(statementWith(template, 'route53:ChangeResourceRecordSets')?.Condition).toEqual({
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['writer.swifteats.dr.internal'],
        'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
        'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
      },
    });
    expect(actions(statementWith(template, 'secretsmanager:PutSecretValue') as Statement)).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);
    expect(JSON.stringify(statementWith(template, 'secretsmanager:PutSecretValue')?.Resource)).toMatch(/FailoverConnection/);
    expect(statementWith(template, 'dynamodb:PutItem')).toMatchObject({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] });
    expect(statementWith(template, 'kms:Encrypt')?.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } });
    expect(statements(template).flatMap(actions).filter((a) => /^rds:(Delete|Modify|Create|Restore)/.test(a))).toEqual([]);
  });

  it('uses Resource "*" only for actions without resource-level permissions', () => {
    const star = statements(template).filter((s) => s.Resource === '*' && s.Effect === 'Allow').flatMap(actions);
    expect([...new Set(star)].sort()).toEqual([
      'cloudwatch:GetMetricData',
      'ec2:DescribeSecurityGroupRules',
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('has no cdk-nag AwsSolutions error (its Route 53 change wildcard is explained by FAILOVER_WILDCARDS)', () => {
    expect(nagErrors(built)).toEqual([]);
  });

  it('publishes to the encrypted topic with its key used only through SNS', () => {
    expect(statementWith(template, 'sns:Publish')).toEqual({ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^Topic/) } });
    const key = statements(template).find((s) => JSON.stringify(s.Condition ?? {}).includes('sns.eu-west-1'));
    expect(key).toMatchObject({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TopicKey/), 'Arn'] } });
  });
});

describe('Failover construct, other configurations', () => {
  it('auto-failover off: no alarm rule (the alarm only notifies); without a replica, no fence and no promotion', () => {
    const { template, failover } = build({ failover: { auto: false } });
    expect(failover.alarmRule).toBeNull();
    template.resourceCountIs('AWS::Events::Rule', 1);
    expect(statementWith(template, 'rds:PromoteReadReplica')).toBeUndefined();
    expect(statementWith(template, 'ec2:RevokeSecurityGroupIngress')).toBeUndefined();
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Failover steps') } }))[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    expect(fn.Properties.Environment.Variables).toMatchObject({ DR_REGION: 'none', REPLICA_ID: 'none', FENCE_SECURITY_GROUP_ID: 'none' });
  });

  it('multi-az-cluster: FailoverDBCluster on the cluster, the cluster failover events, and nag-clean', () => {
    const built = build({ database: { topology: 'multi-az-cluster' }, failover: { auto: true } });
    const clusterArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:cluster:swifteats']] };
    expect(statementWith(built.template, 'rds:FailoverDBCluster')).toMatchObject({ Action: ['rds:DescribeDBClusters', 'rds:FailoverDBCluster'], Resource: clusterArn });
    expect(statementWith(built.template, 'rds:RebootDBInstance')).toBeUndefined();
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.rds'], 'detail-type': ['RDS DB Cluster Event'], resources: [clusterArn], detail: { EventID: ['RDS-EVENT-0072', 'RDS-EVENT-0073', 'RDS-EVENT-0071'] } },
    });
    expect(nagErrors(built)).toEqual([]);
  });
});
