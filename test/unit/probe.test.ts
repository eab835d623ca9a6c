import { describe, expect, it, vi } from 'vitest';
import { describeError, measureReplicaHeartbeat, probeWriter, replicaHeartbeatAgeSeconds } from '../../functions/domain/probe/heartbeat.ts';
import { PROBE_DEFAULTS } from '../../functions/domain/probe/model.ts';
import type { ProbeClock, ProbeRequest, ReplicaHeartbeatRequest } from '../../functions/domain/probe/heartbeat.ts';
import type { HeartbeatSession, HeartbeatStore } from '../../functions/ports/heartbeat-store.ts';
import { SqlConnectionError, SqlQueryError } from '../../functions/shared/errors.ts';
import { MemoryHeartbeats } from '../support/memory-heartbeats.ts';
import type { HeartbeatStep } from '../support/memory-heartbeats.ts';

/** A clock that moves only when told to; `sleep` moves it and returns at once. */
class FakeClock implements ProbeClock {
  mono = 1_000;
  wall = new Date('2026-11-29T02:00:30.000Z').getTime();
  readonly sleeps: number[] = [];
  monotonicMs(): number {
    return this.mono;
  }
  now(): Date {
    return new Date(this.wall);
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.advance(ms);
  }
  advance(ms: number): void {
    this.mono += ms;
    this.wall += ms;
  }
}

const REQUEST: ProbeRequest = {
  writer: 'monitor probe from eu-west-1 to writer:5432/swifteats',
  connectTimeoutMs: 3_000,
  statementTimeoutMs: 2_000,
  timeoutMs: 8_000,
  retentionSeconds: 3_600,
  pruneBatchSize: 2,
};

/** What each step costs on the fake clock: a connect is slow, a statement fast. */
const COSTS: Record<HeartbeatStep, number> = { open: 5.25, ensureTable: 1, write: 3, prune: 2, newest: 1 };

function setup(costs: Partial<Record<HeartbeatStep, number>> = COSTS): { store: MemoryHeartbeats; clock: FakeClock } {
  const store = new MemoryHeartbeats();
  const clock = new FakeClock();
  store.onStep = (step) => clock.advance(costs[step] ?? 0);
  return { store, clock };
}

describe('replicaHeartbeatAgeSeconds', () => {
  it.each([
    ['the newest heartbeat 90.25 s before the read', '2026-11-29T02:00:00.250000Z', '2026-11-29T02:01:30.500Z', 90.25],
    ['a heartbeat read the moment it was written', '2026-11-29T02:00:00.000000Z', '2026-11-29T02:00:00.000Z', 0],
    ['a zone offset', '2026-11-29T03:00:00+01:00', '2026-11-29T02:00:05.000Z', 5],
    ['microseconds (truncated to the millisecond)', '2026-11-29T02:00:00.000999Z', '2026-11-29T02:00:01.000Z', 1],
    ['a heartbeat stamped ahead of the probe clock (skew), clamped', '2026-11-29T02:00:02.000000Z', '2026-11-29T02:00:00.000Z', 0],
  ])('%s', (_, newest, observedAt, age) => {
    expect(replicaHeartbeatAgeSeconds(newest, new Date(observedAt))).toBe(age);
  });

  it('has no age when the replica has no heartbeat', () => {
    expect(replicaHeartbeatAgeSeconds(null, new Date('2026-11-29T02:00:00Z'))).toBeNull();
  });

  it('refuses a value that is not a time', () => {
    expect(() => replicaHeartbeatAgeSeconds('yesterday', new Date('2026-11-29T02:00:00Z'))).toThrow(
      new RangeError('replica heartbeat "yesterday" is not an ISO 8601 time'),
    );
  });
});

describe('describeError', () => {
  it('keeps the class name and message of an error, and stringifies anything else', () => {
    expect(describeError(new SqlQueryError('writing: permission denied (SQLSTATE 42501)', '42501'))).toEqual({
      name: 'SqlQueryError',
      message: 'writing: permission denied (SQLSTATE 42501)',
    });
    expect(describeError('socket hang up')).toEqual({ name: 'Error', message: 'socket hang up' });
  });
});

