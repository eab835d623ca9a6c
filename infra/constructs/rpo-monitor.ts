import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import type { WildcardRule } from '../acknowledgements.ts';
import type { MonitoringFacts, OffsitePaths } from '../config/resolve.ts';
import { OFFSITE_PATH_NAMES } from '../../functions/domain/rpo/objectives.ts';
import { DrFunction } from './dr-function.ts';
import { RdsArns } from './grants.ts';

/**
 * The RPO monitor's IAM wildcards, each with its reason (infra/nag.ts accepts them). Replicated
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

/** Props of {@link RpoMonitor}. */
export interface RpoMonitorProps extends Pick<MonitoringFacts, 'databaseName' | 'topology' | 'offsite' | 'offsiteRegion' | 'objectives'> {
  /** ARN of the protected DB instance (or Multi-AZ DB cluster), for the monitor's read permissions. */
  readonly databaseArn: string;
}

/**
 * The RPO monitor: a function that measures PITR lag, snapshot and offsite copy ages and the RPO
 * of each failure mode every minute, with read-only access to RDS in both regions and, with a
 * cross-region replica, to the probe's metric.
 *
 * Adds its resources to `scope` itself (the Monitoring construct), under the ids they have always had.
 */
export class RpoMonitor {
  readonly monitor: DrFunction;

  constructor(scope: Construct, props: RpoMonitorProps) {
    const db = props.databaseName;
    this.monitor = new DrFunction(scope, 'RpoMonitor', {
      handler: 'rpo-monitor',
      description: 'Measures PITR lag, snapshot and offsite copy ages and the RPO of each failure mode, every minute',
      timeout: Duration.seconds(50),
      memorySize: 256,
      environment: {
        DATABASE_ID: db,
        TOPOLOGY: props.topology,
        DR_REGION: props.offsiteRegion ?? 'none',
        OFFSITE_PATHS: offsitePathNames(props.offsite),
        OBJECTIVES: JSON.stringify(props.objectives),
      },
    });
    // A failed minute is superseded by the next one: no asynchronous retries piling up.
    this.monitor.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    grantMonitorReads(this.monitor.role, props);
    new scheduler.Schedule(scope, 'RpoMonitorSchedule', {
      description: `${db}: RPO monitor, every minute`,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      target: new targets.LambdaInvoke(this.monitor.fn, {
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledAt: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      }),
    });
  }
}

/** Least privilege: reads of this database, its snapshots (both regions) and, per path, the rest. */
function grantMonitorReads(role: iam.IRole, props: RpoMonitorProps): void {
  const stack = Stack.of(role);
  const db = props.databaseName;
  const drRegion = props.offsiteRegion;
  const rds = new RdsArns(role, db, props.topology);
  const { cluster } = rds;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [cluster ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances'], resources: [props.databaseArn] }));
  // Copies keep the source's DBInstanceIdentifier, so the DR-region list names the same database id.
  // A list call is authorized against the list's resource types in each region, not only the
  // snapshots it returns (as retention's listing). Read-only.
  role.addToPrincipalPolicy(rds.listSnapshots([stack.region, ...(drRegion === null ? [] : [drRegion])]));
  if (drRegion !== null && props.offsite.backupReplication) {
    // Listed in the DR region and filtered by the source database's ARN: authorized against the
    // automated backups of the region and the database the filter names (the source, and the
    // same identifier the replicated backup keeps in the DR region). Read-only.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['rds:DescribeDBInstanceAutomatedBackups'],
        resources: [rds.arn(drRegion, 'auto-backup', '*'), rds.arn(stack.region, 'db', db), rds.arn(drRegion, 'db', db)],
      }),
    );
  }
  if (props.offsite.readReplica) {
    // GetMetricData has no resource-level permissions (CloudWatch: "Actions, resources, and condition keys").
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
  }
}

/** The `OFFSITE_PATHS` the monitor handler reads: the names of the paths that are on, or `none`. */
function offsitePathNames(paths: OffsitePaths): string {
  const names = (Object.keys(OFFSITE_PATH_NAMES) as (keyof typeof OFFSITE_PATH_NAMES)[]).filter((k) => paths[k]).map((k) => OFFSITE_PATH_NAMES[k]);
  return names.length === 0 ? 'none' : names.join(',');
}
