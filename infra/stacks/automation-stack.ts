import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { Deployment } from '../config/resolve.ts';
import type { DrConfig } from '../config/types.ts';
import { Backup } from '../constructs/backup.ts';
import type { DrFunction } from '../constructs/dr-function.ts';
import { Failover } from '../constructs/failover.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import type { Network } from '../constructs/network.ts';
import type { ProtectedDatabase } from '../constructs/protected-database.ts';
import { RestoreTesting } from '../constructs/restore-testing.ts';
import { WriterProbe } from '../constructs/writer-probe.ts';
import { TAG } from '../../functions/domain/snapshots/naming.ts';

/** Props of {@link AutomationStack}. */
export interface AutomationStackProps extends StackProps {
  readonly config: DrConfig;
  /** The facts resolved from `config` once (config/resolve.ts). */
  readonly deployment: Deployment;
  readonly network: Network;
  readonly database: ProtectedDatabase;
  readonly databaseKey: kms.IKey;
  readonly archiveBucket: s3.IBucket;
  readonly archiveKey: kms.IKey;
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
  // The capabilities' functions and state machines by name (the tests and the monitoring read them).
  readonly snapshotFunction: DrFunction;
  readonly manifestFunction: DrFunction;
  readonly retentionFunction: DrFunction;
  readonly restoreFunction: DrFunction;
  readonly verifyFunction: DrFunction;
  readonly probeFunction: DrFunction;
  readonly backupStateMachine: sfn.StateMachine;
  readonly verifyStateMachine: sfn.StateMachine;
  readonly pitrStateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: AutomationStackProps) {
    super(scope, id, props);
    const { config, database, deployment, databaseKey } = props;
    const databaseName = deployment.databaseName;
    const topology = deployment.topology;
    const archive = { bucket: props.archiveBucket, key: props.archiveKey };
    const placement = { vpc: props.network.vpc, securityGroup: props.network.functionsSecurityGroup };
    const environment = { DATABASE_ID: databaseName, TOPOLOGY: topology, POLICY_NAME: deployment.policyName, ARCHIVE_BUCKET: props.archiveBucket.bucketName };
    const snapshotCopyRegion = deployment.snapshotCopyRegion;

    this.backup = new Backup(this, {
      databaseName,
      topology,
      database,
      databaseKey,
      archive,
      placement,
      environment,
      snapshotCopyRegion,
      schedules: config.schedules,
      retention: config.retention,
      bracketMaxWaitSeconds: config.restoreTest.bracketMaxWaitSeconds,
      contentDigest: config.restoreTest.contentDigest,
      exactCountTables: config.restoreTest.exactCounts.tables,
    });
    this.restoreTesting = new RestoreTesting(this, {
      databaseName,
      topology,
      database,
      engine: config.database,
      databaseKey,
      restoreTestSecurityGroup: props.restoreTestSecurityGroup,
      archive,
      placement,
      environment,
      snapshotCopyRegion,
      restoreTest: config.restoreTest,
      schedule: { expression: config.schedules.restoreTest, timezone: config.schedules.timezone },
    });
    this.writerProbe = new WriterProbe(this, { databaseName, database, databaseKey, placement });
    this.snapshotFunction = this.backup.snapshotFunction;
    this.manifestFunction = this.backup.manifestFunction;
    this.retentionFunction = this.backup.retentionFunction;
    this.backupStateMachine = this.backup.stateMachine;
    this.restoreFunction = this.restoreTesting.restoreFunction;
    this.verifyFunction = this.restoreTesting.verifyFunction;
    this.verifyStateMachine = this.restoreTesting.verifyStateMachine;
    this.pitrStateMachine = this.restoreTesting.pitrStateMachine;
    this.probeFunction = this.writerProbe.probeFunction;

    // Monitoring: RPO monitor, alarms with runbook sections, composite alarm, dashboard, topic.
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...deployment.monitoring,
      databaseArn: database.arn,
      functions: [
        { name: 'snapshot', function: this.snapshotFunction.fn },
        { name: 'manifest', function: this.manifestFunction.fn },
        { name: 'retention', function: this.retentionFunction.fn },
        { name: 'restore', function: this.restoreFunction.fn },
        { name: 'verify', function: this.verifyFunction.fn },
        { name: 'probe', function: this.probeFunction.fn },
      ],
      stateMachines: [
        { name: 'backup', stateMachine: this.backupStateMachine },
        { name: 'verify', stateMachine: this.verifyStateMachine },
        { name: 'pitr-restore', stateMachine: this.pitrStateMachine },
      ],
    });
    // Failover: lock table, endpoint record and connection secret, the workflow, its triggers.
    this.failover = new Failover(this, 'Failover', {
      databaseName,
      autoFailover: config.failover.auto,
      maxLagOnFailoverSeconds: config.failover.maxLagOnFailoverSeconds,
      cooldownMinutes: config.failover.cooldownMinutes,
      replica: deployment.replica,
      vpc: props.network.vpc,
      database,
      probeFunction: this.probeFunction.fn,
      topic: this.monitoring.topic,
      topicKey: this.monitoring.topicKey,
      archiveBucket: props.archiveBucket,
      archiveKey: props.archiveKey,
    });
    this.monitoring.watch({
      functions: [{ name: 'failover', function: this.failover.function.fn }],
      stateMachines: [{ name: 'failover', stateMachine: this.failover.stateMachine }],
    });
    Tags.of(this).add(TAG.database, databaseName);
  }
}
