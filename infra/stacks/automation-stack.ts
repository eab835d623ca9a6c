import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { Deployment } from '../config/resolve.ts';
import { allMonitored } from '../constructs/alarm-specs.ts';
import { Backup } from '../constructs/backup.ts';
import type { DrFunction } from '../constructs/dr-function.ts';
import { Failover } from '../constructs/failover.ts';
import type { ArchiveAccess, AutomationContext } from '../constructs/grants.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import type { Network } from '../constructs/network.ts';
import type { ProtectedDatabase } from '../constructs/protected-database.ts';
import { RestoreTesting } from '../constructs/restore-testing.ts';
import { WriterProbe } from '../constructs/writer-probe.ts';
import { TAG } from '../../functions/domain/snapshots/naming.ts';

/** Props of {@link AutomationStack}. */
export interface AutomationStackProps extends StackProps {
  /** The facts resolved from the configuration once (config/resolve.ts). */
  readonly deployment: Pick<Deployment, 'databaseName' | 'topology' | 'policyName' | 'snapshotCopyRegion' | 'backup' | 'restoreTesting' | 'monitoring' | 'failover'>;
  /** The database stack's network: the VPC and the DR functions' security group. */
  readonly network: Pick<Network, 'vpc' | 'functionsSecurityGroup'>;
  /** The protected database (database stack). */
  readonly database: ProtectedDatabase;
  /** The database's key (database stack). */
  readonly databaseKey: kms.IKey;
  /** The archive bucket and its key (database stack). */
  readonly archive: ArchiveAccess;
  /** Security group of temporary restored databases (database stack). */
  readonly restoreTestSecurityGroup: ec2.ISecurityGroup;
}

/**
 * The stateless DR automation: functions, state machines and schedules, one capability after the
 * other. Redeploying it never touches the database or the archive (they live in the database stack).
 */
export class AutomationStack extends Stack {
  readonly backup: Backup;
  readonly restoreTesting: RestoreTesting;
  readonly writerProbe: WriterProbe;
  readonly monitoring: Monitoring;
  readonly failover: Failover;

  constructor(scope: Construct, id: string, props: AutomationStackProps) {
    super(scope, id, props);
    const { deployment, database, databaseKey } = props;
    const context: AutomationContext = {
      databaseName: deployment.databaseName,
      topology: deployment.topology,
      policyName: deployment.policyName,
      archive: props.archive,
      placement: { vpc: props.network.vpc, securityGroup: props.network.functionsSecurityGroup },
      snapshotCopyRegion: deployment.snapshotCopyRegion,
    };

    this.backup = new Backup(this, { ...context, ...deployment.backup, database, databaseKey });
    this.restoreTesting = new RestoreTesting(this, { ...context, ...deployment.restoreTesting, database, databaseKey, restoreTestSecurityGroup: props.restoreTestSecurityGroup });
    this.writerProbe = new WriterProbe(this, { databaseName: deployment.databaseName, database, databaseKey, placement: context.placement });
    // RPO monitor, alarms with runbook sections, composite alarm, dashboard, topic.
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...deployment.monitoring,
      databaseArn: database.arn,
      ...allMonitored([this.backup, this.restoreTesting, this.writerProbe]),
    });
    // Lock table, endpoint record and connection secret, the workflow, its triggers; it notifies the monitoring's topic.
    this.failover = new Failover(this, 'Failover', {
      ...deployment.failover,
      databaseName: deployment.databaseName,
      vpc: props.network.vpc,
      database,
      probeFunction: this.writerProbe.probeFunction.fn,
      topic: this.monitoring.topic,
      topicKey: this.monitoring.topicKey,
      archive: context.archive,
    });
    this.monitoring.watch(this.failover.monitored);
    Tags.of(this).add(TAG.database, deployment.databaseName);
  }

  // The capabilities' functions and state machines by name (the tests read them).
  get snapshotFunction(): DrFunction { return this.backup.snapshotFunction; }
  get manifestFunction(): DrFunction { return this.backup.manifestFunction; }
  get retentionFunction(): DrFunction { return this.backup.retentionFunction; }
  get backupStateMachine(): sfn.StateMachine { return this.backup.stateMachine; }
  get restoreFunction(): DrFunction { return this.restoreTesting.restoreFunction; }
  get verifyFunction(): DrFunction { return this.restoreTesting.verifyFunction; }
  get verifyStateMachine(): sfn.StateMachine { return this.restoreTesting.verifyStateMachine; }
  get pitrStateMachine(): sfn.StateMachine { return this.restoreTesting.pitrStateMachine; }
  get probeFunction(): DrFunction { return this.writerProbe.probeFunction; }
}
