/** The probe λ's configuration, read from its environment at cold start, and its modes and targets. */
import type { DbEndpoint } from '../../adapters/pg/connect.ts';
import { PROBE_DEFAULTS } from '../../domain/probe.ts';
import { envInteger, failOnProblems, requireEnv } from '../../shared/env.ts';

/** Why the probe runs; decides what it measures and whether it publishes. */
export type ProbeMode = 'monitor' | 'confirm' | 'post-check';
/** Which configured endpoint is probed as the writer. */
export type ProbeTarget = 'writer' | 'replica';

/** The modes, in the order error messages list them. */
export const PROBE_MODES: readonly ProbeMode[] = ['monitor', 'confirm', 'post-check'];
/** The targets. */
export const TARGETS: readonly ProbeTarget[] = ['writer', 'replica'];
const TLS_MODES: readonly DbEndpoint['tls'][] = ['verify-full', 'require', 'disable'];

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

/** Optional settings: variable, default (PROBE_DEFAULTS), allowed range. */
const TUNABLES = [
  ['PROBE_CONNECT_TIMEOUT_MS', 'connectTimeoutMs', 100, 60_000],
  ['PROBE_STATEMENT_TIMEOUT_MS', 'statementTimeoutMs', 100, 60_000],
  ['PROBE_TIMEOUT_MS', 'timeoutMs', 100, 120_000],
  // At least an hour: the retention must never reach the heartbeat a probe has just written.
  ['HEARTBEAT_RETENTION_SECONDS', 'retentionSeconds', 3_600, 366 * 24 * 3600],
  ['HEARTBEAT_PRUNE_BATCH', 'pruneBatchSize', 1, 100_000],
  ['REPLICA_CATCH_UP_MS', 'replicaCatchUpMs', 0, 30_000],
] as const;


/**
 * Reads and validates the probe's environment (the writer's variables are named like the manifest
 * λ's). Required: AWS_REGION, DATABASE_ID, DB_HOST, DB_PORT, DB_NAME, DB_SECRET_ARN, DB_TLS_MODE,
 * REPLICA_HOST (`none` when there is no cross-region replica) and REPLICA_PORT unless REPLICA_HOST
 * is `none`. Optional, with
 * {@link PROBE_DEFAULTS}: PROBE_CONNECT_TIMEOUT_MS, PROBE_STATEMENT_TIMEOUT_MS, PROBE_TIMEOUT_MS,
 * HEARTBEAT_RETENTION_SECONDS, HEARTBEAT_PRUNE_BATCH, REPLICA_CATCH_UP_MS.
 *
 * @throws ConfigurationError naming every missing or bad variable
 */
export function probeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProbeConfig {
  const required = requireEnv(
    ['AWS_REGION', 'DATABASE_ID', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_SECRET_ARN', 'DB_TLS_MODE', 'REPLICA_HOST'],
    env,
  );
  const problems: string[] = [];
  const tls = required.DB_TLS_MODE as DbEndpoint['tls'];
  if (!TLS_MODES.includes(tls)) problems.push(`DB_TLS_MODE: ${JSON.stringify(required.DB_TLS_MODE)} is not one of ${TLS_MODES.join(', ')}`);
  if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(required.DB_SECRET_ARN)) {
    problems.push(`DB_SECRET_ARN: ${JSON.stringify(required.DB_SECRET_ARN)} is not a Secrets Manager secret ARN`);
  }
  const writer = { host: required.DB_HOST, port: envInteger(required.DB_PORT, 'DB_PORT', 1, 65_535, problems) };
  let replica: EndpointConfig | null = null;
  if (required.REPLICA_HOST !== 'none') {
    const port = env['REPLICA_PORT'] ?? '';
    if (port === '') problems.push('REPLICA_PORT: required when REPLICA_HOST is set (use REPLICA_HOST=none when there is no replica)');
    else replica = { host: required.REPLICA_HOST, port: envInteger(port, 'REPLICA_PORT', 1, 65_535, problems) };
  }
  const tunables = Object.fromEntries(
    TUNABLES.map(([name, key, min, max]) => {
      const value = env[name] ?? '';
      return [key, value === '' ? PROBE_DEFAULTS[key] : envInteger(value, name, min, max, problems)];
    }),
  ) as Record<(typeof TUNABLES)[number][1], number>;
  failOnProblems(problems);
  return {
    region: required.AWS_REGION,
    databaseId: required.DATABASE_ID,
    databaseName: required.DB_NAME,
    secretArn: required.DB_SECRET_ARN,
    tls,
    writer,
    replica,
    ...tunables,
  };
}
