import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { escapeIdentifier } from 'pg';
import type { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentCredentials } from '../../functions/adapters/env/credentials.ts';
import { PgHeartbeatStore } from '../../functions/adapters/pg/heartbeat.ts';
import type { PgHeartbeatEndpoint } from '../../functions/adapters/pg/heartbeat.ts';
import { HEARTBEAT_TABLE_DDL } from '../../functions/adapters/pg/heartbeat-table.ts';
import { measureReplicaHeartbeat, probeWriter } from '../../functions/domain/probe/heartbeat.ts';
import type { ProbeClock, ProbeRequest, ReplicaHeartbeatRequest } from '../../functions/domain/probe/heartbeat.ts';
import type { ProbeDeps } from '../../functions/handlers/probe/index.ts';
import type { DatabaseCredentials } from '../../functions/ports/database-credentials.ts';
import type { MetricName } from '../../functions/shared/metric-names.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { createTempDatabase, TEST_SERVER, withServerClient } from '../support/pg.ts';
import type { TempDatabase } from '../support/pg.ts';

const HOST = String(TEST_SERVER.host);
const PORT = Number(TEST_SERVER.port);
const LOGIN: DatabaseCredentials = { username: String(TEST_SERVER.user), password: 'unused-with-trust-auth' };

/** The system clock, as the handler wires it. */
const CLOCK: ProbeClock = {
  monotonicMs: () => performance.now(),
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const REQUEST: ProbeRequest = {
  writer: 'monitor probe from eu-west-1 to test',
  connectTimeoutMs: 2_000,
  statementTimeoutMs: 2_000,
  timeoutMs: 8_000,
  retentionSeconds: 3_600,
  pruneBatchSize: 1_000,
};

/** Scheduler and timer slack allowed on top of a configured timeout. */
const MARGIN_MS = 750;

function storeOn(database: string, port = PORT, login: DatabaseCredentials = LOGIN): PgHeartbeatStore {
  const endpoint: PgHeartbeatEndpoint = { host: HOST, port, database, tls: 'disable' };
  return new PgHeartbeatStore(endpoint, login);
}

const databases: TempDatabase[] = [];
async function database(label: string, ...sql: string[]): Promise<{ db: TempDatabase; client: Client }> {
  const db = await createTempDatabase(`probe_${label}`);
  databases.push(db);
  const client = await db.connect();
  for (const statement of sql) await client.query(statement);
  return { db, client };
}
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

async function heartbeatRows(client: Client): Promise<{ writer: string; written_at: string }[]> {
  const result = await client.query<{ writer: string; written_at: string }>(
    `SELECT writer, to_char(written_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS written_at
       FROM dr.heartbeat ORDER BY written_at, id`,
  );
  return result.rows;
}

/** Rows written `minutes` ago by the server's clock, oldest first, each labelled with its age. */
function insertAged(minutes: readonly number[]): string {
  const values = minutes.map((m) => `(now() - interval '${m} minutes', 'aged ${m}m')`).join(', ');
  return `INSERT INTO dr.heartbeat (written_at, writer) VALUES ${values}`;
}

/** Resolves when `promise` does, fails the test when it takes longer than `ms` (no test ever hangs). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * A TCP server standing in for a broken PostgreSQL:
 * - `silent`: accepts the connection and never reads nor answers;
 * - `startup-then-silent`: reads the client's first packet (startup or SSLRequest), answers nothing;
 * - `ready-then-silent`: completes the startup (AuthenticationOk, ReadyForQuery), then answers no query.
 */
interface FakeServer {
  readonly port: number;
  /** Every byte each connection sent, in order of connection. */
  readonly received: Buffer[];
  /**
   * Resolves when the n-th connection (1-based) has been closed by the client. A `silent` socket
   * starts reading here: only by reading does a server see the client's FIN.
   */
  closed(n: number): Promise<void>;
  stop(): Promise<void>;
}

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const PROTOCOL_3 = 196_608;
const SSL_REQUEST = 80_877_103;

async function fakeServer(behaviour: 'silent' | 'startup-then-silent' | 'ready-then-silent'): Promise<FakeServer> {
  const sockets: Socket[] = [];
  const received: Buffer[] = [];
  const closings: Promise<void>[] = [];
  const waiters: ((closing: Promise<void>) => void)[] = [];
  const server: Server = createServer((socket) => {
    const index = sockets.push(socket) - 1;
    received[index] = Buffer.alloc(0);
    socket.on('error', () => undefined);
    const closing = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    closings[index] = closing;
    waiters[index]?.(closing);
    if (behaviour === 'silent') {
      socket.pause();
      return;
    }
    let answered = false;
    socket.on('data', (data) => {
      received[index] = Buffer.concat([received[index] ?? Buffer.alloc(0), data]);
      if (behaviour === 'ready-then-silent' && !answered && data.length >= 8 && data.readInt32BE(4) === PROTOCOL_3) {
        answered = true;
        socket.write(Buffer.concat([message('R', Buffer.from([0, 0, 0, 0])), message('Z', Buffer.from('I'))]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    received,
    closed: (n) => {
      sockets[n - 1]?.resume();
      return closings[n - 1] ?? new Promise<void>((resolve) => (waiters[n - 1] = (closing) => void closing.then(resolve)));
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 with nothing listening: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('probeWriter against PostgreSQL: heartbeat', () => {
  it('creates the missing heartbeat table and commits a heartbeat carrying the writer identity and the server time', async () => {
    // Prepare
    const { db, client } = await database('create');

    // Act
    const before = (await client.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]?.t as Date;
    const result = await probeWriter(storeOn(db.name), REQUEST, CLOCK);
    const after = (await client.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]?.t as Date;

    // Assess
    expect(result).toMatchObject({ healthy: true, phase: null, error: null, tableCreated: true, prunedRows: 0 });
    expect(await heartbeatRows(client)).toEqual([{ writer: 'monitor probe from eu-west-1 to test', written_at: result.heartbeatAt }]);
    expect(result.heartbeatAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    const at = Date.parse(result.heartbeatAt as string);
    expect(at).toBeGreaterThanOrEqual(Math.floor(before.getTime()));
    expect(at).toBeLessThanOrEqual(after.getTime());
    const index = await client.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'dr' ORDER BY indexname");
    expect(index.rows.map((row) => row.indexname)).toEqual(['heartbeat_pkey', 'heartbeat_written_at_idx']);
  });

  it('reuses an existing table: a second probe adds one row and creates nothing', async () => {
    // Prepare
    const { db, client } = await database('reuse');
    const first = await probeWriter(storeOn(db.name), REQUEST, CLOCK);

    // Act
    const second = await probeWriter(storeOn(db.name), { ...REQUEST, writer: 'confirm probe' }, CLOCK);

    // Assess
    expect(first.tableCreated).toBe(true);
    expect(second).toMatchObject({ healthy: true, tableCreated: false, prunedRows: 0 });
    expect((await heartbeatRows(client)).map((row) => row.writer)).toEqual(['monitor probe from eu-west-1 to test', 'confirm probe']);
  });

  it('lets concurrent probes race to create the table: both healthy, one creator, two rows', async () => {
    // Prepare
    const { db, client } = await database('race');

    // Act
    const results = await Promise.all([probeWriter(storeOn(db.name), REQUEST, CLOCK), probeWriter(storeOn(db.name), REQUEST, CLOCK)]);

    // Assess
    expect(results.map((r) => r.healthy)).toEqual([true, true]);
    expect(results.filter((r) => r.tableCreated)).toHaveLength(1);
    expect(await heartbeatRows(client)).toHaveLength(2);
  });

  it('measures latency end to end: above zero, within the elapsed time, and what the caller waited', async () => {
    // Prepare
    const { db } = await database('latency', HEARTBEAT_TABLE_DDL);

    // Act
    const { value: result, ms } = await timed(() => probeWriter(storeOn(db.name), REQUEST, CLOCK));

    // Assess
    expect(result.healthy).toBe(true);
    const latency = result.latencyMs as number;
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThanOrEqual(result.elapsedMs);
    expect(result.elapsedMs).toBeLessThanOrEqual(Math.ceil(ms));
    expect(latency).toBeLessThan(REQUEST.timeoutMs);
  });
});

describe('probeWriter against PostgreSQL: pruning', () => {
  it('keeps only the retention window: older rows deleted, newer rows and the new heartbeat kept', async () => {
    // Prepare: five rows past the one-hour window, three inside it.
    const { db, client } = await database('prune', HEARTBEAT_TABLE_DDL, insertAged([300, 180, 120, 62, 61, 59, 30, 1]));

    // Act
    const result = await probeWriter(storeOn(db.name), { ...REQUEST, retentionSeconds: 3_600 }, CLOCK);

    // Assess
    expect(result).toMatchObject({ healthy: true, phase: null, prunedRows: 5 });
    expect((await heartbeatRows(client)).map((row) => row.writer)).toEqual(['aged 59m', 'aged 30m', 'aged 1m', REQUEST.writer]);
  });

  it('prunes a bounded batch per probe, oldest first, until the backlog is gone', async () => {
    // Prepare
    const { db, client } = await database('batch', HEARTBEAT_TABLE_DDL, insertAged([300, 240, 180, 120, 90, 10]));
    const request = { ...REQUEST, retentionSeconds: 3_600, pruneBatchSize: 2 };

    // Act
    const pruned: (number | null)[] = [];
    const remaining: string[][] = [];
    for (let run = 0; run < 4; run += 1) {
      pruned.push((await probeWriter(storeOn(db.name), { ...request, writer: `run ${run}` }, CLOCK)).prunedRows);
      remaining.push((await heartbeatRows(client)).map((row) => row.writer));
    }

    // Assess
    expect(pruned).toEqual([2, 2, 1, 0]);
    expect(remaining).toEqual([
      ['aged 180m', 'aged 120m', 'aged 90m', 'aged 10m', 'run 0'],
      ['aged 90m', 'aged 10m', 'run 0', 'run 1'],
      ['aged 10m', 'run 0', 'run 1', 'run 2'],
      ['aged 10m', 'run 0', 'run 1', 'run 2', 'run 3'],
    ]);
  });
});

describe('probeWriter against PostgreSQL: a writer that refuses', () => {
  it('reports a refused connection as unhealthy in phase connect, well within the connect timeout', async () => {
    // Prepare
    const port = await closedPort();

    // Act
    const { value: result, ms } = await timed(() => probeWriter(storeOn('test', port), REQUEST, CLOCK));

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'connect', latencyMs: null, heartbeatAt: null, tableCreated: false, prunedRows: null });
    expect(result.error).toEqual({ name: 'SqlConnectionError', message: `connect to ${HOST}:${port}/test: connect ECONNREFUSED ${HOST}:${port}` });
    expect(ms).toBeLessThan(REQUEST.connectTimeoutMs);
  });

  it('reports a read-only endpoint (a demoted writer, or DNS still on a replica) as unhealthy in phase write', async () => {
    // Prepare
    const { db } = await database('readonly', HEARTBEAT_TABLE_DDL);
    await withServerClient((admin) => admin.query(`ALTER DATABASE ${escapeIdentifier(db.name)} SET default_transaction_read_only = on`));

    // Act
    const result = await probeWriter(storeOn(db.name), REQUEST, CLOCK);

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'write', heartbeatAt: null, latencyMs: null });
    expect(result.error).toEqual({
      name: 'SqlQueryError',
      message: `writing a heartbeat on ${HOST}:${PORT}/${db.name}: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)`,
    });
  });
});

describe('probeWriter against PostgreSQL: a login without every privilege', () => {
  const role = `dr_test_probe_${process.pid}_${Date.now()}`;
  beforeAll(async () => {
    await withServerClient((admin) => admin.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN`));
  });
  afterAll(async () => {
    await withServerClient((admin) => admin.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`));
  });
  const asRole: DatabaseCredentials = { username: role, password: 'unused-with-trust-auth' };

  it('stays healthy when only the prune fails: the write committed, so the writer is not down', async () => {
    // Prepare: the role may insert heartbeats but not delete them; one row is past the window.
    const { db, client } = await database(
      'noprune',
      HEARTBEAT_TABLE_DDL,
      insertAged([120]),
      `GRANT USAGE ON SCHEMA dr TO ${escapeIdentifier(role)}`,
      `GRANT SELECT, INSERT ON dr.heartbeat TO ${escapeIdentifier(role)}`,
      `GRANT USAGE ON SEQUENCE dr.heartbeat_id_seq TO ${escapeIdentifier(role)}`,
    );

    // Act
    const result = await probeWriter(storeOn(db.name, PORT, asRole), REQUEST, CLOCK);

    // Assess
    expect(result).toMatchObject({ healthy: true, phase: 'prune', prunedRows: null, tableCreated: false });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.error).toEqual({
      name: 'SqlQueryError',
      message: `pruning heartbeats on ${HOST}:${PORT}/${db.name}: permission denied for table heartbeat (SQLSTATE 42501)`,
    });
    expect((await heartbeatRows(client)).map((row) => row.writer)).toEqual(['aged 120m', REQUEST.writer]);
  });

  it('is unhealthy in phase prepare when the table is missing and the login may not create it', async () => {
    // Prepare
    const { db, client } = await database('nocreate');

    // Act
    const result = await probeWriter(storeOn(db.name, PORT, asRole), REQUEST, CLOCK);

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'prepare', tableCreated: false });
    expect(result.error).toEqual({
      name: 'SqlQueryError',
      message: `creating dr.heartbeat on ${HOST}:${PORT}/${db.name}: permission denied for database ${db.name} (SQLSTATE 42501)`,
    });
    expect((await client.query("SELECT 1 FROM pg_namespace WHERE nspname = 'dr'")).rowCount).toBe(0);
  });

  it('reports a rejected login as unhealthy in phase connect, with its SQLSTATE', async () => {
    // Prepare
    const { db } = await database('login', HEARTBEAT_TABLE_DDL);
    const stale: DatabaseCredentials = { username: `${role}_gone`, password: 'rotated-away' };

    // Act
    const result = await probeWriter(storeOn(db.name, PORT, stale), REQUEST, CLOCK);

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'connect' });
    expect(result.error).toEqual({
      name: 'SqlQueryError',
      message: `connect to ${HOST}:${PORT}/${db.name}: role "${role}_gone" does not exist (SQLSTATE 28000)`,
    });
  });
});

describe('probeWriter against a server that accepts and then hangs', () => {
  it('gives up on a server that accepts the connection and never answers, at the connect timeout', async () => {
    // Prepare
    const server = await fakeServer('silent');
    servers.push(server);
    const request = { ...REQUEST, connectTimeoutMs: 400 };

    // Act
    const { value: result, ms } = await timed(() => within(probeWriter(storeOn('test', server.port), request, CLOCK), 5_000, 'probe'));

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'connect', latencyMs: null, heartbeatAt: null });
    expect(result.error).toEqual({ name: 'SqlConnectionError', message: `connect to ${HOST}:${server.port}/test: timeout expired` });
    expect(ms).toBeGreaterThanOrEqual(request.connectTimeoutMs - 5);
    expect(ms).toBeLessThan(request.connectTimeoutMs + MARGIN_MS);
    await within(server.closed(1), 2_000, 'the probe closing its socket');
  });

  it('gives up on a server that reads the startup packet and completes nothing, at the connect timeout', async () => {
    // Prepare
    const server = await fakeServer('startup-then-silent');
    servers.push(server);
    const request = { ...REQUEST, connectTimeoutMs: 400 };

    // Act
    const { value: result, ms } = await timed(() => within(probeWriter(storeOn('test', server.port), request, CLOCK), 5_000, 'probe'));

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'connect' });
    expect(result.error).toEqual({ name: 'SqlConnectionError', message: `connect to ${HOST}:${server.port}/test: timeout expired` });
    expect(ms).toBeGreaterThanOrEqual(request.connectTimeoutMs - 5);
    expect(ms).toBeLessThan(request.connectTimeoutMs + MARGIN_MS);
    const startup = server.received[0] as Buffer;
    expect(startup.readInt32BE(4)).toBe(PROTOCOL_3);
    expect(startup.toString('latin1')).toContain('user\0postgres\0database\0test\0');
    await within(server.closed(1), 2_000, 'the probe closing its socket');
  });

  it('bounds the TLS negotiation too: an SSLRequest left unanswered fails at the connect timeout', async () => {
    // Prepare
    const server = await fakeServer('startup-then-silent');
    servers.push(server);
    const store = new PgHeartbeatStore({ host: HOST, port: server.port, database: 'test', tls: 'verify-full' }, LOGIN);

    // Act
    const { value: result, ms } = await timed(() => within(probeWriter(store, { ...REQUEST, connectTimeoutMs: 400 }, CLOCK), 5_000, 'probe'));

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'connect', error: { name: 'SqlConnectionError' } });
    expect(ms).toBeLessThan(400 + MARGIN_MS);
    expect((server.received[0] as Buffer).readInt32BE(4)).toBe(SSL_REQUEST);
  });

  it('gives up on a server that completes the startup and then answers no query, at the statement timeout', async () => {
    // Prepare: the client-side query timeout is the statement timeout + 1 s (connect.ts).
    const server = await fakeServer('ready-then-silent');
    servers.push(server);
    const request = { ...REQUEST, statementTimeoutMs: 300, timeoutMs: 8_000 };

    // Act
    const { value: result, ms } = await timed(() => within(probeWriter(storeOn('test', server.port), request, CLOCK), 5_000, 'probe'));

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'prepare', latencyMs: null });
    expect(result.error).toEqual({ name: 'SqlConnectionError', message: `checking dr.heartbeat on ${HOST}:${server.port}/test: Query read timeout` });
    expect(ms).toBeGreaterThanOrEqual(1_300 - 5);
    expect(ms).toBeLessThan(1_300 + MARGIN_MS);
    await within(server.closed(1), 2_000, 'the probe closing its socket');
  });

  it('answers by its own budget when that is shorter than the adapter timeouts', async () => {
    // Prepare
    const server = await fakeServer('ready-then-silent');
    servers.push(server);
    const request = { ...REQUEST, statementTimeoutMs: 5_000, timeoutMs: 500 };

    // Act
    const { value: result, ms } = await timed(() => within(probeWriter(storeOn('test', server.port), request, CLOCK), 5_000, 'probe'));

    // Assess
    expect(result).toMatchObject({ healthy: false, phase: 'prepare' });
    expect(result.error).toEqual({ name: 'ProbeTimeoutError', message: "no answer within the probe's 500 ms budget while checking the heartbeat table" });
    expect(ms).toBeGreaterThanOrEqual(500 - 5);
    expect(ms).toBeLessThan(500 + MARGIN_MS);
    await within(server.closed(1), 2_000, 'the probe closing its socket');
  });
});

