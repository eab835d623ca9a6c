import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import type { MonitoredResources } from './alarm-specs.ts';
import { DrFunction } from './dr-function.ts';
import { grantKeyThrough, type FunctionPlacement } from './grants.ts';
import { postgresDatabaseName, type ProtectedDatabase } from './protected-database.ts';

/** Props of {@link WriterProbe}. */
export interface WriterProbeProps {
  /** The protected database's name: the metric dimension and the PostgreSQL database probed. */
  readonly databaseName: string;
  /** The protected database: writer endpoint, port and master secret. */
  readonly database: Pick<ProtectedDatabase, 'endpoint' | 'port' | 'secretArn'>;
  /** The database's key (the master secret's). */
  readonly databaseKey: kms.IKey;
  /** Where the probe runs (it connects to the writer over TLS). */
  readonly placement: FunctionPlacement;
}

/**
 * The writer probe: a function in the VPC that writes a heartbeat every minute and measures its
 * latency; its WriterHealthy metric feeds the WriterDown alarm, and the failover workflow invokes
 * it to confirm and to post-check.
 *
 * Adds its resources to `scope` itself (see grants.ts: the logical ids stay those of the deployed stack).
 */
export class WriterProbe {
  readonly probeFunction: DrFunction;
  /** What the monitoring alarms on: the probe function. */
  readonly monitored: MonitoredResources;

  constructor(scope: Construct, props: WriterProbeProps) {
    const { database } = props;
    this.probeFunction = new DrFunction(scope, 'Probe', {
      handler: 'probe',
      description: 'Writer probe: connect over TLS, write a heartbeat, measure latency, every minute',
      timeout: Duration.seconds(40),
      memorySize: 256,
      vpc: props.placement,
      environment: {
        DATABASE_ID: props.databaseName,
        DB_HOST: database.endpoint,
        DB_PORT: String(database.port),
        DB_NAME: postgresDatabaseName(props.databaseName),
        DB_SECRET_ARN: database.secretArn,
        DB_TLS_MODE: 'verify-full',
        REPLICA_HOST: 'none',
      },
    });
    this.probeFunction.role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [database.secretArn] }));
    grantKeyThrough(this.probeFunction.role, props.databaseKey, ['secretsmanager'], ['kms:Decrypt']);
    // A missed minute is superseded by the next: no retries piling up behind a hung writer.
    this.probeFunction.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    new scheduler.Schedule(scope, 'ProbeSchedule', {
      description: `${props.databaseName}: writer probe, every minute`,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      target: new targets.LambdaInvoke(this.probeFunction.fn, { input: scheduler.ScheduleTargetInput.fromObject({ mode: 'monitor' }), retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
    });
    this.monitored = { functions: [{ name: 'probe', function: this.probeFunction.fn }] };
  }
}
