/**
 * Writer probe and replica heartbeat age: the measurements behind "writer down" and the RPO of a
 * region failover.
 *
 * The probe runs every minute from the VPC, and the failover workflow runs it again to confirm a
 * writer is really down and, after acting, to check the new writer takes writes. It answers one
 * question, "can a new client connect to the writer and commit a write, and how long does that
 * take?", and it always answers: every failure becomes a result with `healthy: false` and the
 * phase that failed, never an exception, so WriterHealthy=0 is published exactly when it matters.
 *
 * Pure: the database sits behind the {@link HeartbeatStore} port, time behind {@link ProbeClock}.
 */

import type { HeartbeatReadSession, HeartbeatSession, HeartbeatStore, SessionTimeouts } from '../../ports/heartbeat-store.ts';
import { ProbeTimeoutError } from '../../shared/errors.ts';
import type { ProbeError, ProbePhase, ProbeResult, ReplicaHeartbeat } from './model.ts';

/** Settings of {@link probeWriter}. */
export interface ProbeRequest extends SessionTimeouts {
  /** Stored with every heartbeat row: who wrote it, through which endpoint, why. */
  readonly writer: string;
  /** Budget of the whole probe; when it runs out the phase in progress fails with ProbeTimeoutError. */
  readonly timeoutMs: number;
  /** Heartbeats older than this (by the server's clock) are pruned. */
  readonly retentionSeconds: number;
  /** At most this many rows pruned per probe. */
  readonly pruneBatchSize: number;
}

/** Time, injected: a monotonic clock for durations, the wall clock for ages, and a pause. */
export interface ProbeClock {
  /** Milliseconds from an arbitrary origin that never jumps (`performance.now()`). */
  monotonicMs(): number;
  /** The wall clock, comparable with the database's timestamps (both NTP-synchronised on AWS). */
  now(): Date;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** How long closing a session may take before the probe stops waiting for it. */
const CLOSE_GRACE_MS = 1_000;

const DOING: Record<ProbePhase, string> = {
  connect: 'connecting',
  prepare: 'checking the heartbeat table',
  write: 'writing the heartbeat',
  prune: 'pruning old heartbeats',
};

/** Reduces anything thrown to its name and message. */
export function describeError(error: unknown): ProbeError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * A time budget over port calls. The adapter has its own timeouts, but the probe must answer even
 * when an adapter does not honour them: whatever the port does, a call returns or fails with
 * ProbeTimeoutError by the deadline. A call that outlives it is left to finish in the background,
 * and a session it opens late is closed.
 */
class Budget {
  readonly #clock: ProbeClock;
  readonly #timeoutMs: number;
  readonly #deadline: number;

  constructor(clock: ProbeClock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#deadline = clock.monotonicMs() + timeoutMs;
  }

  remainingMs(): number {
    return this.#deadline - this.#clock.monotonicMs();
  }

