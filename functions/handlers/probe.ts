/**
 * probe λ: writer health, write latency and the replica's heartbeat age, from inside the VPC.
 *
 * Modes (field `mode` of the event):
 * - `monitor` (EventBridge Scheduler, every minute): probe the writer, read the cross-region
 *   replica's newest heartbeat when one is configured, publish WriterHealthy, ProbeLatencyMs and
 *   ReplicaHeartbeatAgeSeconds with the Database dimension;
 * - `confirm` (failover workflow, before acting): the same measurements, returned only, so the
 *   state machine decides on a fresh probe rather than on the alarm that started it;
 * - `post-check` (failover workflow, after acting): probe the new writer (`target: "replica"`
 *   after a region promotion) and return the result.
 * A writer that is down is a result (`healthy: false`), never a throw; only a bad event, a bad
 * environment or unavailable credentials throw (typed, shared/errors.ts).
 *
 * Event: `{ "mode": "monitor" | "confirm" | "post-check", "target"?: "writer" | "replica", "executionArn"?: string }`.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DbEndpoint } from '../adapters/pg/connect.ts';
import { PgHeartbeatStore } from '../adapters/pg/heartbeat.ts';
import { SecretsManagerCredentials } from '../adapters/secrets/secrets-manager.ts';
import { measureReplicaHeartbeat, PROBE_DEFAULTS, probeWriter } from '../domain/probe.ts';
import type { ProbeClock, ProbeResult, ReplicaHeartbeat } from '../domain/probe.ts';
import type { CredentialsProvider, DatabaseCredentials } from '../ports/database-credentials.ts';
import type { HeartbeatStore } from '../ports/heartbeat-store.ts';
import { envInteger, failOnProblems, requireEnv } from '../shared/env.ts';
import { ConfigurationError } from '../shared/errors.ts';
import { METRICS } from '../shared/metric-names.ts';
import type { MetricName } from '../shared/metric-names.ts';
import { drHandler } from '../shared/handler.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { EventReader } from '../shared/validate.ts';

/** Why the probe runs; decides what it measures and whether it publishes. */
export type ProbeMode = 'monitor' | 'confirm' | 'post-check';
/** Which configured endpoint is probed as the writer. */
export type ProbeTarget = 'writer' | 'replica';

/** The modes, in the order error messages list them. */
export const PROBE_MODES: readonly ProbeMode[] = ['monitor', 'confirm', 'post-check'];
const TARGETS: readonly ProbeTarget[] = ['writer', 'replica'];
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

const config = probeConfigFromEnv();

/** Opens the heartbeat table of one endpoint with a login. */
export type StoreFactory = (login: DatabaseCredentials) => HeartbeatStore;

/** What the handler acts through; module-scope instances by default, injectable in tests. */
export interface ProbeDeps {
  /**
   * The login, read once per invocation before anything is measured: an unavailable secret is an
   * error of this function, not a "writer down", and a rotated password is picked up next minute.
   */
  readonly credentials: CredentialsProvider;
  /** The writer's heartbeat table. */
  readonly writer: StoreFactory;
  /** The cross-region replica's, or null when there is none. */
  readonly replica: StoreFactory | null;
  readonly clock: ProbeClock;
  /** Adds one metric value (with the Database dimension) to this invocation's EMF output. */
  readonly publish: (name: MetricName, value: number) => void;
}

function storeFor(endpoint: EndpointConfig): StoreFactory {
  return (login) => new PgHeartbeatStore({ ...endpoint, database: config.databaseName, tls: config.tls }, login);
}

