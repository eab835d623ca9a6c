import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FAILURE_MODE_DIMENSION, FAILURE_MODES, OFFSITE_PATH_NAMES, type FailureMode } from '../../functions/domain/rpo.ts';
import { longestGapSeconds, parseSchedule } from '../../functions/domain/schedule.ts';
import { DIMENSIONS, METRIC_NAMESPACE, METRIC_SERVICE, type MetricName } from '../../functions/shared/metric-names.ts';
import type { MonitoringFacts, OffsitePaths } from '../config/resolve.ts';
import { MANUAL_SNAPSHOT_QUOTA, WRITER_DOWN_PROBES } from '../config/validate.ts';
import type { WildcardRule } from '../nag.ts';
import { DrFunction } from './dr-function.ts';

/** Where the runbook lives, relative to the repository root; alarm descriptions link into it. */
export const RUNBOOK = 'docs/runbook.md';

/** A link to a runbook section by its GitHub anchor. */
export function runbookLink(anchor: string): string {
  return `${RUNBOOK}#${anchor}`;
}

/** A Lambda function to alarm on, with the short name its alarm carries (`<db>-LambdaErrors-<name>`). */
export interface MonitoredFunction {
  /** Short name, e.g. `snapshot`; letters, digits and hyphens. */
  readonly name: string;
  readonly function: lambda.IFunction;
}

/** A state machine to alarm on, with the short name its alarm carries (`<db>-StateMachineFailed-<name>`). */
export interface MonitoredStateMachine {
  /** Short name, e.g. `backup`; letters, digits and hyphens. */
  readonly name: string;
  readonly stateMachine: sfn.IStateMachine;
}

/** Props of {@link Monitoring}. */
export interface MonitoringProps extends MonitoringFacts {
  /** ARN of the protected DB instance (or Multi-AZ DB cluster), for the monitor's read permissions. */
  readonly databaseArn: string;
  /**
   * Every Lambda function of the DR system; each gets an errors alarm. The RPO monitor this
   * construct creates is added to them.
   * @default none
   */
  readonly functions?: readonly MonitoredFunction[];
  /**
   * Every state machine of the DR system; each gets a failures alarm.
   * @default none
   */
  readonly stateMachines?: readonly MonitoredStateMachine[];
}

/**
 * An IAM wildcard the monitor needs that infra/nag.ts does not explain yet, in its form. Replicated
 * automated backups are named by RDS (`auto-backup:ab-<random>`) when replication starts, so
 * DescribeDBInstanceAutomatedBackups can only be scoped to the DR region's auto-backup resources.
 */
export const MONITORING_WILDCARDS: readonly WildcardRule[] = [
  {
    finding: /^Resource::arn:<AWS::Partition>:rds:[a-z0-9-]+:<AWS::AccountId>:auto-backup:\*$/,
    reason:
      'The RPO monitor reads the automated backups replicated into the DR region (DescribeDBInstanceAutomatedBackups, a read-only List action); RDS names them ab-<random> when replication starts, so they cannot be named in advance. Scoped to the DR region and account.',
  },
];

/** How an alarm is evaluated: what the runbook and the tests state about each. */
interface AlarmSpec {
  /** Name after the `<db>-` prefix; also the runbook heading, so the anchor is its lower case. */
  readonly name: string;
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  /** Part of the composite "DR posture degraded". */
  readonly critical: boolean;
  /** Runbook anchor. @default the name in lower case */
  readonly anchor?: string;
}

const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const GE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
const { BREACHING, NOT_BREACHING, IGNORE } = cloudwatch.TreatMissingData;

/**
 * Margin on top of the longest gap between two scheduled backups before "backup missing":
 * a backup run (snapshot, copy, retention) takes up to about two hours (backup.asl.json bounds).
 */
export const BACKUP_GRACE_SECONDS = 2 * 3600;

