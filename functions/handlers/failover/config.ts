/**
 * The failover λ's configuration, read from its environment at cold start, and what its actions act
 * through (functions/handlers/failover/index.ts builds both).
 */
import type { FailoverPorts, FailoverSettings } from '../../domain/failover/dependencies.ts';
import { parseEnv } from '../../contracts/env-schema.ts';
import { FAILOVER_ENV } from '../../contracts/env/failover.ts';

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

/**
 * Reads and validates the environment by its contract (FAILOVER_ENV in functions/contracts/environment.ts,
 * which infra also checks at synth).
 *
 * @throws ConfigurationError naming every missing or bad variable
 */
export function failoverConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FailoverConfig {
  const e = parseEnv(FAILOVER_ENV, env);
  return {
    settings: {
      database: e.DATABASE_ID,
      topology: e.TOPOLOGY,
      replicaId: e.REPLICA_ID,
      leaseSeconds: e.LOCK_LEASE_SECONDS,
      cooldownSeconds: e.COOLDOWN_SECONDS,
      maxLagSeconds: e.MAX_LAG_SECONDS,
      recordTtlSeconds: e.RECORD_TTL_SECONDS,
    },
    region: e.AWS_REGION,
    databaseRegion: e.DATABASE_REGION,
    drRegion: e.DR_REGION,
    lockTable: e.LOCK_TABLE,
    hostedZoneId: e.HOSTED_ZONE_ID,
    recordName: e.RECORD_NAME,
    connectionSecretArn: e.CONNECTION_SECRET_ARN,
    fenceSecurityGroupId: e.FENCE_SECURITY_GROUP_ID,
    topicArn: e.TOPIC_ARN,
    archiveBucket: e.ARCHIVE_BUCKET,
  };
}