  /**
   * Starts `step` unless the budget is spent, and settles by the deadline. `late` receives what the
   * step yields after the probe gave up on it (a session to close).
   */
  within<T>(step: () => Promise<T>, doing: string, late: (value: T) => unknown = () => undefined): Promise<T> {
    const timeout = (): ProbeTimeoutError =>
      new ProbeTimeoutError(`no answer within the probe's ${this.#timeoutMs} ms budget while ${doing}`);
    const remaining = this.remainingMs();
    if (remaining <= 0) return Promise.reject(timeout());
    // Through a promise, so a port that throws synchronously fails the step like one that rejects.
    const work = Promise.resolve().then(step);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Nobody awaits `work` any more: swallow its failure, release what it yields.
        work.then(late, () => undefined).catch(() => undefined);
        reject(timeout());
      }, remaining);
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

/** Closes a session without ever throwing, and without waiting more than CLOSE_GRACE_MS for it. */
async function closeQuietly(session: HeartbeatReadSession): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    session.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Probes the writer.
 *
 * 1. Connect, within the connect timeout (and the probe's budget).
 * 2. Prepare: create the heartbeat table if it is missing (a new or restored database).
 * 3. Write a heartbeat row carrying the writer identity and commit it; the server's `now()` comes back.
 * 4. Latency is measured here, end to end: connect + prepare + committed write, what a client sees.
 * 5. Prune heartbeats older than the retention window, a bounded batch at a time.
 * 6. Close the connection, always.
 *
 * Never throws: a failure in steps 1-3 gives `healthy: false` with its phase and error; a failure
 * in step 5 is reported with `healthy: true` (see {@link ProbeResult.healthy}).
 */
export async function probeWriter(store: Pick<HeartbeatStore, 'open'>, request: ProbeRequest, clock: ProbeClock): Promise<ProbeResult> {
  const started = clock.monotonicMs();
  const budget = new Budget(clock, request.timeoutMs);
  const timeouts: SessionTimeouts = { connectTimeoutMs: request.connectTimeoutMs, statementTimeoutMs: request.statementTimeoutMs };
  let phase: ProbePhase = 'connect';
  let session: HeartbeatSession | null = null;
  let tableCreated = false;
  let heartbeatAt: string | null = null;
  let latencyMs: number | null = null;
  const finish = (failed: ProbePhase | null, error: unknown, prunedRows: number | null): ProbeResult => ({
    healthy: failed === null || failed === 'prune',
    phase: failed,
    error: failed === null ? null : describeError(error),
    latencyMs,
    elapsedMs: roundMs(clock.monotonicMs() - started),
    heartbeatAt,
    tableCreated,
    prunedRows,
  });

  try {
    const open = await budget.within(() => store.open(timeouts), DOING.connect, (late) => closeQuietly(late));
    session = open;
    phase = 'prepare';
    tableCreated = await budget.within(() => open.ensureTable(), DOING.prepare);
    phase = 'write';
    heartbeatAt = await budget.within(() => open.write(request.writer), DOING.write);
    latencyMs = roundMs(clock.monotonicMs() - started);
    phase = 'prune';
    const pruned = await budget.within(() => open.prune(request.retentionSeconds, request.pruneBatchSize), DOING.prune);
    return finish(null, null, pruned);
  } catch (error) {
    return finish(phase, error, null);
  } finally {
    if (session !== null) await closeQuietly(session);
  }
}

/** Settings of {@link measureReplicaHeartbeat}. */
export interface ReplicaHeartbeatRequest extends SessionTimeouts {
  /** Budget of connect and reads, catch-up wait included. */
  readonly timeoutMs: number;
  /**
   * The heartbeat the probe just committed on the writer (its `heartbeatAt`), or null when the
   * write failed. When set, the replica is re-read until it shows this heartbeat or `catchUpMs`
   * runs out: the probe writes once a minute, so without waiting a replica lagging by milliseconds
   * would show the previous heartbeat and look a minute behind.
   */
  readonly awaitHeartbeat: string | null;
  /** How long to wait for `awaitHeartbeat` to arrive; 0 reads once. */
  readonly catchUpMs: number;
  /** Pause between reads while waiting. */
  readonly pollMs: number;
}

/**
 * The RPO of a region failover, as measured by heartbeats: how old the newest heartbeat the
 * replica has is, when it was read. Promoting the replica at `observedAt` would lose at most the
 * writes committed after `newest`, so this is an upper bound on the data lost, at the heartbeat's
 * resolution (a write per probe). While the writer is down no new heartbeat is written and the age
 * keeps growing: still an upper bound, and the honest one, since nothing proves what the writer
 * committed before it went silent.
 *
 * @param newest the replica's newest heartbeat (ISO 8601 with zone), or null when it has none
 * @param observedAt the probe's clock when the replica was read
 * @returns seconds at millisecond resolution, never negative (clock skew between the writer and
 *   the probe is clamped to 0); null when the replica has no heartbeat
 * @throws RangeError when `newest` is not a time
 */
export function replicaHeartbeatAgeSeconds(newest: string | null, observedAt: Date): number | null {
  if (newest === null) return null;
  const newestMs = Date.parse(newest);
  if (Number.isNaN(newestMs)) throw new RangeError(`replica heartbeat ${JSON.stringify(newest)} is not an ISO 8601 time`);
  return Math.max(0, observedAt.getTime() - newestMs) / 1000;
}

/** True when `seen` is at or after `awaited` (millisecond resolution). */
function reached(seen: string | null, awaited: string): boolean {
  return seen !== null && Date.parse(seen) >= Date.parse(awaited);
}

/**
 * Reads the replica's newest heartbeat and derives its age. Read-only: a read replica refuses writes.
 *
 * 1. Connect (read-only session), within the timeouts and the budget.
 * 2. Read the newest heartbeat, and note the probe's clock.
 * 3. While the heartbeat just written on the writer has not arrived and the catch-up window and
 *    budget allow, pause and read again.
 * 4. Derive the age from the last successful read ({@link replicaHeartbeatAgeSeconds}).
 * 5. Close the connection, always.
 *
 * Never throws: a failure to connect or to read at all is reported in `phase`/`error` with no age,
 * because an unreadable replica proves nothing about its lag. A failure during the catch-up
 * re-reads keeps the reading already made.
 */
export async function measureReplicaHeartbeat(
  store: Pick<HeartbeatStore, 'openReadOnly'>,
  request: ReplicaHeartbeatRequest,
  clock: ProbeClock,
): Promise<ReplicaHeartbeat> {
  const budget = new Budget(clock, request.timeoutMs);
  const timeouts: SessionTimeouts = { connectTimeoutMs: request.connectTimeoutMs, statementTimeoutMs: request.statementTimeoutMs };
  let phase: 'connect' | 'read' = 'connect';
  let session: HeartbeatReadSession | null = null;
  try {
    const open = await budget.within(() => store.openReadOnly(timeouts), DOING.connect, (late) => closeQuietly(late));
    session = open;
    phase = 'read';
    const read = (): Promise<string | null> => budget.within(() => open.newest(), 'reading the newest heartbeat');
    let newest = await read();
    let observedAt = clock.now();
    const catchUpUntil = clock.monotonicMs() + request.catchUpMs;
    const awaited = request.awaitHeartbeat;
    while (awaited !== null && !reached(newest, awaited)) {
      const pause = Math.min(request.pollMs, catchUpUntil - clock.monotonicMs(), budget.remainingMs());
      if (pause <= 0) break;
      await clock.sleep(pause);
      try {
        newest = await read();
        observedAt = clock.now();
      } catch {
        break;
      }
    }
    return { phase: null, error: null, newestHeartbeatAt: newest, ageSeconds: replicaHeartbeatAgeSeconds(newest, observedAt) };
  } catch (error) {
    return { phase, error: describeError(error), newestHeartbeatAt: null, ageSeconds: null };
  } finally {
    if (session !== null) await closeQuietly(session);
  }
}
