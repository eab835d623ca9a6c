import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../infra/config/load.ts';
import { resolveDeployment } from '../../infra/config/resolve.ts';
import type { DrConfig } from '../../infra/config/types.ts';
import { RUNBOOK } from '../../infra/constructs/alarm-specs.ts';
import { Monitoring } from '../../infra/constructs/monitoring.ts';
import { MONITORING_WILDCARDS } from '../../infra/constructs/rpo-monitor.ts';
import { DrAwsSolutionsChecks, isExplainedWildcard, WILDCARDS } from '../../infra/nag.ts';

type Json = Record<string, unknown>;
type Resource = { Properties: Json };

const FUNCTIONS = ['snapshot', 'manifest', 'retention', 'probe'];
const STATE_MACHINES = ['backup', 'verify'];

/** A test stack with the construct over imported (dummy) functions and state machines. */
function build(input: unknown = {}): { app: App; stack: Stack; monitoring: Monitoring; template: Template; config: DrConfig } {
  const config = resolveConfig(input);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  // Region only: the account stays a token, as in the real app's synth without credentials.
  const stack = new Stack(app, 'Monitoring', { env: { region: config.region } });
  const monitoring = new Monitoring(stack, 'Monitoring', {
    ...resolveDeployment(config).monitoring,
    databaseArn: `arn:aws:rds:${config.region}:123456789012:db:${config.database.name}`,
    functions: FUNCTIONS.map((name) => ({ name, function: lambda.Function.fromFunctionName(stack, `Fn-${name}`, `swifteats-${name}`) })),
    stateMachines: STATE_MACHINES.map((name) => ({ name, stateMachine: sfn.StateMachine.fromStateMachineName(stack, `Sm-${name}`, `swifteats-${name}`) })),
  });
  return { app, stack, monitoring, template: Template.fromStack(stack), config };
}

/** Alarms by AlarmName. */
function alarmsOf(template: Template): Map<string, Json> {
  return new Map(Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => [(r as Resource).Properties['AlarmName'] as string, (r as Resource).Properties]));
}

