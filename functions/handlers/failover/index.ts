/**
 * failover λ: the steps of statemachines/failover.asl.json that are not probes (the probe λ confirms
 * and post-checks). One function with an `action` discriminator, like the snapshot λ: the steps run
 * under one lock and one configuration, and the role's permissions are scoped by resource (this
 * database, its replica, this record, this secret, this security group, this table, this topic)
 * rather than by step (docs/decisions.md).
 *
 * This file is the composition root: configuration from the environment, the adapters on their SDK
 * clients, the table of actions and the Lambda entry point. The actions, in the order of the workflow:
 * takeover-actions.ts (`validate`, `lock`, `precheck`, `fence`, `act`, `check`, `assess`) and
 * endpoint-actions.ts (`switch`, `switch-status`, `rollback`, `record`, `notify`); each documents its
 * event. Every event carries `executionArn` (the lock's owner). Errors are thrown typed (shared/errors.ts).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchReplicationHistory } from '../../adapters/cloudwatch/replication-history.ts';
import { DynamoDbFailoverLock } from '../../adapters/dynamodb/failover-lock.ts';
import { SecurityGroupFence } from '../../adapters/ec2/security-group-fence.ts';
import { controlPlaneFor } from '../../adapters/rds/control-plane.ts';
import { Route53WriterRecord } from '../../adapters/route53/writer-record.ts';
import { S3ArchiveStore } from '../../adapters/s3/archive.ts';
import { SecretsManagerConnectionSecret } from '../../adapters/secrets/connection-secret.ts';
import { SnsNotifier } from '../../adapters/sns/notifier.ts';
import type { FailoverPorts } from '../../domain/failover/dependencies.ts';
import { FAILOVER_ACTIONS, FAILOVER_COMMON, FAILOVER_PLACE } from '../../contracts/events/failover.ts';
import { readEvent } from '../../contracts/events/read.ts';
import { drHandler } from '../../shared/handler.ts';
import { DIMENSIONS, METRICS } from '../../shared/metric-names.ts';
import { metrics } from '../../shared/powertools.ts';
import { failoverConfigFromEnv, type FailoverConfig, type FailoverDeps } from './config.ts';
import { ENDPOINT_ACTIONS } from './endpoint-actions.ts';
import { TAKEOVER_ACTIONS } from './takeover-actions.ts';

export { failoverConfigFromEnv, type FailoverConfig, type FailoverDeps };

const config = failoverConfigFromEnv();

/**
 * The adapters for a configuration, on new SDK clients: DynamoDB, SNS, S3 and Secrets Manager in the
 * function's region, RDS, EC2 and CloudWatch in the database's region, RDS in the DR region, Route 53
 * (global: the SDK signs for us-east-1 whatever the region).
 */
export function portsFor(cfg: FailoverConfig): Omit<FailoverPorts, 'now'> {
  return {
    lock: new DynamoDbFailoverLock(new DynamoDBClient({ region: cfg.region }), cfg.lockTable),
    primary: controlPlaneFor(cfg.settings.topology, new RDSClient({ region: cfg.databaseRegion }), cfg.databaseRegion),
    dr: cfg.drRegion === null ? null : controlPlaneFor(cfg.settings.topology, new RDSClient({ region: cfg.drRegion }), cfg.drRegion),
    fence: cfg.fenceSecurityGroupId === null ? null : new SecurityGroupFence(new EC2Client({ region: cfg.databaseRegion }), cfg.fenceSecurityGroupId),
    dns: new Route53WriterRecord(new Route53Client({ region: cfg.region }), cfg.hostedZoneId, cfg.recordName),
    secret: new SecretsManagerConnectionSecret(new SecretsManagerClient({ region: cfg.region }), cfg.connectionSecretArn),
    notifier: new SnsNotifier(new SNSClient({ region: cfg.region }), cfg.topicArn),
    archive: new S3ArchiveStore(new S3Client({ region: cfg.region }), cfg.archiveBucket),
    // The probe publishes in the database's region, where the automation runs.
    history: cfg.settings.replicaId === null ? null : new CloudWatchReplicationHistory(new CloudWatchClient({ region: cfg.databaseRegion }), cfg.settings.database),
  };
}

const defaults: FailoverDeps = {
  ...portsFor(config),
  now: () => new Date(),
  // One EMF document per value, with both dimensions: the per-mode RTO/RPO metrics are read by
  // Database and FailureMode together (functions/shared/metric-names.ts). `Database` is the default
  // dimension (functions/shared/handler.ts), which a single metric inherits.
  publish: (name, value, failureMode) => {
    const single = metrics.singleMetric();
    single.addDimension(DIMENSIONS.failureMode, failureMode);
    single.addMetric(name, METRICS[name], value);
  },
};

/** The actions by name, in the order of the workflow. */
const TABLE = { ...TAKEOVER_ACTIONS, ...ENDPOINT_ACTIONS } as const;

/** The actions, in the order of the workflow. */
export const ACTIONS = FAILOVER_ACTIONS satisfies readonly (keyof typeof TABLE)[];
/** One action. */
export type FailoverAction = (typeof ACTIONS)[number];
/** What each action returns. */
export type FailoverOutput<A extends FailoverAction> = Awaited<ReturnType<(typeof TABLE)[A]>>;

/**
 * Validates the event and runs its action.
 *
 * 1. Read `action` and `executionArn` (the lock's owner).
 * 2. The action reads its fields, every problem named (ValidationError, nothing done).
 * 3. It runs the use case of `domain/failover/` (`takeover.ts`, `switch-endpoint.ts`, `record-run.ts`) with the ports, and returns its typed output.
 *
 * @param cfg the configuration; the module's (from the environment) unless a test passes another topology's
 */
export async function core(event: unknown, deps: FailoverDeps = defaults, cfg: FailoverConfig = config): Promise<FailoverOutput<FailoverAction>> {
  const { action, executionArn: owner } = readEvent(FAILOVER_COMMON, event, FAILOVER_PLACE);
  return TABLE[action]({ event, owner, cfg }, deps);
}

/** The Lambda entry point (functions/shared/handler.ts): log keys database, executionArn, action. */
export const handler = drHandler({ name: 'failover', database: config.settings.database, executionArn: null, keys: { executionArn: null, action: null } }, (event) => core(event));
