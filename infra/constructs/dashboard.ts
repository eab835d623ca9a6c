import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { MonitoringFacts } from '../config/resolve.ts';
import { FAILURE_MODE_DIMENSION, FAILURE_MODES } from '../../functions/domain/rpo/objectives.ts';
import type { MetricName } from '../../functions/shared/metric-names.ts';
import { databaseMetric, RUNBOOK } from './alarm-specs.ts';

/** Props of {@link DrDashboard}. */
export interface DrDashboardProps extends Pick<MonitoringFacts, 'databaseName' | 'objectives' | 'offsite' | 'maxVerifiedAgeHours' | 'maxLagOnFailoverSeconds'> {
  /** The alarms whose states the dashboard shows, in this order. */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/**
 * `<db>-dr`: RPO and RTO per failure mode against their targets, backups and restore tests, the
 * ages they leave, the writer probe, the replica lag, and every alarm's state.
 *
 * Adds its resources to `scope` itself (the Monitoring construct), under the ids they have always had.
 */
export class DrDashboard {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, props: DrDashboardProps) {
    const db = props.databaseName;
    const modes = FAILURE_MODES.filter((m) => props.objectives[m] !== null);
    const replica = props.offsite.readReplica;
    const alarms = [...props.alarms];
    const minute = Duration.minutes(1);
    const hour = Duration.hours(1);
    const m = (name: MetricName, statistic: string, period: Duration, label: string, failureMode?: string): cloudwatch.Metric =>
      databaseMetric(db, name, statistic, period, failureMode).with({ label });
    const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', { dashboardName: `${db}-dr`, defaultInterval: Duration.days(7) });
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
    this.dashboard = dashboard;
  }
}