/** GitHub's heading anchors: lower case, punctuation dropped (except - and _), spaces to hyphens. */
function runbookAnchors(): Set<string> {
  const text = readFileSync(RUNBOOK, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set(
    [...text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)].map((m) =>
      (m[1] ?? '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );
}

/** The dashboard body with every CloudFormation token replaced by a placeholder, parsed. */
function dashboardBody(template: Template): { widgets: { type: string; properties: Json }[] } {
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as Resource;
  const body = dashboard.Properties['DashboardBody'] as { 'Fn::Join': [string, unknown[]] };
  return JSON.parse(body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(''));
}

/** Metric arrays of the dashboard's graphs: [namespace, name, dim, value, ...] plus a trailing options object. */
function graphMetrics(template: Template): { title: string; metrics: unknown[][] }[] {
  return dashboardBody(template)
    .widgets.filter((w) => w.type === 'metric' && Array.isArray(w.properties['metrics']))
    .map((w) => ({ title: w.properties['title'] as string, metrics: w.properties['metrics'] as unknown[][] }));
}

function dims(...pairs: string[]): Json[] {
  const out: Json[] = [];
  for (let i = 0; i < pairs.length; i += 2) out.push({ Name: pairs[i], Value: pairs[i + 1] });
  return out;
}

describe('monitoring construct, default configuration', () => {
  let built: ReturnType<typeof build>;
  let alarms: Map<string, Json>;
  beforeAll(() => {
    built = build();
    alarms = alarmsOf(built.template);
  });

  it('creates exactly the alarms of the configuration, each named <db>-<AlarmName>', () => {
    expect([...alarms.keys()].sort()).toEqual(
      [
        'swifteats-RpoBreached-az',
        'swifteats-RpoBreached-region',
        'swifteats-RpoBreached-corruption',
        'swifteats-RpoBreached-snapshot-loss',
        'swifteats-BackupMissing',
        'swifteats-BackupFailed',
        'swifteats-VerificationFailed',
        'swifteats-VerificationInconclusive',
        'swifteats-VerificationStale',
        'swifteats-WriterDown',
        'swifteats-RtoBreached-az',
        'swifteats-RtoBreached-region',
        'swifteats-RtoBreached-corruption',
        'swifteats-RtoBreached-snapshot-loss',
        'swifteats-SnapshotQuotaNear',
        'swifteats-LeakedTemporaryInstance',
        ...[...FUNCTIONS, 'rpo-monitor'].map((f) => `swifteats-LambdaErrors-${f}`),
        ...STATE_MACHINES.map((s) => `swifteats-StateMachineFailed-${s}`),
      ].sort(),
    );
  });

  it('gives every alarm an alarm and an OK action on the topic, and a runbook section that exists', () => {
    const topic = Object.keys(built.template.findResources('AWS::SNS::Topic'))[0];
    const anchors = runbookAnchors();
    const composite = Object.values(built.template.findResources('AWS::CloudWatch::CompositeAlarm')).map((r) => (r as Resource).Properties);
    for (const props of [...alarms.values(), ...composite]) {
      expect(props['AlarmActions']).toEqual([{ Ref: topic }]);
      expect(props['OKActions']).toEqual([{ Ref: topic }]);
      const links = [...(props['AlarmDescription'] as string).matchAll(/docs\/runbook\.md#([a-z0-9_-]+)/g)].map((m) => m[1]);
      expect(links, props['AlarmName'] as string).toHaveLength(1);
      expect(anchors.has(links[0] as string), `${props['AlarmName'] as string}: #${links[0]} is not a heading of ${RUNBOOK}`).toBe(true);
    }
  });

  it('alarms on each mode\'s RPO above its configured target, treating a stopped monitor as a breach', () => {
    for (const [mode, key] of [['az', 'az'], ['region', 'region'], ['corruption', 'corruption'], ['snapshot-loss', 'snapshotLoss']] as const) {
      expect(alarms.get(`swifteats-RpoBreached-${mode}`)).toMatchObject({
        Namespace: 'RdsDr',
        MetricName: 'RpoSeconds',
        Dimensions: dims('Database', 'swifteats', 'FailureMode', mode, 'service', 'rds-dr'),
        Statistic: 'Maximum',
        Period: 60,
        Threshold: built.config.objectives[key]?.rpoSeconds,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'breaching',
      });
    }
    expect(alarms.get('swifteats-RpoBreached-corruption')?.['Threshold']).toBe(600);
  });

  it('alarms on each mode\'s measured RTO above its target, holding the state between measurements', () => {
    expect(alarms.get('swifteats-RtoBreached-az')).toMatchObject({ MetricName: 'FailoverDurationSeconds', Dimensions: dims('Database', 'swifteats', 'FailureMode', 'az', 'service', 'rds-dr'), Threshold: 300, TreatMissingData: 'ignore' });
    expect(alarms.get('swifteats-RtoBreached-region')).toMatchObject({ MetricName: 'FailoverDurationSeconds', Threshold: 3600 });
    expect(alarms.get('swifteats-RtoBreached-corruption')).toMatchObject({ MetricName: 'RestoreDurationSeconds', Dimensions: dims('Database', 'swifteats', 'service', 'rds-dr'), Threshold: 7200, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarms.get('swifteats-RtoBreached-snapshot-loss')).toMatchObject({ MetricName: 'RestoreDurationSeconds', Threshold: 14_400 });
  });

  it('alarms WriterDown on WriterHealthy < 1 for 2 of 2 minutes, missing data breaching', () => {
    expect(alarms.get('swifteats-WriterDown')).toEqual({
      AlarmName: 'swifteats-WriterDown',
      AlarmDescription: expect.stringContaining('Runbook: docs/runbook.md#writerdown'),
      Namespace: 'RdsDr',
      MetricName: 'WriterHealthy',
      Dimensions: dims('Database', 'swifteats', 'service', 'rds-dr'),
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      AlarmActions: expect.any(Array),
      OKActions: expect.any(Array),
    });
  });

  it('sets the backup, verification and quota thresholds from the configuration', () => {
    // Daily backups: 24 h between runs plus 2 h for a run to finish.
    expect(alarms.get('swifteats-BackupMissing')).toMatchObject({ MetricName: 'LatestSnapshotAgeSeconds', Statistic: 'Maximum', Threshold: 93_600, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching' });
    expect(alarms.get('swifteats-BackupFailed')).toMatchObject({ MetricName: 'BackupFailed', Statistic: 'Sum', Period: 3600, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    expect(alarms.get('swifteats-VerificationFailed')).toMatchObject({ MetricName: 'VerificationPassed', Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'ignore' });
    // Inconclusive alarms apart from failed: its own metric, never VerificationPassed.
    expect(alarms.get('swifteats-VerificationInconclusive')).toMatchObject({ MetricName: 'VerificationInconclusive', Statistic: 'Maximum', Period: 3600, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'ignore' });
    expect(alarms.get('swifteats-VerificationStale')).toMatchObject({ MetricName: 'LatestVerifiedSnapshotAgeSeconds', Threshold: 72 * 3600, TreatMissingData: 'breaching' });
    expect(alarms.get('swifteats-SnapshotQuotaNear')).toMatchObject({ MetricName: 'SnapshotQuotaUsedRatio', Threshold: 0.9, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarms.get('swifteats-LeakedTemporaryInstance')).toMatchObject({ MetricName: 'LeakedTemporaryInstances', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'breaching' });
    expect(alarms.has('swifteats-ReplicaLagHigh')).toBe(false);
  });

  it('gives every Lambda function an errors alarm and every state machine a failures alarm', () => {
    for (const name of FUNCTIONS) {
      const alarm = alarms.get(`swifteats-LambdaErrors-${name}`);
      expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: expect.anything() }], Statistic: 'Sum', Period: 300, Threshold: 1 });
      // An imported function's name is derived from its ARN at deploy time.
      expect(JSON.stringify(alarm?.['Dimensions'])).toContain(`:function:swifteats-${name}"`);
    }
    expect(alarms.get('swifteats-LambdaErrors-rpo-monitor')).toMatchObject({ MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^MonitoringRpoMonitorFunction/) } }] });
    for (const name of STATE_MACHINES) {
      const alarm = alarms.get(`swifteats-StateMachineFailed-${name}`) as Json;
      const metrics = alarm['Metrics'] as { MetricStat?: { Metric: Json } }[];
      expect(metrics.flatMap((q) => (q.MetricStat ? [q.MetricStat.Metric['MetricName']] : []))).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
      expect(JSON.stringify(metrics)).toContain(`stateMachine:swifteats-${name}`);
      expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    }
  });

  it('raises "DR posture degraded" when any critical alarm is in ALARM', () => {
    const rule = new Capture();
    built.template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmName: 'swifteats-DrPostureDegraded', AlarmRule: rule });
    const text = JSON.stringify(rule.asObject());
    const logicalIds = (names: string[]): string[] =>
      names.map((n) => Object.entries(built.template.findResources('AWS::CloudWatch::Alarm')).find(([, r]) => (r as Resource).Properties['AlarmName'] === `swifteats-${n}`)?.[0] as string);
    const critical = ['RpoBreached-az', 'RpoBreached-region', 'RpoBreached-corruption', 'RpoBreached-snapshot-loss', 'BackupMissing', 'VerificationFailed', 'VerificationStale', 'WriterDown', 'RtoBreached-az', 'RtoBreached-region', 'RtoBreached-corruption', 'RtoBreached-snapshot-loss'];
    const inRule = logicalIds([...alarms.keys()].map((n) => n.replace(/^swifteats-/, ''))).filter((id) => text.includes(`"${id}"`));
    expect(inRule.sort()).toEqual(logicalIds(critical).sort());
    expect(text.match(/ALARM\(/g)).toHaveLength(critical.length);
  });

  it('notifies through a KMS-encrypted, TLS-only topic that CloudWatch may use', () => {
    const key = Object.keys(built.template.findResources('AWS::KMS::Key'))[0] as string;
    built.template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'swifteats-dr-alarms', KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    built.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    built.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('runs the RPO monitor every minute with the configuration it needs', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 50,
      Environment: {
        Variables: Match.objectLike({
          DATABASE_ID: 'swifteats',
          TOPOLOGY: 'multi-az-instance',
          DR_REGION: 'eu-central-1',
          OFFSITE_PATHS: 'backup-replication,snapshot-copy',
          OBJECTIVES: JSON.stringify(built.config.objectives),
        }),
      },
    });
    built.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MonitoringRpoMonitorFunction'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } },
    });
    built.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
  });

  it('lets the monitor read only this database, its snapshots in both regions and the replicated backups', () => {
    const policies = Object.entries(built.template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('MonitoringRpoMonitorRole'));
    const statements = policies.flatMap(([, p]) => ((p as Resource).Properties['PolicyDocument'] as { Statement: Json[] }).Statement);
    const rds = statements.filter((s) => String(s['Action']).startsWith('rds:'));
    const rendered = JSON.stringify(rds);
    expect(rds.map((s) => s['Action'])).toEqual(['rds:DescribeDBInstances', 'rds:DescribeDBSnapshots', 'rds:DescribeDBInstanceAutomatedBackups']);
    expect(rds[0]?.['Resource']).toBe('arn:aws:rds:eu-west-1:123456789012:db:swifteats');
    expect(rendered).toContain(':rds:eu-west-1:');
    // Listing snapshots is authorized against the list's resource types in each region (read-only).
    const listed = (rds[1]?.['Resource'] as { 'Fn::Join': [string, unknown[]] }[]).map((r) => r['Fn::Join'][1].filter((part) => typeof part === 'string').join('…'));
    expect(listed).toEqual(['arn:…:rds:eu-west-1:…:snapshot:*', 'arn:…:rds:eu-west-1:…:db:*', 'arn:…:rds:eu-central-1:…:snapshot:*', 'arn:…:rds:eu-central-1:…:db:*']);
    expect(rendered).toContain(':rds:eu-central-1:');
    expect(rendered).toContain('auto-backup:*');
    expect(statements.some((s) => String(s['Action']).includes('cloudwatch:'))).toBe(false);
    expect(statements.some((s) => JSON.stringify(s['Action']).match(/rds:(Create|Delete|Copy|Modify|AddTags)/))).toBe(false);
  });

  it('shows every RPO and RTO measurement with its target on the dashboard, and every alarm state', () => {
    const graphs = graphMetrics(built.template);
    for (const mode of ['az', 'region', 'corruption', 'snapshot-loss']) {
      const rpo = graphs.find((g) => g.title === `RPO ${mode} (s)`);
      expect(rpo?.metrics.map((m) => m.slice(0, 8))).toEqual([
        ['RdsDr', 'RpoSeconds', 'Database', 'swifteats', 'FailureMode', mode, 'service', 'rds-dr'],
        ['RdsDr', 'RpoTargetSeconds', 'Database', 'swifteats', 'FailureMode', mode, 'service', 'rds-dr'],
      ]);
      const rto = graphs.find((g) => g.title === `RTO ${mode} (s)`);
      const measured = mode === 'az' || mode === 'region' ? ['RdsDr', 'FailoverDurationSeconds', 'Database', 'swifteats', 'FailureMode', mode, 'service', 'rds-dr'] : ['RdsDr', 'RestoreDurationSeconds', 'Database', 'swifteats', 'service', 'rds-dr'];
      expect(rto?.metrics.map((m) => m.filter((x) => typeof x === 'string'))).toEqual([measured, ['RdsDr', 'RtoTargetSeconds', 'Database', 'swifteats', 'FailureMode', mode, 'service', 'rds-dr']]);
    }
    const titles = graphs.map((g) => g.title);
    expect(titles).toEqual(expect.arrayContaining(['Backups and restore tests', 'Ages (s)', 'Writer probe']));
    expect(graphs.find((g) => g.title === 'Writer probe')?.metrics.map((m) => m[1])).toEqual(['ProbeLatencyMs', 'ProbeLatencyMs', 'WriterHealthy']);
    const status = dashboardBody(built.template).widgets.find((w) => w.type === 'alarm');
    expect((status?.properties['alarms'] as unknown[]).length).toBe(alarms.size + 1);
  });

  it('passes cdk-nag AwsSolutions; its one wildcard (the DR region\'s replicated backups) is explained', () => {
    // Act
    const report = new DrAwsSolutionsChecks(built.app).validateScope(built.stack);
    const errors = report.violations.filter((v) => v.severity?.toLowerCase() === 'error');

    // Assess
    expect(errors).toEqual([]);
    expect(isExplainedWildcard('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:eu-central-1:<AWS::AccountId>:auto-backup:*]', WILDCARDS)).toBe(true);
    expect(WILDCARDS).toEqual(expect.arrayContaining([...MONITORING_WILDCARDS]));
  });
});

