/**
 * The failover λ's configuration, read from its environment at cold start, and what its actions act
 * through (functions/handlers/failover/index.ts builds both).
 */
import type { FailoverPorts, FailoverSettings } from '../../domain/failover-run.ts';
import type { Topology } from '../../ports/database-control-plane.ts';
import { envInteger, envTopology, failOnProblems, requireEnv } from '../../shared/env.ts';

/** The function's configuration, from its environment. */
export interface FailoverConfig {
  readonly settings: FailoverSettings;
  /** Region of the function (its own clients: DynamoDB, SNS, S3, Secrets Manager). */
  readonly region: string;
  /** Region of the protected database (RDS, and EC2 for the fence). */
  readonly databaseRegion: string;
  /** DR region, or null (`DR_REGION=none`). */
  readonly drRegion: string | null;
  readonly lockTable: string;
  readonly hostedZoneId: string;
  readonly recordName: string;
  readonly connectionSecretArn: string;
  /** Security group of the old writer, or null (`FENCE_SECURITY_GROUP_ID=none`). */
  readonly fenceSecurityGroupId: string | null;
  readonly topicArn: string;
  readonly archiveBucket: string;
}

/** What the handler acts through: the ports of the use cases and the metric sink; injectable in tests. */
export interface FailoverDeps extends FailoverPorts {
  readonly publish: (name: 'FailoverDurationSeconds' | 'FailoverDataLossSeconds', value: number, failureMode: 'az' | 'region') => void;
}

/** Bounds of the numeric settings: variable, allowed range. */
const NUMBERS = [
  ['MAX_LAG_SECONDS', 0, 86_400],
  ['COOLDOWN_SECONDS', 0, 86_400],
  // At least the state machine's longest wait (30 min of promotion polls) plus its other steps.
  ['LOCK_LEASE_SECONDS', 2_700, 86_400],
  // A short TTL is what makes the switch fast; Route 53 accepts any, 5-30 s is this design's range.
  ['RECORD_TTL_SECONDS', 5, 30],
] as const;

/**
 * Reads and validates the environment. Required: AWS_REGION, DATABASE_ID, TOPOLOGY, DATABASE_REGION,
 * DR_REGION (`none` without one), REPLICA_ID (`none` without a cross-region replica), LOCK_TABLE,
 * HOSTED_ZONE_ID, RECORD_NAME, RECORD_TTL_SECONDS, CONNECTION_SECRET_ARN, FENCE_SECURITY_GROUP_ID
 * (`none` when there is nothing to fence), TOPIC_ARN, ARCHIVE_BUCKET, MAX_LAG_SECONDS,
 * COOLDOWN_SECONDS, LOCK_LEASE_SECONDS.
 *
 * @throws ConfigurationError naming every missing or bad variable
 */
export function failoverConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FailoverConfig {
  const e = requireEnv(
    [
      'AWS_REGION',
      'DATABASE_ID',
      'TOPOLOGY',
      'DATABASE_REGION',
      'DR_REGION',
      'REPLICA_ID',
      'LOCK_TABLE',
      'HOSTED_ZONE_ID',
      'RECORD_NAME',
      'RECORD_TTL_SECONDS',
      'CONNECTION_SECRET_ARN',
      'FENCE_SECURITY_GROUP_ID',
      'TOPIC_ARN',
      'ARCHIVE_BUCKET',
      'MAX_LAG_SECONDS',
      'COOLDOWN_SECONDS',
      'LOCK_LEASE_SECONDS',
    ],
    env,
  );
  const problems: string[] = [];
  const topology: Topology = envTopology(e.TOPOLOGY, problems);
  const numbers: Record<string, number> = {};
  for (const [name, min, max] of NUMBERS) numbers[name] = envInteger(e[name], name, min, max, problems);
  const replicaId = e.REPLICA_ID === 'none' ? null : e.REPLICA_ID;
  const drRegion = e.DR_REGION === 'none' ? null : e.DR_REGION;
  if (replicaId !== null && drRegion === null) problems.push('REPLICA_ID: a cross-region replica needs DR_REGION');
  if (replicaId !== null && e.FENCE_SECURITY_GROUP_ID === 'none') problems.push('FENCE_SECURITY_GROUP_ID: required with a cross-region replica (region mode fences the old writer)');
  if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(e.CONNECTION_SECRET_ARN)) problems.push(`CONNECTION_SECRET_ARN: ${JSON.stringify(e.CONNECTION_SECRET_ARN)} is not a Secrets Manager secret ARN`);
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/.test(e.TOPIC_ARN)) problems.push(`TOPIC_ARN: ${JSON.stringify(e.TOPIC_ARN)} is not an SNS topic ARN`);
  failOnProblems(problems);
  return {
    settings: {
      database: e.DATABASE_ID,
      topology,
      replicaId,
      leaseSeconds: numbers['LOCK_LEASE_SECONDS'] as number,
      cooldownSeconds: numbers['COOLDOWN_SECONDS'] as number,
      maxLagSeconds: numbers['MAX_LAG_SECONDS'] as number,
      recordTtlSeconds: numbers['RECORD_TTL_SECONDS'] as number,
    },
    region: e.AWS_REGION,
    databaseRegion: e.DATABASE_REGION,
    drRegion,
    lockTable: e.LOCK_TABLE,
    hostedZoneId: e.HOSTED_ZONE_ID,
    recordName: e.RECORD_NAME,
    connectionSecretArn: e.CONNECTION_SECRET_ARN,
    fenceSecurityGroupId: e.FENCE_SECURITY_GROUP_ID === 'none' ? null : e.FENCE_SECURITY_GROUP_ID,
    topicArn: e.TOPIC_ARN,
    archiveBucket: e.ARCHIVE_BUCKET,
  };
}
