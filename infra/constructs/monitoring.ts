import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { MonitoringFacts } from '../config/resolve.ts';
import { alarmSpecs, functionAlarm, runbookLink, stateMachineAlarm, type AlarmSpec, type MonitoredFunction, type MonitoredResources, type MonitoredStateMachine } from './alarm-specs.ts';
import { AlarmTopic } from './alarm-topic.ts';
import { DrDashboard } from './dashboard.ts';
import type { DrFunction } from './dr-function.ts';
import { RpoMonitor } from './rpo-monitor.ts';

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
    const db = props.databaseName;

    // 1. Topic.
    const topic = new AlarmTopic(this, { databaseName: db, notificationEmails: props.notificationEmails });
    this.topic = topic.topic;
    this.topicKey = topic.topicKey;

    // 2. The RPO monitor: reads RDS (both regions) and, with a replica, the probe's metric.
    this.rpoMonitor = new RpoMonitor(this, props).monitor;

    // 3. Alarms.
    const specs = alarmSpecs({ ...props, functions: [...(props.functions ?? []), { name: 'rpo-monitor', function: this.rpoMonitor.fn }] });
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
    this.dashboard = new DrDashboard(this, { ...props, alarms: [this.postureDegraded, ...alarms.values()] }).dashboard;
  }

  /**
   * Alarms on functions and state machines made after this construct (e.g. the failover
   * workflow, which itself needs this construct's topic): the same per-function and
   * per-state-machine alarms the constructor makes.
   */
  watch(more: MonitoredResources): void {
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
}
