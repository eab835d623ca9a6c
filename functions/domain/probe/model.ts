/**
 * The probe's model: its default settings, its phases, and the results of a writer probe and of a
 * replica heartbeat read as the handler publishes them and a state machine routes on them. Types
 * and constants only; imports nothing.
 */

/**
 * Defaults of the probe's settings, applied in one place (the handler reads overrides from its
 * environment). Short timeouts: a writer that needs seconds to accept a connection is unhealthy
 * for its clients too, and the result must be known well inside the one-minute schedule.
 */
export const PROBE_DEFAULTS = {
  /** @default 3000 */
  connectTimeoutMs: 3_000,
  /** @default 2000 */
  statementTimeoutMs: 2_000,
  /** Budget of the whole probe, connect to prune. @default 8000 */
  timeoutMs: 8_000,
  /** Heartbeats are kept 7 days: enough to see when replication or the probe stopped. @default 604800 */
  retentionSeconds: 7 * 24 * 3600,
  /** At most this many rows deleted per probe. @default 1000 */
  pruneBatchSize: 1_000,
  /** How long to wait for the heartbeat just written to reach the replica. @default 2000 */
  replicaCatchUpMs: 2_000,
  /** Pause between replica reads while waiting. @default 200 */
  replicaPollMs: 200,
} as const;

/**
 * The steps of a probe, in order. `connect`, `prepare` (check or create the heartbeat table) and
 * `write` decide health; `prune` is housekeeping after the write has committed.
 */
export type ProbePhase = 'connect' | 'prepare' | 'write' | 'prune';

/** An error, reduced to what a JSON result (and a Step Functions Choice) can carry. */
export interface ProbeError {
  /** The error's class name, e.g. `SqlConnectionError`, `SqlQueryError`, `ProbeTimeoutError`. */
  readonly name: string;
  /** Its message (never contains credentials: the adapters do not put them in messages). */
  readonly message: string;
}

/** Outcome of `probeWriter` (heartbeat.ts). Every field is always present, so a state machine can read any of them. */
export interface ProbeResult {
  /**
   * True when the writer accepted a connection and committed a heartbeat. A failed prune leaves it
   * true: the writer took the write, and a housekeeping problem must not look like a dead writer
   * (WriterHealthy=0 may start an automatic failover).
   */
  readonly healthy: boolean;
  /** The phase that failed, or null when all succeeded. `prune` here comes with `healthy: true`. */
  readonly phase: ProbePhase | null;
  /** What went wrong in `phase`, or null. */
  readonly error: ProbeError | null;
  /** Milliseconds from starting to connect to the heartbeat's commit (0.1 ms resolution); null when not healthy. */
  readonly latencyMs: number | null;
  /** Milliseconds the whole probe took, including a failure's wait and the prune. */
  readonly elapsedMs: number;
  /** The committed heartbeat's `written_at` (the writer's `now()`, ISO 8601 UTC, microseconds), or null. */
  readonly heartbeatAt: string | null;
  /** True when this probe created the missing heartbeat table. */
  readonly tableCreated: boolean;
  /** Rows the prune deleted, or null when it did not run or failed. */
  readonly prunedRows: number | null;
}

/** Outcome of `measureReplicaHeartbeat` (heartbeat.ts). */
export interface ReplicaHeartbeat {
  /** The step that failed (`connect`, or `read` for the first read), or null. */
  readonly phase: 'connect' | 'read' | null;
  /** What went wrong, or null. */
  readonly error: ProbeError | null;
  /** The newest heartbeat on the replica (ISO 8601 UTC, microseconds), or null (none, or unreadable). */
  readonly newestHeartbeatAt: string | null;
  /** See `replicaHeartbeatAgeSeconds` (heartbeat.ts); null when there is nothing to measure. */
  readonly ageSeconds: number | null;
}

/**
 * The table the probe writes every minute (the manifest's `TableRef` shape). It is part of the schema (a restore that loses it is
 * wrong) but never counted: it gains a row a minute, so its count at capture time and in the
 * snapshot differ by design. Its newest row is recorded as `heartbeat.latestAt` instead.
 */
export const HEARTBEAT_TABLE: { readonly schema: string; readonly name: string } = { schema: 'dr', name: 'heartbeat' };
