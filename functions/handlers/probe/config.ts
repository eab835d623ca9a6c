/** The probe λ's configuration, read from its environment at cold start, and its modes and targets. */
import type { DbEndpoint } from '../../adapters/pg/connect.ts';
import { parseEnv } from '../../contracts/env-schema.ts';
import { PROBE_ENV } from '../../contracts/env/probe.ts';
import type { PROBE_DEFAULTS } from '../../domain/probe/model.ts';

// The modes and targets are the probe's event (functions/contracts/events/probe.ts).
export { PROBE_MODES, type ProbeMode, type ProbeTarget, TARGETS } from '../../contracts/events/probe.ts';

/** A host and port of the database. */
export interface EndpointConfig {
  readonly host: string;
  readonly port: number;
}

/** The probe's configuration, from its environment. */
export interface ProbeConfig {
  readonly region: string;
  readonly databaseId: string;
  /** Database (name) the heartbeat table lives in, on the writer and the replica alike. */
  readonly databaseName: string;
  /** The Secrets Manager secret holding the login (JSON `username`, `password`, as RDS manages it). */
  readonly secretArn: string;
  readonly tls: DbEndpoint['tls'];
  readonly writer: EndpointConfig;
  /** The cross-region read replica, or null (`REPLICA_HOST=none`). */
  readonly replica: EndpointConfig | null;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly timeoutMs: number;
  readonly retentionSeconds: number;
  readonly pruneBatchSize: number;
  readonly replicaCatchUpMs: number;
}

/**
 * Reads and validates the probe's environment by its contract, PROBE_ENV in
 * functions/contracts/environment.ts (the writer's variables are named like the manifest λ's;
 * REPLICA_HOST is `none` without a cross-region replica, REPLICA_PORT required otherwise; the
 * tunables default to {@link PROBE_DEFAULTS}). Infra checks the same contract at synth.
 *
 * @throws ConfigurationError naming every missing or bad variable
 */
export function probeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProbeConfig {
  const e = parseEnv(PROBE_ENV, env);
  return {
    region: e.AWS_REGION,
    databaseId: e.DATABASE_ID,
    databaseName: e.DB_NAME,
    secretArn: e.DB_SECRET_ARN,
    tls: e.DB_TLS_MODE,
    writer: { host: e.DB_HOST, port: e.DB_PORT },
    replica: e.REPLICA_HOST === null || e.REPLICA_PORT === null ? null : { host: e.REPLICA_HOST, port: e.REPLICA_PORT },
    connectTimeoutMs: e.PROBE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: e.PROBE_STATEMENT_TIMEOUT_MS,
    timeoutMs: e.PROBE_TIMEOUT_MS,
    retentionSeconds: e.HEARTBEAT_RETENTION_SECONDS,
    pruneBatchSize: e.HEARTBEAT_PRUNE_BATCH,
    replicaCatchUpMs: e.REPLICA_CATCH_UP_MS,
  };
}