describe('probeWriter', () => {
  it('connects, creates the missing table, writes, measures the latency up to the commit, prunes and closes', async () => {
    // Prepare
    const { store, clock } = setup();

    // Act
    const result = await probeWriter(store, REQUEST, clock);

    // Assess
    expect(result).toEqual({
      healthy: true,
      phase: null,
      error: null,
      latencyMs: 9.3,
      elapsedMs: 11.3,
      heartbeatAt: '2026-11-29T02:00:00.000000Z',
      tableCreated: true,
      prunedRows: 0,
    });
    expect(store.calls).toEqual(['open', 'ensureTable', 'write', 'prune', 'close']);
    expect(store.opened).toEqual([{ connectTimeoutMs: 3_000, statementTimeoutMs: 2_000 }]);
    expect(store.rows).toEqual([{ writtenAt: '2026-11-29T02:00:00.000000Z', writer: REQUEST.writer }]);
  });

  it('prunes with the retention window and the batch size of the request', async () => {
    // Prepare: three rows past the one-hour window, one inside; batches of two.
    const { store, clock } = setup();
    store.rows = ['2026-11-29T00:00:00.000000Z', '2026-11-29T00:30:00.000000Z', '2026-11-29T00:59:00.000000Z', '2026-11-29T01:30:00.000000Z'].map(
      (writtenAt) => ({ writtenAt, writer: 'old' }),
    );

    // Act
    const result = await probeWriter(store, REQUEST, clock);

    // Assess
    expect(result).toMatchObject({ healthy: true, tableCreated: false, prunedRows: 2 });
    expect(store.rows?.map((row) => row.writtenAt)).toEqual(['2026-11-29T00:59:00.000000Z', '2026-11-29T01:30:00.000000Z', '2026-11-29T02:00:00.000000Z']);
  });

  it.each([
    ['open', 'connect', new SqlConnectionError('connect to writer:5432/swifteats: connect ECONNREFUSED 10.0.0.5:5432'), ['open']],
    ['ensureTable', 'prepare', new SqlQueryError('creating dr.heartbeat: permission denied for database swifteats (SQLSTATE 42501)', '42501'), ['open', 'ensureTable', 'close']],
    ['write', 'write', new SqlQueryError('writing a heartbeat: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)', '25006'), ['open', 'ensureTable', 'write', 'close']],
  ] as const)('a failure in %s is an unhealthy result in phase %s, never a throw, and the session is closed', async (step, phase, error, calls) => {
    // Prepare
    const { store, clock } = setup();
    store.faults.set(step, error);

    // Act
    const result = await probeWriter(store, REQUEST, clock);

    // Assess
    expect(result).toMatchObject({ healthy: false, phase, error: { name: error.name, message: error.message }, latencyMs: null, heartbeatAt: null, prunedRows: null });
    expect(store.calls).toEqual(calls);
  });

  it('stays healthy when only the prune fails, with the latency of the committed write', async () => {
    // Prepare
    const { store, clock } = setup();
    store.faults.set('prune', new SqlQueryError('pruning heartbeats: permission denied for table heartbeat (SQLSTATE 42501)', '42501'));

    // Act
    const result = await probeWriter(store, REQUEST, clock);

    // Assess
    expect(result).toEqual({
      healthy: true,
      phase: 'prune',
      error: { name: 'SqlQueryError', message: 'pruning heartbeats: permission denied for table heartbeat (SQLSTATE 42501)' },
      latencyMs: 9.3,
      elapsedMs: 11.3,
      heartbeatAt: '2026-11-29T02:00:00.000000Z',
      tableCreated: true,
      prunedRows: null,
    });
    expect(store.calls.at(-1)).toBe('close');
  });

  it('turns a store that throws synchronously, or throws a non-error, into a connect failure', async () => {
    // Prepare
    const clock = new FakeClock();
    const throwing: Pick<HeartbeatStore, 'open'> = {
      open: () => {
        throw 'ENOTFOUND writer.internal';
      },
    };

    // Act
    const result = await probeWriter(throwing, REQUEST, clock);

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'connect', error: { name: 'Error', message: 'ENOTFOUND writer.internal' } });
  });

  it('answers by its budget when a step never settles, names the phase, and closes the session', async () => {
    // Prepare: a real 30 ms budget; the write hangs for ever.
    const { store, clock } = setup();
    store.faults.set('write', 'hang');

    // Act
    const result = await probeWriter(store, { ...REQUEST, timeoutMs: 30 }, clock);

    // Assess
    expect(result).toMatchObject({
      healthy: false,
      phase: 'write',
      error: { name: 'ProbeTimeoutError', message: "no answer within the probe's 30 ms budget while writing the heartbeat" },
    });
    expect(store.calls).toEqual(['open', 'ensureTable', 'write', 'close']);
  });

  it('does not start a step once the budget is spent', async () => {
    // Prepare: checking the table takes longer than the whole budget.
    const { store, clock } = setup({ open: 5.3, ensureTable: 9_000 });

    // Act
    const result = await probeWriter(store, REQUEST, clock);

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'write', error: { name: 'ProbeTimeoutError' }, elapsedMs: 9_005.3 });
    expect(store.calls).toEqual(['open', 'ensureTable', 'close']);
    expect(store.rows).toEqual([]);
  });

  it('closes a session that opens after the budget ran out', async () => {
    // Prepare: the connect completes only after the probe has given up on it.
    const clock = new FakeClock();
    const close = vi.fn(async () => undefined);
    let connect: (session: HeartbeatSession) => void = () => undefined;
    const slow: Pick<HeartbeatStore, 'open'> = { open: () => new Promise((resolve) => (connect = resolve)) };

    // Act
    const result = await probeWriter(slow, { ...REQUEST, timeoutMs: 20 }, clock);
    connect({ ...new MemoryHeartbeats(), close } as unknown as HeartbeatSession);

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'connect', error: { name: 'ProbeTimeoutError' } });
    await vi.waitFor(() => expect(close).toHaveBeenCalledTimes(1), { timeout: 1_000, interval: 5 });
  });

  it('does not wait for ever on a close that never completes', async () => {
    // Prepare
    const { store, clock } = setup();
    const open = store.open.bind(store);
    const hangingClose: Pick<HeartbeatStore, 'open'> = {
      open: async (timeouts) => ({ ...(await open(timeouts)), close: () => new Promise<void>(() => undefined) }),
    };

    // Act
    const started = performance.now();
    const result = await probeWriter(hangingClose, REQUEST, clock);
    const ms = performance.now() - started;

    // Assess: the close grace is one second.
    expect(result.healthy).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(995);
    expect(ms).toBeLessThan(1_750);
  });

  it('has defaults that fit the one-minute schedule', () => {
    expect(PROBE_DEFAULTS.connectTimeoutMs + 3 * PROBE_DEFAULTS.statementTimeoutMs).toBeLessThan(60_000);
    expect(PROBE_DEFAULTS.timeoutMs + PROBE_DEFAULTS.timeoutMs).toBeLessThan(60_000);
  });
});