/**
 * The monitoring of one protected database: the RPO monitor and its schedule, every alarm (each
 * naming its runbook section), the composite "DR posture degraded" alarm, the KMS-encrypted
 * SNS topic they notify, and the dashboard.
 *
 * Alarm names are `<db>-<AlarmName>`; an EventBridge rule elsewhere matches `<db>-WriterDown`.
 * Metrics carry the dimensions Powertools publishes them under: `service` (always `rds-dr`),
 * `Database`, and `FailureMode` on the per-mode RPO/RTO metrics.
 *
 * Metric contract with the other functions (what each alarm expects to be published):
 * WriterHealthy (0/1) and ProbeLatencyMs and ReplicaHeartbeatAgeSeconds by the probe, every minute;
 * BackupSucceeded/BackupFailed by the backup workflow; VerificationPassed (0/1),
 * RestoreDurationSeconds and LeakedTemporaryInstances by the restore workflows;
 * SnapshotQuotaUsedRatio by retention; FailoverDurationSeconds with `FailureMode` az | region
 * by the failover workflow; the rest by the RPO monitor.
 */
export class Monitoring extends Construct {
  /** The topic every alarm notifies; other constructs publish their notifications here too. */
  readonly topic: sns.Topic;
  /** The customer key encrypting the topic (publishers need kms:GenerateDataKey and kms:Decrypt on it). */
  readonly topicKey: kms.Key;
  /** The RPO monitor function. */
  readonly rpoMonitor: DrFunction;
  /** Every alarm by its name after the `<db>-` prefix (e.g. `WriterDown`, `RpoBreached-az`). */
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** `<db>-WriterDown`, for the auto-failover rule. */
  readonly writerDown: cloudwatch.Alarm;
  /** `<db>-DrPostureDegraded`, over the critical alarms. */
  readonly postureDegraded: cloudwatch.CompositeAlarm;
  /** `<db>-dr`: RPO and RTO per failure mode against targets, backups, restore tests, probe, alarm states. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const db = props.databaseName;
    const cluster = props.topology === 'multi-az-cluster';
    const paths = props.offsite;
    const drRegion = props.offsiteRegion;
    const protectedModes = FAILURE_MODES.filter((m) => props.objectives[m] !== null);

    // 1. Topic: a customer key CloudWatch may use (alarms cannot publish to an SNS-managed key), TLS only.
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `${db}: encrypts the DR alarm topic`,
      enableKeyRotation: true,
      alias: `alias/${db}-dr-alarms`,
    });
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { topicName: `${db}-dr-alarms`, displayName: `${db} DR alarms`, masterKey: this.topicKey, enforceSSL: true });
    // A topic policy replaces the default one: alarms of this account must be allowed explicitly.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    for (const email of props.notificationEmails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    // 2. The RPO monitor: reads RDS (both regions) and, with a replica, the probe's metric.
    this.rpoMonitor = new DrFunction(this, 'RpoMonitor', {
      handler: 'rpo-monitor',
      description: 'Measures PITR lag, snapshot and offsite copy ages and the RPO of each failure mode, every minute',
      timeout: Duration.seconds(50),
      memorySize: 256,
      environment: {
        DATABASE_ID: db,
        TOPOLOGY: props.topology,
        DR_REGION: drRegion ?? 'none',
        OFFSITE_PATHS: offsitePaths(paths),
        OBJECTIVES: JSON.stringify(props.objectives),
      },
    });
    // A failed minute is superseded by the next one: no asynchronous retries piling up.
    this.rpoMonitor.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.grantMonitorReads(props.databaseArn, db, cluster, drRegion, paths);
    new scheduler.Schedule(this, 'RpoMonitorSchedule', {
      description: `${db}: RPO monitor, every minute`,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      target: new targets.LambdaInvoke(this.rpoMonitor.fn, {
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledAt: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      }),
    });

    // 3. Alarms.
    const specs = this.alarmSpecs(props, db, protectedModes);
    const alarms = new Map<string, cloudwatch.Alarm>();
    const notify = new actions.SnsAction(this.topic);
    this.#db = db;
    this.#notify = notify;
    this.#alarms = alarms;
    for (const spec of specs) this.#alarm(spec);
    this.alarms = alarms;
    this.writerDown = alarms.get('WriterDown') as cloudwatch.Alarm;
    const critical = specs.filter((s) => s.critical).map((s) => alarms.get(s.name) as cloudwatch.Alarm);
    this.postureDegraded = new cloudwatch.CompositeAlarm(this, 'PostureDegraded', {
      compositeAlarmName: `${db}-DrPostureDegraded`,
      alarmDescription: `DR posture degraded: ${specs
        .filter((s) => s.critical)
        .map((s) => s.name)
        .join(', ')} - at least one is in ALARM. Runbook: ${runbookLink('drposturedegraded')}`,
      alarmRule: cloudwatch.AlarmRule.anyOf(...critical.map((a) => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM))),
    });
    this.postureDegraded.addAlarmAction(notify);
    this.postureDegraded.addOkAction(notify);

    // 4. Dashboard.
    this.dashboard = this.buildDashboard(props, db, protectedModes, paths.readReplica, [this.postureDegraded, ...alarms.values()]);
  }

  /**
   * Alarms on functions and state machines made after this construct (e.g. the failover
   * workflow, which itself needs this construct's topic): the same per-function and
   * per-state-machine alarms the constructor makes.
   */
  watch(more: { readonly functions?: readonly MonitoredFunction[]; readonly stateMachines?: readonly MonitoredStateMachine[] }): void {
    for (const f of more.functions ?? []) this.#alarm(functionAlarm(f));
    for (const s of more.stateMachines ?? []) this.#alarm(stateMachineAlarm(s));
  }