describe('measureReplicaHeartbeat against PostgreSQL', () => {
  const READ: ReplicaHeartbeatRequest = {
    connectTimeoutMs: 2_000,
    statementTimeoutMs: 2_000,
    timeoutMs: 8_000,
    awaitHeartbeat: null,
    catchUpMs: 0,
    pollMs: 50,
  };
  const at = (iso: string): ProbeClock => ({ ...CLOCK, now: () => new Date(iso) });

  it('derives the age from the newest heartbeat on the replica and the probe clock', async () => {
    // Prepare: a second database plays the replica, its rows as replication left them.
    const { db } = await database(
      'replica',
      HEARTBEAT_TABLE_DDL,
      `INSERT INTO dr.heartbeat (written_at, writer) VALUES
         ('2026-11-29T02:00:00.250000Z', 'monitor'), ('2026-11-29T01:59:00Z', 'monitor')`,
    );

    // Act
    const replica = await measureReplicaHeartbeat(storeOn(db.name), READ, at('2026-11-29T02:01:30.500Z'));

    // Assess
    expect(replica).toEqual({ phase: null, error: null, newestHeartbeatAt: '2026-11-29T02:00:00.250000Z', ageSeconds: 90.25 });
  });

  it('has no age for a replica without heartbeats, and no error', async () => {
    // Prepare
    const { db } = await database('emptyreplica');

    // Act
    const replica = await measureReplicaHeartbeat(storeOn(db.name), READ, CLOCK);

    // Assess
    expect(replica).toEqual({ phase: null, error: null, newestHeartbeatAt: null, ageSeconds: null });
  });

  it('waits for the heartbeat just written on the writer to arrive, then measures from it', async () => {
    // Prepare: the writer probe commits a heartbeat; "replication" copies it on the first pause.
    const { db: writerDb } = await database('w', HEARTBEAT_TABLE_DDL);
    const { db: replicaDb, client: replicaClient } = await database('r', HEARTBEAT_TABLE_DDL, insertAged([1]));
    const written = await probeWriter(storeOn(writerDb.name), REQUEST, CLOCK);
    let pauses = 0;
    const replicating: ProbeClock = {
      ...CLOCK,
      sleep: async () => {
        pauses += 1;
        if (pauses === 1) await replicaClient.query('INSERT INTO dr.heartbeat (written_at, writer) VALUES ($1, $2)', [written.heartbeatAt, 'replicated']);
      },
    };

    // Act
    const replica = await measureReplicaHeartbeat(
      storeOn(replicaDb.name),
      { ...READ, awaitHeartbeat: written.heartbeatAt, catchUpMs: 2_000 },
      replicating,
    );

    // Assess
    expect(pauses).toBe(1);
    expect(replica.newestHeartbeatAt).toBe(written.heartbeatAt);
    expect(replica.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(replica.ageSeconds).toBeLessThan(5);
  });

  it('stops waiting at the catch-up window and reports the older heartbeat it has', async () => {
    // Prepare: the replica is two minutes behind and stays there.
    const { db } = await database('lagging', HEARTBEAT_TABLE_DDL, `INSERT INTO dr.heartbeat (written_at, writer) VALUES ('2026-11-29T01:58:00Z', 'old')`);
    const clock = at('2026-11-29T02:00:00Z');

    // Act
    const { value: replica, ms } = await timed(() =>
      measureReplicaHeartbeat(storeOn(db.name), { ...READ, awaitHeartbeat: '2026-11-29T01:59:59.900000Z', catchUpMs: 300, pollMs: 50 }, clock),
    );

    // Assess
    expect(replica).toEqual({ phase: null, error: null, newestHeartbeatAt: '2026-11-29T01:58:00.000000Z', ageSeconds: 120 });
    expect(ms).toBeGreaterThanOrEqual(300 - 5);
    expect(ms).toBeLessThan(300 + MARGIN_MS);
  });

  it('reports an unreachable replica without an age', async () => {
    // Prepare
    const port = await closedPort();

    // Act
    const replica = await measureReplicaHeartbeat(storeOn('test', port), READ, CLOCK);

    // Assess
    expect(replica).toEqual({
      phase: 'connect',
      error: { name: 'SqlConnectionError', message: `connect to ${HOST}:${port}/test: connect ECONNREFUSED ${HOST}:${port}` },
      newestHeartbeatAt: null,
      ageSeconds: null,
    });
  });

  it('only reads: a replica that refuses every write still gives its age', async () => {
    // Prepare
    const { db } = await database('roreplica', HEARTBEAT_TABLE_DDL, `INSERT INTO dr.heartbeat (written_at, writer) VALUES ('2026-11-29T02:00:00Z', 'm')`);
    await withServerClient((admin) => admin.query(`ALTER DATABASE ${escapeIdentifier(db.name)} SET default_transaction_read_only = on`));

    // Act
    const replica = await measureReplicaHeartbeat(storeOn(db.name), READ, at('2026-11-29T02:00:42Z'));

    // Assess
    expect(replica).toEqual({ phase: null, error: null, newestHeartbeatAt: '2026-11-29T02:00:00.000000Z', ageSeconds: 42 });
  });
});

describe('probe λ against PostgreSQL', () => {
  let core: typeof import('../../functions/handlers/probe/index.ts').core;
  beforeAll(async () => {
    setHandlerEnv({
      DB_NAME: 'test',
      DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:swifteats-db-AbCdEf',
      DB_TLS_MODE: 'disable',
      DB_HOST: HOST,
      DB_PORT: String(PORT),
      REPLICA_HOST: HOST,
      REPLICA_PORT: String(PORT),
      // The "replica" databases here are fed by nothing: waiting for the new heartbeat is wasted time.
      REPLICA_CATCH_UP_MS: '100',
    });
    ({ core } = await import('../../functions/handlers/probe/index.ts'));
  });

  /** The login flows as in production: read from a provider, handed to the stores. */
  function deps(writer: string, writerPort: number, replica: string | null, published: [MetricName, number][]): ProbeDeps {
    return {
      credentials: new EnvironmentCredentials({ DB_USER: String(TEST_SERVER.user), DB_PASSWORD: 'unused-with-trust-auth' }),
      writer: (login) => storeOn(writer, writerPort, login),
      replica: replica === null ? null : (login) => storeOn(replica, PORT, login),
      clock: CLOCK,
      publish: (name, value) => published.push([name, value]),
    };
  }

  it('monitor: publishes WriterHealthy=1, the latency and the replica heartbeat age', async () => {
    // Prepare: the "replica" database is fed by nothing, its newest heartbeat is an hour old.
    const { db: writerDb, client: writerClient } = await database('hw');
    const { db: replicaDb } = await database('hr', HEARTBEAT_TABLE_DDL, insertAged([60]));
    const published: [MetricName, number][] = [];

    // Act
    const output = await core({ mode: 'monitor' }, deps(writerDb.name, PORT, replicaDb.name, published));

    // Assess
    expect(output).toMatchObject({ mode: 'monitor', target: 'writer', database: 'swifteats', healthy: true, phase: null, tableCreated: true });
    expect(published.map(([name]) => name)).toEqual(['WriterHealthy', 'ProbeLatencyMs', 'ReplicaHeartbeatAgeSeconds']);
    expect(published[0]).toEqual(['WriterHealthy', 1]);
    expect(published[1]).toEqual(['ProbeLatencyMs', output.latencyMs]);
    expect(published[2]).toEqual(['ReplicaHeartbeatAgeSeconds', output.replica?.ageSeconds]);
    expect(output.replica?.ageSeconds).toBeGreaterThanOrEqual(3_600);
    expect(output.replica?.ageSeconds).toBeLessThan(3_660);
    expect((await heartbeatRows(writerClient)).map((row) => row.writer)).toEqual([`monitor probe from eu-west-1 to ${HOST}:${PORT}/test`]);
  });

  it('monitor: publishes WriterHealthy=0 and no latency when the writer refuses connections', async () => {
    // Prepare
    const port = await closedPort();
    const published: [MetricName, number][] = [];

    // Act
    const output = await core({ mode: 'monitor' }, deps('test', port, null, published));

    // Assess
    expect(output).toMatchObject({ healthy: false, phase: 'connect', error: { name: 'SqlConnectionError' }, replica: null });
    expect(published).toEqual([['WriterHealthy', 0]]);
  });

  it('post-check with target replica writes the heartbeat on the promoted replica and publishes nothing', async () => {
    // Prepare
    const { db: writerDb, client: writerClient } = await database('pw', HEARTBEAT_TABLE_DDL);
    const { db: promotedDb, client: promotedClient } = await database('pr', HEARTBEAT_TABLE_DDL);
    const published: [MetricName, number][] = [];

    // Act
    const output = await core({ mode: 'post-check', target: 'replica' }, deps(writerDb.name, PORT, promotedDb.name, published));

    // Assess
    expect(output).toMatchObject({ mode: 'post-check', target: 'replica', healthy: true, replica: null, endpoint: `${HOST}:${PORT}/test` });
    expect(published).toEqual([]);
    expect(await heartbeatRows(writerClient)).toEqual([]);
    expect((await heartbeatRows(promotedClient)).map((row) => row.writer)).toEqual([`post-check probe from eu-west-1 to ${HOST}:${PORT}/test`]);
  });
});