describe('measureReplicaHeartbeat', () => {
  const READ: ReplicaHeartbeatRequest = {
    connectTimeoutMs: 3_000,
    statementTimeoutMs: 2_000,
    timeoutMs: 8_000,
    awaitHeartbeat: null,
    catchUpMs: 1_000,
    pollMs: 200,
  };
  const OLD = '2026-11-29T01:59:00.000000Z';
  const JUST_WRITTEN = '2026-11-29T02:00:30.000000Z';

  function replicaWith(...writtenAt: string[]): { store: MemoryHeartbeats; clock: FakeClock } {
    const { store, clock } = setup({ open: 5, newest: 1 });
    store.rows = writtenAt.map((at) => ({ writtenAt: at, writer: 'monitor' }));
    return { store, clock };
  }

  it('reads once when no heartbeat is awaited, and measures against the probe clock at the read', async () => {
    // Prepare
    const { store, clock } = replicaWith(OLD);

    // Act
    const replica = await measureReplicaHeartbeat(store, READ, clock);

    // Assess: the clock was 02:00:30 plus 6 ms of connect and read.
    expect(replica).toEqual({ phase: null, error: null, newestHeartbeatAt: OLD, ageSeconds: 90.006 });
    expect(store.calls).toEqual(['open', 'newest', 'close']);
    expect(clock.sleeps).toEqual([]);
  });

  it('re-reads until the heartbeat just written arrives, and measures from it', async () => {
    // Prepare: replication delivers the new heartbeat before the third read.
    const { store, clock } = replicaWith(OLD);
    let reads = 0;
    store.onStep = (step) => {
      clock.advance(1);
      if (step === 'newest' && ++reads === 3) store.rows?.push({ writtenAt: JUST_WRITTEN, writer: 'monitor' });
    };

    // Act
    const replica = await measureReplicaHeartbeat(store, { ...READ, awaitHeartbeat: JUST_WRITTEN }, clock);

    // Assess
    expect(replica).toEqual({ phase: null, error: null, newestHeartbeatAt: JUST_WRITTEN, ageSeconds: 0.404 });
    expect(clock.sleeps).toEqual([200, 200]);
  });

  it('stops at the catch-up window, the last pause cut to fit, and keeps the older heartbeat', async () => {
    // Prepare
    const { store, clock } = replicaWith(OLD);

    // Act
    const replica = await measureReplicaHeartbeat(store, { ...READ, awaitHeartbeat: JUST_WRITTEN, catchUpMs: 500 }, clock);

    // Assess: pauses of 200 + 1 ms read, 200 + 1, then the 98 ms left, then a last 1 ms read;
    // read at 02:00:30 + 5 ms connect + 1 ms first read + 501 ms.
    expect(clock.sleeps).toEqual([200, 200, 98]);
    expect(replica).toEqual({ phase: null, error: null, newestHeartbeatAt: OLD, ageSeconds: 90.507 });
  });

  it('keeps the first reading when a re-read fails', async () => {
    // Prepare
    const { store, clock } = replicaWith(OLD);
    let reads = 0;
    store.onStep = (step) => {
      if (step === 'newest' && ++reads === 2) store.faults.set('newest', new SqlConnectionError('reading the heartbeat: Connection terminated unexpectedly'));
    };

    // Act
    const replica = await measureReplicaHeartbeat(store, { ...READ, awaitHeartbeat: JUST_WRITTEN }, clock);

    // Assess
    expect(replica).toEqual({ phase: null, error: null, newestHeartbeatAt: OLD, ageSeconds: 90 });
    expect(store.calls).toEqual(['open', 'newest', 'newest', 'close']);
  });

  it.each([
    ['open', 'connect', ['open']],
    ['newest', 'read', ['open', 'newest', 'close']],
  ] as const)('reports a failure to %s in phase %s, with no age', async (step, phase, calls) => {
    // Prepare
    const { store, clock } = replicaWith(OLD);
    store.faults.set(step, new SqlConnectionError(`${step}: timeout expired`));

    // Act
    const replica = await measureReplicaHeartbeat(store, READ, clock);

    // Assess
    expect(replica).toEqual({ phase, error: { name: 'SqlConnectionError', message: `${step}: timeout expired` }, newestHeartbeatAt: null, ageSeconds: null });
    expect(store.calls).toEqual(calls);
  });

  it('reports a replica without heartbeats as unmeasured, not as failed', async () => {
    // Prepare
    const { store, clock } = replicaWith();
    store.rows = null;

    // Act
    const replica = await measureReplicaHeartbeat(store, { ...READ, catchUpMs: 0, awaitHeartbeat: JUST_WRITTEN }, clock);

    // Assess
    expect(replica).toEqual({ phase: null, error: null, newestHeartbeatAt: null, ageSeconds: null });
  });

  it('answers by its budget when the read hangs', async () => {
    // Prepare
    const { store, clock } = replicaWith(OLD);
    store.faults.set('newest', 'hang');

    // Act
    const replica = await measureReplicaHeartbeat(store, { ...READ, timeoutMs: 25 }, clock);

    // Assess
    expect(replica).toEqual({
      phase: 'read',
      error: { name: 'ProbeTimeoutError', message: "no answer within the probe's 25 ms budget while reading the newest heartbeat" },
      newestHeartbeatAt: null,
      ageSeconds: null,
    });
    expect(store.closed).toBe(1);
  });
});