  #db = '';
  #notify: actions.SnsAction | undefined;
  #alarms = new Map<string, cloudwatch.Alarm>();

  #alarm(spec: AlarmSpec): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `Alarm${spec.name.replace(/[^A-Za-z0-9]/g, '')}`, {
      alarmName: `${this.#db}-${spec.name}`,
      alarmDescription: `${spec.description} Runbook: ${runbookLink(spec.anchor ?? spec.name.toLowerCase())}`,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.evaluationPeriods,
      treatMissingData: spec.treatMissingData,
    });
    if (this.#notify) {
      alarm.addAlarmAction(this.#notify);
      alarm.addOkAction(this.#notify);
    }
    this.#alarms.set(spec.name, alarm);
    return alarm;
  }

  /** Least privilege: reads of this database, its snapshots (both regions) and, per path, the rest. */
  private grantMonitorReads(databaseArn: string, db: string, cluster: boolean, drRegion: string | null, paths: { readReplica: boolean; backupReplication: boolean }): void {
    const stack = Stack.of(this);
    const role = this.rpoMonitor.role;
    const snapshotKind = cluster ? 'cluster-snapshot' : 'snapshot';
    const arn = (region: string, type: string, name: string): string => `arn:${stack.partition}:rds:${region}:${stack.account}:${type}:${name}`;
    role.addToPolicy(new iam.PolicyStatement({ actions: [cluster ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances'], resources: [databaseArn] }));
    // Copies keep the source's DBInstanceIdentifier, so the DR-region list names the same database id.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [cluster ? 'rds:DescribeDBClusterSnapshots' : 'rds:DescribeDBSnapshots'],
        // A list call is authorized against the list's resource types in each region, not
        // only the snapshots it returns (as retention's listing). Read-only.
        resources: [stack.region, ...(drRegion === null ? [] : [drRegion])].flatMap((region) => [arn(region, snapshotKind, '*'), arn(region, cluster ? 'cluster' : 'db', '*')]),
      }),
    );
    if (drRegion !== null && paths.backupReplication) {
      // Listed in the DR region and filtered by the source database's ARN: authorized against the
      // automated backups of the region and the database the filter names (the source, and the
      // same identifier the replicated backup keeps in the DR region). Read-only.
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['rds:DescribeDBInstanceAutomatedBackups'],
          resources: [arn(drRegion, 'auto-backup', '*'), arn(stack.region, 'db', db), arn(drRegion, 'db', db)],
        }),
      );
    }
    if (paths.readReplica) {
      // GetMetricData has no resource-level permissions (CloudWatch: "Actions, resources, and condition keys").
      role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    }
  }

  private alarmSpecs(props: MonitoringProps, db: string, modes: readonly FailureMode[]): AlarmSpec[] {
    const metric = (name: MetricName, statistic: string, period: Duration, failureMode?: string): cloudwatch.Metric =>
      databaseMetric(db, name, statistic, period, failureMode);
    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    const hour = Duration.hours(1);
    const specs: AlarmSpec[] = [];

    for (const mode of modes) {
      const objective = props.objectives[mode];
      if (objective === null) continue;
      const dimension = FAILURE_MODE_DIMENSION[mode];
      specs.push({
        name: `RpoBreached-${dimension}`,
        description: `RPO for ${dimension} failure: the data it would lose now (RpoSeconds, Maximum per minute) exceeded the ${objective.rpoSeconds} s target for 3 minutes, or the RPO monitor stopped measuring it (missing data breaches).`,
        metric: metric('RpoSeconds', 'Maximum', minute, dimension),
        threshold: objective.rpoSeconds,
        comparison: GT,
        evaluationPeriods: 3,
        treatMissingData: BREACHING,
        critical: true,
      });
    }
    const backup = parseSchedule(props.backupSchedule);
    const backupGap = backup.ok ? longestGapSeconds(backup.schedule) : 86_400;
    const missingAfter = backupGap + BACKUP_GRACE_SECONDS;
    specs.push(
      {
        name: 'BackupMissing',
        description: `No successful backup for ${missingAfter / 3600} h (the longest gap of ${props.backupSchedule} plus ${BACKUP_GRACE_SECONDS / 3600} h): the newest available managed snapshot (LatestSnapshotAgeSeconds) is older, or there is none (missing data breaches).`,
        metric: metric('LatestSnapshotAgeSeconds', 'Maximum', fiveMinutes),
        threshold: missingAfter,
        comparison: GT,
        evaluationPeriods: 3,
        treatMissingData: BREACHING,
        critical: true,
      },
      {
        name: 'BackupFailed',
        description: 'A backup run failed (BackupFailed >= 1 in an hour); its audit record names the error.',
        metric: metric('BackupFailed', 'Sum', hour),
        threshold: 1,
        comparison: GE,
        evaluationPeriods: 1,
        treatMissingData: NOT_BREACHING,
        critical: false,
      },
      {
        name: 'VerificationFailed',
        description: 'The latest restore test failed (VerificationPassed = 0); the alarm holds until a restore test passes.',
        metric: metric('VerificationPassed', 'Minimum', hour),
        threshold: 1,
        comparison: LT,
        evaluationPeriods: 1,
        treatMissingData: IGNORE,
        critical: true,
      },
      {
        name: 'VerificationInconclusive',
        description: 'The latest restore test could not judge its snapshot (VerificationInconclusive = 1: a check that could not run, an unsound row-count bracket, a failed restore); nothing was proven, the snapshot is not verified.',
        metric: metric('VerificationInconclusive', 'Maximum', hour),
        threshold: 1,
        comparison: GE,
        evaluationPeriods: 1,
        treatMissingData: IGNORE,
        critical: false,
      },
      {
        name: 'VerificationStale',
        description: `No snapshot passed a restore test in ${props.maxVerifiedAgeHours} h (LatestVerifiedSnapshotAgeSeconds, or none at all: missing data breaches); retention has stopped expiring snapshots.`,
        metric: metric('LatestVerifiedSnapshotAgeSeconds', 'Maximum', fiveMinutes),
        threshold: props.maxVerifiedAgeHours * 3600,
        comparison: GT,
        evaluationPeriods: 3,
        treatMissingData: BREACHING,
        critical: true,
      },
    );
    if (props.offsite.readReplica) {
      specs.push({
        name: 'ReplicaLagHigh',
        description: `The cross-region replica is more than ${props.maxLagOnFailoverSeconds} s behind (ReplicaHeartbeatAgeSeconds, 3 minutes), or the probe cannot read it (missing data breaches): a region failover would be refused or lose that much.`,
        metric: metric('ReplicaHeartbeatAgeSeconds', 'Maximum', minute),
        threshold: props.maxLagOnFailoverSeconds,
        comparison: GT,
        evaluationPeriods: 3,
        treatMissingData: BREACHING,
        critical: true,
      });
    }
    specs.push({
      name: 'WriterDown',
      description: `The writer probe failed for ${WRITER_DOWN_PROBES} minutes in a row (WriterHealthy < 1), or stopped reporting (missing data breaches).${props.autoFailover ? ' Automatic failover starts on this alarm.' : ' Automatic failover is off: an operator decides.'}`,
      metric: metric('WriterHealthy', 'Minimum', minute),
      threshold: 1,
      comparison: LT,
      evaluationPeriods: WRITER_DOWN_PROBES,
      treatMissingData: BREACHING,
      critical: true,
    });
    for (const mode of modes) {
      const objective = props.objectives[mode];
      if (objective === null) continue;
      const dimension = FAILURE_MODE_DIMENSION[mode];
      const failover = mode === 'az' || mode === 'region';
      specs.push({
        name: `RtoBreached-${dimension}`,
        description: failover
          ? `The last ${dimension} failover took longer than the ${objective.rtoSeconds} s RTO target (FailoverDurationSeconds); the alarm holds until the next measured failover or drill.`
          : `The last measured restore took longer than the ${objective.rtoSeconds} s RTO target of ${dimension} recovery (RestoreDurationSeconds); the alarm holds until the next restore test.`,
        metric: failover ? metric('FailoverDurationSeconds', 'Maximum', fiveMinutes, dimension) : metric('RestoreDurationSeconds', 'Maximum', fiveMinutes),
        threshold: objective.rtoSeconds,
        comparison: GT,
        evaluationPeriods: 1,
        treatMissingData: IGNORE,
        critical: true,
      });
    }
    const quotaRatio = (MANUAL_SNAPSHOT_QUOTA - props.quotaHeadroom) / MANUAL_SNAPSHOT_QUOTA;
    specs.push(
      {
        name: 'SnapshotQuotaNear',
        description: `Manual snapshots use ${Math.round(quotaRatio * 100)} % or more of the quota (SnapshotQuotaUsedRatio, after the last retention run): fewer than ${props.quotaHeadroom} remain free; backups fail once it is full.`,
        metric: metric('SnapshotQuotaUsedRatio', 'Maximum', hour),
        threshold: quotaRatio,
        comparison: GE,
        evaluationPeriods: 1,
        treatMissingData: IGNORE,
        critical: false,
      },
      {
        name: 'LeakedTemporaryInstance',
        description:
          'The sweeper found a temporary restore database past its expiry (LeakedTemporaryInstances >= 1): a restore test did not clean up after itself. Also fires when the hourly sweeper reported nothing: a sweeper that cannot run cannot find leaks.',
        metric: metric('LeakedTemporaryInstances', 'Maximum', hour),
        threshold: 1,
        comparison: GE,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        critical: false,
      },
    );
    for (const f of [...(props.functions ?? []), { name: 'rpo-monitor', function: this.rpoMonitor.fn }]) specs.push(functionAlarm(f));
    for (const s of props.stateMachines ?? []) specs.push(stateMachineAlarm(s));
    return specs;
  }

  private buildDashboard(props: MonitoringProps, db: string, modes: readonly FailureMode[], replica: boolean, alarms: cloudwatch.IAlarm[]): cloudwatch.Dashboard {
    const minute = Duration.minutes(1);
    const hour = Duration.hours(1);
    const m = (name: MetricName, statistic: string, period: Duration, label: string, failureMode?: string): cloudwatch.Metric =>
      databaseMetric(db, name, statistic, period, failureMode).with({ label });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `${db}-dr`, defaultInterval: Duration.days(7) });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# ${db}: disaster recovery\nMeasured recovery points and times per failure mode against their targets. Every alarm names its section of the [runbook](${RUNBOOK}).`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarm states', alarms, width: 24, height: 6 }));
    // RPO per mode against its target (the target is a published metric, so the line is in the data).
    dashboard.addWidgets(
      ...modes.map((mode) => {
        const d = FAILURE_MODE_DIMENSION[mode];
        return new cloudwatch.GraphWidget({
          title: `RPO ${d} (s)`,
          left: [m('RpoSeconds', 'Maximum', minute, `RPO ${d}`, d), m('RpoTargetSeconds', 'Maximum', minute, `target ${d}`, d)],
          leftYAxis: { min: 0 },
          width: 6,
          height: 6,
        });
      }),
    );
    // RTO measurements (failovers and drills, restore tests) against targets.
    dashboard.addWidgets(
      ...modes.map((mode) => {
        const d = FAILURE_MODE_DIMENSION[mode];
        const measured = mode === 'az' || mode === 'region' ? m('FailoverDurationSeconds', 'Maximum', hour, `failover ${d}`, d) : m('RestoreDurationSeconds', 'Maximum', hour, 'restore duration');
        return new cloudwatch.GraphWidget({
          title: `RTO ${d} (s)`,
          left: [measured, m('RtoTargetSeconds', 'Maximum', hour, `target ${d}`, d)],
          leftYAxis: { min: 0 },
          width: 6,
          height: 6,
        });
      }),
    );
    // Backups and verifications over time, and the ages they leave.
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Backups and restore tests',
        left: [m('BackupSucceeded', 'Sum', hour, 'backups succeeded'), m('BackupFailed', 'Sum', hour, 'backups failed'), m('VerificationPassed', 'Sum', hour, 'restore tests passed'), m('VerificationPassed', 'SampleCount', hour, 'restore tests run'), m('VerificationInconclusive', 'Sum', hour, 'restore tests inconclusive'), m('BracketUnsettled', 'Sum', hour, 'backups whose reading B did not settle')],
        view: cloudwatch.GraphWidgetView.BAR,
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Ages (s)',
        left: [
          m('PitrLagSeconds', 'Maximum', minute, 'PITR lag'),
          m('LatestSnapshotAgeSeconds', 'Maximum', minute, 'newest snapshot'),
          m('LatestVerifiedSnapshotAgeSeconds', 'Maximum', minute, 'newest verified snapshot'),
          m('LatestOffsiteCopyAgeSeconds', 'Maximum', minute, 'newest offsite copy'),
        ],
        leftAnnotations: [{ value: props.maxVerifiedAgeHours * 3600, label: `verification stale after ${props.maxVerifiedAgeHours} h` }],
        leftYAxis: { min: 0 },
        width: 12,
        height: 6,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Writer probe',
        left: [m('ProbeLatencyMs', 'p50', minute, 'heartbeat write p50 (ms)'), m('ProbeLatencyMs', 'Maximum', minute, 'heartbeat write max (ms)')],
        right: [m('WriterHealthy', 'Minimum', minute, 'writer healthy (0/1)')],
        rightYAxis: { min: 0, max: 1 },
        width: 12,
        height: 6,
      }),
      replica
        ? new cloudwatch.GraphWidget({
            title: 'Cross-region replica lag (s)',
            left: [m('ReplicaHeartbeatAgeSeconds', 'Maximum', minute, 'replica heartbeat age')],
            leftAnnotations: [{ value: props.maxLagOnFailoverSeconds, label: 'maxLagOnFailoverSeconds' }],
            leftYAxis: { min: 0 },
            width: 12,
            height: 6,
          })
        : new cloudwatch.TextWidget({ markdown: '### Cross-region replica lag\nNo cross-region read replica is configured (`dr.readReplica` is false).', width: 12, height: 6 }),
    );
    return dashboard;
  }
}

