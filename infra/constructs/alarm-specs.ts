import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { MonitoringFacts } from '../config/resolve.ts';
import { MANUAL_SNAPSHOT_QUOTA, WRITER_DOWN_PROBES } from '../config/constants.ts';
import { FAILURE_MODE_DIMENSION, FAILURE_MODES } from '../../functions/domain/rpo/objectives.ts';
import { longestGapSeconds, parseSchedule } from '../../functions/domain/snapshots/schedule.ts';
import { DIMENSIONS, METRIC_NAMESPACE, METRIC_SERVICE, type MetricName } from '../../functions/shared/metric-names.ts';

/**
 * What each DR alarm evaluates and says, as data: the Monitoring construct makes one CloudWatch
 * alarm of each spec; the runbook and the tests state the same thresholds.
 */

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
  /** The function whose Errors metric is alarmed on. */
  readonly function: lambda.IFunction;
}

/** A state machine to alarm on, with the short name its alarm carries (`<db>-StateMachineFailed-<name>`). */
export interface MonitoredStateMachine {
  /** Short name, e.g. `backup`; letters, digits and hyphens. */
  readonly name: string;
  /** The state machine whose failed and timed-out executions are alarmed on. */
  readonly stateMachine: sfn.IStateMachine;
}

/** A capability's functions and state machines, each to get its alarm. */
export interface MonitoredResources {
  /**
   * Functions that each get an errors alarm, in this order.
   * @default none
   */
  readonly functions?: readonly MonitoredFunction[];
  /**
   * State machines that each get a failures alarm, in this order.
   * @default none
   */
  readonly stateMachines?: readonly MonitoredStateMachine[];
}

/** The functions and state machines of several capabilities, in their order (functions of the first first). */
export function allMonitored(capabilities: readonly { readonly monitored: MonitoredResources }[]): Required<MonitoredResources> {
  return {
    functions: capabilities.flatMap((c) => c.monitored.functions ?? []),
    stateMachines: capabilities.flatMap((c) => c.monitored.stateMachines ?? []),
  };
}

/** What {@link alarmSpecs} derives the alarms from. */
export interface AlarmSpecsProps extends Omit<MonitoringFacts, 'notificationEmails'> {
  /**
   * Functions that each get an errors alarm, in this order.
   * @default none
   */
  readonly functions?: readonly MonitoredFunction[];
  /**
   * State machines that each get a failures alarm, in this order.
   * @default none
   */
  readonly stateMachines?: readonly MonitoredStateMachine[];
}

/** How an alarm is evaluated: what the runbook and the tests state about each. */
export interface AlarmSpec {
  /** Name after the `<db>-` prefix; also the runbook heading, so the anchor is its lower case. */
  readonly name: string;
  /** What the alarm means (its description; the runbook link is appended). */
  readonly description: string;
  /** The metric evaluated. */
  readonly metric: cloudwatch.IMetric;
  /** The threshold compared against. */
  readonly threshold: number;
  /** How the metric is compared with the threshold. */
  readonly comparison: cloudwatch.ComparisonOperator;
  /** Periods evaluated; all of them must breach (datapoints to alarm is the same). */
  readonly evaluationPeriods: number;
  /** What a missing datapoint counts as. */
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

/** Every alarm of one protected database, in the order they are made. */
export function alarmSpecs(props: AlarmSpecsProps): AlarmSpec[] {
  const db = props.databaseName;
  const modes = FAILURE_MODES.filter((m) => props.objectives[m] !== null);
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
  for (const f of props.functions ?? []) specs.push(functionAlarm(f));
  for (const s of props.stateMachines ?? []) specs.push(stateMachineAlarm(s));
  return specs;
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

/** The errors alarm of one function. */
export function functionAlarm({ name, function: fn }: MonitoredFunction): AlarmSpec {
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
export function stateMachineAlarm({ name, stateMachine }: MonitoredStateMachine): AlarmSpec {
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