describe('monitoring construct, other configurations', () => {
  it('creates no alarm, metric or dashboard graph for a knowingly unprotected mode (cluster without DR)', () => {
    // Act
    const { template } = build({ database: { topology: 'multi-az-cluster' }, dr: { region: null } });
    const alarms = alarmsOf(template);

    // Assess
    expect([...alarms.keys()].filter((n) => /R[pt]oBreached/.test(n)).sort()).toEqual(['swifteats-RpoBreached-az', 'swifteats-RpoBreached-corruption', 'swifteats-RtoBreached-az', 'swifteats-RtoBreached-corruption']);
    expect(alarms.get('swifteats-RpoBreached-az')?.['Threshold']).toBe(0);
    expect(alarms.get('swifteats-RtoBreached-az')?.['Threshold']).toBe(180);
    expect(graphMetrics(template).map((g) => g.title).filter((t) => /^RPO|^RTO/.test(t))).toEqual(['RPO az (s)', 'RPO corruption (s)', 'RTO az (s)', 'RTO corruption (s)']);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ TOPOLOGY: 'multi-az-cluster', DR_REGION: 'none', OFFSITE_PATHS: 'none' }) } });
    const rendered = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(rendered).toContain('rds:DescribeDBClusters');
    expect(rendered).toContain('cluster-snapshot:*');
    expect(rendered).not.toContain('auto-backup');
  });

  it('alarms on the replica lag and lets the monitor read the probe\'s metric when a cross-region replica exists', () => {
    // Act
    const { template, app, stack } = build({ dr: { readReplica: true }, failover: { maxLagOnFailoverSeconds: 30 }, notificationEmails: ['sre@example.com', 'dba@example.com'] });

    // Assess
    expect(alarmsOf(template).get('swifteats-ReplicaLagHigh')).toMatchObject({
      MetricName: 'ReplicaHeartbeatAgeSeconds',
      Dimensions: dims('Database', 'swifteats', 'service', 'rds-dr'),
      Threshold: 30,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' }]) } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ OFFSITE_PATHS: 'read-replica,backup-replication,snapshot-copy' }) } });
    expect(Object.values(template.findResources('AWS::SNS::Subscription')).map((s) => (s as Resource).Properties['Endpoint'])).toEqual(['sre@example.com', 'dba@example.com']);
    expect(graphMetrics(template).find((g) => g.title === 'Cross-region replica lag (s)')?.metrics[0]?.[1]).toBe('ReplicaHeartbeatAgeSeconds');
    const errors = new DrAwsSolutionsChecks(app).validateScope(stack).violations.filter((v) => v.severity?.toLowerCase() === 'error');
    expect(errors.filter((v) => !isExplainedWildcard(v.ruleName, [...WILDCARDS, ...MONITORING_WILDCARDS]))).toEqual([]);
  });

  it('derives "backup missing" from the backup schedule', () => {
    const { template } = build({ schedules: { backup: 'cron(0 2 ? * SUN *)' }, objectives: { snapshotLoss: { rpoSeconds: 8 * 86_400, rtoSeconds: 14_400 } } });
    expect(alarmsOf(template).get('swifteats-BackupMissing')).toMatchObject({ Threshold: 7 * 86_400 + 7200 });
  });
});