/** A metric of this database as Powertools publishes it (namespace, `service` and `Database` dimensions). */
export function databaseMetric(db: string, name: MetricName, statistic: string, period: Duration, failureMode?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: {
      [DIMENSIONS.service]: METRIC_SERVICE,
      [DIMENSIONS.database]: db,
      ...(failureMode === undefined ? {} : { [DIMENSIONS.failureMode]: failureMode }),
    },
    statistic,
    period,
  });
}

function offsitePaths(paths: OffsitePaths): string {
  const names = (Object.keys(OFFSITE_PATH_NAMES) as (keyof typeof OFFSITE_PATH_NAMES)[]).filter((k) => paths[k]).map((k) => OFFSITE_PATH_NAMES[k]);
  return names.length === 0 ? 'none' : names.join(',');
}

/** The errors alarm of one function. */
function functionAlarm({ name, function: fn }: MonitoredFunction): AlarmSpec {
  const fiveMinutes = Duration.minutes(5);
  return {
    name: `LambdaErrors-${name}`,
    description: `The ${name} function failed (Errors >= 1 in 5 minutes); its log group has the error.`,
    metric: fn.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
    threshold: 1,
    comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    critical: false,
    anchor: 'lambdaerrors',
  };
}

/** The failures alarm of one state machine (failed or timed out executions). */
function stateMachineAlarm({ name, stateMachine }: MonitoredStateMachine): AlarmSpec {
  const fiveMinutes = Duration.minutes(5);
  return {
    name: `StateMachineFailed-${name}`,
    description: `An execution of the ${name} state machine failed or timed out (ExecutionsFailed + ExecutionsTimedOut >= 1 in 5 minutes).`,
    metric: new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
      usingMetrics: { failed: stateMachine.metricFailed({ statistic: 'Sum', period: fiveMinutes }), timedOut: stateMachine.metricTimedOut({ statistic: 'Sum', period: fiveMinutes }) },
      period: fiveMinutes,
      label: `${name} executions failed or timed out`,
    }),
    threshold: 1,
    comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    critical: false,
    anchor: 'statemachinefailed',
  };
}
