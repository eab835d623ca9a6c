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
 * Event: `{ "mode": "monitor" | "confirm" | "post-check", "target"?: "writer" | "replica", "executionArn"?: string }`
 * (PROBE_EVENT, functions/contracts/events/probe.ts).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PgHeartbeatStore } from '../../adapters/pg/heartbeat.ts';
import { SecretsManagerCredentials } from '../../adapters/secrets/secrets-manager.ts';
import { measureReplicaHeartbeat, probeWriter, type ProbeClock } from '../../domain/probe/heartbeat.ts';
import { PROBE_DEFAULTS, type ProbeResult, type ReplicaHeartbeat } from '../../domain/probe/model.ts';
import type { CredentialsProvider, DatabaseCredentials } from '../../ports/database-credentials.ts';
import type { HeartbeatStore } from '../../ports/heartbeat-store.ts';
import { METRICS, type MetricName } from '../../shared/metric-names.ts';
import { readProbeEvent } from '../../contracts/events/probe.ts';
import { drHandler } from '../../shared/handler.ts';
import { logger, metrics } from '../../shared/powertools.ts';
import { probeConfigFromEnv, type EndpointConfig, type ProbeMode, type ProbeTarget } from './config.ts';

export { PROBE_MODES, probeConfigFromEnv, type EndpointConfig, type ProbeConfig, type ProbeMode, type ProbeTarget } from './config.ts';

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
  publish: (name, value) => void metrics.addMetric(name, METRICS[name], value),
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
  // `executionArn` is checked only: the log key comes from the handler's middleware.
  const { mode, target } = readProbeEvent(event, deps.replica !== null);
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
