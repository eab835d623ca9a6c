import { Template } from 'aws-cdk-lib/assertions';
import { Annotations, Capture, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { aslText, substitutionKeys } from '../support/asl.ts';
import { readmeCounts } from '../support/docs.ts';
import { synthesize, unacknowledgedNagErrors, type Synthesized } from '../support/synth.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

/** Every IAM statement of every policy in a template. */
function statements(template: Template): { policy: string; statement: Statement }[] {
  return Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([id, policy]) =>
    ((policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement).map((statement) => ({ policy: id, statement })),
  );
}

/** DB_HOST of the manifest function. */
function manifestHost(template: Template): unknown {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Capture the database manifest') } });
  return (Object.values(fns)[0] as { Properties: { Environment: { Variables: { DB_HOST: unknown } } } }).Properties.Environment.Variables.DB_HOST;
}

function actions(s: Statement): string[] {
  return Array.isArray(s.Action) ? s.Action : [s.Action];
}

/** Actions allowed on `Resource: *` because they have no resource-level permissions (infra/nag.ts). */
const STAR_ACTIONS = new Set([
  'rds:DescribeAccountAttributes',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  // Step Functions logging to CloudWatch Logs and X-Ray sampling (Step Functions developer guide,
  // "IAM policies for logging to CloudWatch Logs": log delivery actions take Resource "*").
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // CloudWatch metric reads and the failover fence's rule listing have no resource-level permissions.
  'cloudwatch:GetMetricData',
  'ec2:DescribeSecurityGroupRules',
]);

describe('automation stack, multi-az-instance', () => {
  let synth: Synthesized;
  let automation: Template;
  beforeAll(() => {
    synth = synthesize({});
    automation = Template.fromStack(synth.stacks.automation);
  });

  it('runs every function on nodejs24.x, arm64, without X-Ray active tracing (docs/decisions.md), with its own log group', () => {
    const functions = Object.values(automation.findResources('AWS::Lambda::Function')) as { Properties: Record<string, unknown> }[];
    expect(functions).toHaveLength(8);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], LoggingConfig: { LogGroup: expect.anything() } });
      expect(fn.Properties['TracingConfig']).toBeUndefined();
    }
  });

  it('trusts the RDS CA bundle in the in-VPC functions that speak TLS to PostgreSQL, and passes retention its policy', () => {
    const fns = Object.values(automation.findResources('AWS::Lambda::Function')) as { Properties: { Description: string; VpcConfig?: unknown; Environment: { Variables: Record<string, unknown> } } }[];
    const withCa = fns.filter((f) => f.Properties.Environment.Variables.NODE_EXTRA_CA_CERTS === '/var/runtime/ca-cert.pem').map((f) => f.Properties.Description.split(' ')[0]);
    expect(withCa.sort()).toEqual(['Capture', 'Restore-test', 'Writer']);
    expect(fns.filter((f) => f.Properties.VpcConfig !== undefined)).toHaveLength(3);
    const retention = fns.find((f) => f.Properties.Description.startsWith('GFS retention'));
    expect(JSON.parse(String(retention?.Properties.Environment.Variables.RETENTION_POLICY))).toEqual({ daily: 7, weekly: 5, monthly: 12, yearly: 3, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: 2, maxVerifiedAgeHours: 72 });
  });

  it('gives the backup state machine exactly the substitutions its ASL file uses', () => {
    const substitutions = new Capture();
    automation.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'swifteats-backup', DefinitionSubstitutions: substitutions });
    expect(Object.keys(substitutions.asObject()).sort()).toEqual(substitutionKeys(aslText('backup')));
    automation.hasResourceProperties('AWS::StepFunctions::StateMachine', { LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true }, TracingConfiguration: { Enabled: true } });
  });

  it('schedules the backup in the configured time zone, passing the scheduled time', () => {
    automation.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Input: JSON.stringify({ scheduledAt: '<aws.scheduler.scheduled-time>' }), RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 } },
    });
  });

  it('lets only the retention function delete snapshots, only tagged dr:managed=true, never under legal hold', () => {
    const deletes = statements(automation).filter(({ statement }) => actions(statement).some((a) => /^rds:Delete(DB|DBCluster)Snapshot$/.test(a)));
    expect(deletes.map(({ statement }) => [statement.Effect, statement.Condition])).toEqual([
      ['Allow', { StringEquals: { 'rds:snapshot-tag/dr:managed': 'true' } }],
      ['Deny', { Null: { 'rds:snapshot-tag/dr:legal-hold': 'false' }, StringNotEquals: { 'rds:snapshot-tag/dr:legal-hold': 'false' } }],
    ]);
    expect(new Set(deletes.map((d) => d.policy)).size).toBe(1);
    expect(deletes[0]?.policy).toMatch(/^RetentionRole/);
  });

  it('lets only the restore function delete databases: its temporary ones, tagged dr:temporary=true', () => {
    const deletes = statements(automation).filter(({ statement }) => actions(statement).includes('rds:DeleteDBInstance'));
    expect(deletes.map(({ policy, statement }) => [policy.replace(/[0-9A-F]{8}$/, ''), statement.Effect, statement.Condition])).toEqual([
      ['RestoreRoleDefaultPolicy', 'Allow', { StringEquals: { 'rds:db-tag/dr:temporary': 'true' } }],
    ]);
    expect(JSON.stringify(deletes[0]?.statement.Resource)).toContain(':db:swifteats-vfy-*');
  });

  it('gives the verify and point-in-time-restore machines exactly the substitutions their ASL files use, and schedules the restore test', () => {
    for (const [name, file] of [['swifteats-verify', 'verify'], ['swifteats-pitr-restore', 'pitr-restore']] as const) {
      const substitutions = new Capture();
      automation.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: name, DefinitionSubstitutions: substitutions });
      expect(Object.keys(substitutions.asObject()).sort()).toEqual(substitutionKeys(aslText(file)));
    }
    automation.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 6 * * ? *)', ScheduleExpressionTimezone: 'UTC', Target: { Input: '{}' } });
    automation.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 hour)', Target: { Input: JSON.stringify({ action: 'sweep' }) } });
  });

  it('lets the verify function read only the secrets RDS generated for restored <db>-… databases', () => {
    const reads = statements(automation).filter(({ statement }) => actions(statement).includes('secretsmanager:GetSecretValue'));
    const byPolicy = Object.fromEntries(reads.map(({ policy, statement }) => [policy.replace(/[0-9A-F]{8}$/, ''), statement]));
    expect(Object.keys(byPolicy).sort()).toEqual(['FailoverFunctionRoleDefaultPolicy', 'ManifestRoleDefaultPolicy', 'ProbeRoleDefaultPolicy', 'VerifyRoleDefaultPolicy']);
    // The failover function reads and writes only the applications' connection secret (no credentials in it).
    expect(JSON.stringify(byPolicy.FailoverFunctionRoleDefaultPolicy?.Resource)).toMatch(/^\{"Ref":"FailoverConnection[0-9A-F]+"\}$/);
    // The manifest and probe functions read the production secret (by exact ARN); the verify function never can.
    expect(byPolicy.ManifestRoleDefaultPolicy?.Condition).toBeUndefined();
    expect(byPolicy.ProbeRoleDefaultPolicy?.Condition).toBeUndefined();
    expect(JSON.stringify(byPolicy.VerifyRoleDefaultPolicy?.Resource)).toContain(':secret:rds!*');
    expect(Object.keys(byPolicy.VerifyRoleDefaultPolicy?.Condition?.StringLike ?? {})).toEqual(['aws:ResourceTag/aws:rds:primaryDBInstanceArn']);
    expect(JSON.stringify(byPolicy.VerifyRoleDefaultPolicy?.Condition)).toContain(':db:swifteats-*');
  });

  it('uses Resource "*" only for actions that have no resource-level permissions', () => {
    const star = statements(automation).filter(({ statement }) => statement.Resource === '*' && statement.Effect === 'Allow');
    const offending = star.flatMap(({ statement }) => actions(statement)).filter((a) => !STAR_ACTIONS.has(a));
    expect(offending).toEqual([]);
  });

  it('copies to the DR region with the DR key by alias, through RDS only', () => {
    const snapshot = automation.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Backup steps') } });
    const env = (Object.values(snapshot)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    expect(env).toMatchObject({ DR_REGION: 'eu-central-1', TOPOLOGY: 'multi-az-instance', POLICY_NAME: 'swifteats-gfs' });
    expect(JSON.stringify(env.DR_KMS_KEY_ID)).toContain(':kms:eu-central-1:');
    expect(JSON.stringify(env.DR_KMS_KEY_ID)).toContain(':alias/swifteats-dr');
    const kms = statements(automation).filter(({ statement }) => actions(statement).includes('kms:CreateGrant') && JSON.stringify(statement.Resource).includes('eu-central-1'));
    expect(kms.map(({ statement }) => statement.Condition)).toEqual([
      {
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/swifteats-dr' },
        StringEquals: { 'kms:ViaService': 'rds.eu-central-1.amazonaws.com' },
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
      },
    ]);
  });

  it('alarms on every function and every state machine of the deployment, notifying the DR topic', () => {
    const alarms = Object.values(automation.findResources('AWS::CloudWatch::Alarm')) as { Properties: { AlarmName: string; AlarmActions: unknown[] } }[];
    const names = alarms.map((a) => a.Properties.AlarmName);
    expect(names.filter((n) => n.startsWith('swifteats-LambdaErrors-')).sort()).toEqual(
      ['failover', 'manifest', 'probe', 'restore', 'retention', 'rpo-monitor', 'snapshot', 'verify'].map((n) => `swifteats-LambdaErrors-${n}`),
    );
    expect(Object.keys(automation.findResources('AWS::Lambda::Function'))).toHaveLength(8);
    expect(names.filter((n) => n.startsWith('swifteats-StateMachineFailed-')).sort()).toEqual(['backup', 'failover', 'pitr-restore', 'verify'].map((n) => `swifteats-StateMachineFailed-${n}`));
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    // The counts the README's cost table states for the default deployment, read from README.md.
    const readme = readmeCounts();
    expect(alarms).toHaveLength(28);
    expect(alarms).toHaveLength(readme.alarms);
    automation.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    automation.resourceCountIs('AWS::CloudWatch::CompositeAlarm', readme.compositeAlarms);
    automation.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    automation.resourceCountIs('AWS::CloudWatch::Dashboard', readme.dashboards);
    automation.resourceCountIs('AWS::Lambda::Function', readme.functions);
    automation.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 minute)', Target: { Input: JSON.stringify({ mode: 'monitor' }) } });
  });

  it('has no unacknowledged cdk-nag AwsSolutions error', () => {
    expect(JSON.stringify(manifestHost(automation))).toMatch(/DatabasePrimary[0-9A-F]+EndpointAddress/);
    expect(unacknowledgedNagErrors(synth)).toEqual([]);
  });
});