const defaults: ProbeDeps = {
  credentials: new SecretsManagerCredentials(new SecretsManagerClient({ region: config.region }), config.secretArn),
  writer: storeFor(config.writer),
  replica: config.replica === null ? null : storeFor(config.replica),
  clock: {
    monotonicMs: () => performance.now(),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
  publish: (name, value) => {
    metrics.addMetric(name, METRICS[name], value);
  },
};

/** What the handler returns: the probe's result, flattened for the state machine's Choice states. */
export interface ProbeOutput extends ProbeResult {
  readonly mode: ProbeMode;
  readonly target: ProbeTarget;
  readonly database: string;
  /** `host:port/database` that was probed. */
  readonly endpoint: string;
  /** The replica's heartbeat age; null when there is no replica, or in `post-check` mode, or with `target: "replica"`. */
  readonly replica: ReplicaHeartbeat | null;
}

function label(endpoint: EndpointConfig | null): string {
  return endpoint === null ? 'none' : `${endpoint.host}:${endpoint.port}/${config.databaseName}`;
}

/**
 * Validates the event, probes, measures the replica where it applies, publishes in `monitor` mode.
 *
 * 1. Validate the event (mode; target only in confirm/post-check, and only to a configured replica).
 * 2. Read the login once: failing here throws (no metric), since nothing was learnt about the writer.
 * 3. Probe the target as a writer ({@link probeWriter}).
 * 4. Unless post-checking or probing the replica itself, read the replica's newest heartbeat, waiting
 *    briefly for the one just written ({@link measureReplicaHeartbeat}).
 * 5. `monitor`: publish WriterHealthy always, ProbeLatencyMs when healthy (a failure's wait is not a
 *    latency), ReplicaHeartbeatAgeSeconds when measured.
 * 6. Return the typed output.
 */
export async function core(event: unknown, deps: ProbeDeps = defaults): Promise<ProbeOutput> {
  const input = new EventReader(event);
  const mode = input.oneOf('mode', PROBE_MODES);
  const targetGiven = typeof event === 'object' && event !== null && (event as Record<string, unknown>)['target'] !== undefined;
  const target: ProbeTarget = targetGiven ? input.oneOf('target', TARGETS) : 'writer';
  // Checked only: the log key `executionArn` comes from the handler's middleware.
  input.optionalString('executionArn');
  input.done();
  if (target === 'replica' && mode === 'monitor') input.problems.push('target: "replica" is only for modes confirm and post-check; monitor probes the writer');
  if (target === 'replica' && deps.replica === null) input.problems.push('target: "replica", but no replica is configured (REPLICA_HOST=none)');
  input.done();

  const login = await deps.credentials.get();

  const endpoint = target === 'writer' ? config.writer : config.replica;
  const store = (target === 'writer' ? deps.writer : (deps.replica as StoreFactory))(login);
  const result = await probeWriter(
    store,
    {
      writer: `${mode} probe from ${config.region} to ${label(endpoint)}`,
      connectTimeoutMs: config.connectTimeoutMs,
      statementTimeoutMs: config.statementTimeoutMs,
      timeoutMs: config.timeoutMs,
      retentionSeconds: config.retentionSeconds,
      pruneBatchSize: config.pruneBatchSize,
    },
    deps.clock,
  );

  let replica: ReplicaHeartbeat | null = null;
  if (deps.replica !== null && target === 'writer' && mode !== 'post-check') {
    replica = await measureReplicaHeartbeat(
      deps.replica(login),
      {
        connectTimeoutMs: config.connectTimeoutMs,
        statementTimeoutMs: config.statementTimeoutMs,
        timeoutMs: config.timeoutMs,
        awaitHeartbeat: result.heartbeatAt,
        catchUpMs: config.replicaCatchUpMs,
        pollMs: PROBE_DEFAULTS.replicaPollMs,
      },
      deps.clock,
    );
  }

  if (mode === 'monitor') {
    deps.publish('WriterHealthy', result.healthy ? 1 : 0);
    if (result.latencyMs !== null) deps.publish('ProbeLatencyMs', result.latencyMs);
    if (replica?.ageSeconds != null) deps.publish('ReplicaHeartbeatAgeSeconds', replica.ageSeconds);
  }

  const output: ProbeOutput = { mode, target, database: config.databaseId, endpoint: label(endpoint), ...result, replica };
  if (!result.healthy) logger.error(`writer unhealthy: ${result.phase} failed after ${result.elapsedMs} ms`, { ...output });
  else if (result.error !== null) logger.warn(`writer healthy, but the prune failed: ${result.error.message}`, { ...output });
  else logger.info(`writer healthy: heartbeat committed in ${result.latencyMs} ms`, { ...output });
  if (replica?.error != null) logger.warn(`replica heartbeat not measured: ${replica.phase} failed`, { replica });
  return output;
}

/** The Lambda entry point (functions/shared/handler.ts); a scheduled run logs `executionArn: scheduled`. */
export const handler = drHandler({ name: 'probe', database: config.databaseId, executionArn: 'scheduled' }, (event) => core(event));