describe('cross-region read replica', () => {
  it('warns at synth that this version does not create the replica, and only when one is configured', () => {
    const withReplica = synthesize({ dr: { readReplica: true }, objectives: { region: { rpoSeconds: 60, rtoSeconds: 3600 } } });
    Annotations.fromStack(withReplica.stacks.automation).hasWarning('*', Match.stringLikeRegexp('^dr.readReplica: this version does not create the cross-region read replica. Create swifteats-dr in eu-central-1'));
    Annotations.fromStack(synthesize({}).stacks.automation).hasNoWarning('*', Match.stringLikeRegexp('dr.readReplica'));
  });
});

describe('automation stack, multi-az-cluster', () => {
  it('uses the DB cluster snapshot API, copies nothing offsite, and stays cdk-nag clean', () => {
    const synth = synthesize({ database: { topology: 'multi-az-cluster' } });
    const automation = Template.fromStack(synth.stacks.automation);
    const all = statements(automation).flatMap(({ statement }) => actions(statement));
    expect(all).toContain('rds:CreateDBClusterSnapshot');
    expect(all).toContain('rds:DeleteDBClusterSnapshot');
    expect(all.filter((a) => a.startsWith('rds:Copy') || a === 'rds:CreateDBSnapshot' || a === 'rds:DeleteDBSnapshot')).toEqual([]);
    const deletes = statements(automation).filter(({ statement }) => actions(statement).includes('rds:DeleteDBClusterSnapshot'));
    expect(deletes[0]?.statement.Condition).toEqual({ StringEquals: { 'rds:cluster-snapshot-tag/dr:managed': 'true' } });
    // The manifest is read from the writer: a reader's pg_stat_user_tables and pg_stat_activity do not
    // see the writer's writes and transactions, which the bracketed manifest reads.
    expect(JSON.stringify(manifestHost(automation))).toMatch(/DatabaseCluster[0-9A-F]+EndpointAddress/);
    expect(JSON.stringify(manifestHost(automation))).not.toMatch(/ReadEndpoint/);
    expect(unacknowledgedNagErrors(synth)).toEqual([]);
  });
});
