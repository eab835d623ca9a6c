/**
 * A consistent copy of a live test database at one instant, standing in for an RDS snapshot
 * restore: `pg_dump --snapshot=<id> | psql` into another database, where `<id>` comes from
 * `pg_export_snapshot()` in a repeatable-read transaction (the committed state at that instant,
 * like a storage snapshot after crash recovery); or the rows at that instant read in place, by
 * sessions that import the exported snapshot. And the steady writer that keeps the source moving
 * meanwhile. Shared by the SQL tests and the live-writer benchmark (bench/verify-live.ts). No
 * vitest import: usable from scripts too.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import type { ProbeSession } from '../../functions/adapters/pg/verification-probe.ts';
import { TEST_SERVER, type TempDatabase } from './pg.ts';

/** mulberry32: a small seeded PRNG, so a suite takes the same decisions on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function serverArgs(): string[] {
  return ['-h', String(TEST_SERVER.host), '-p', String(TEST_SERVER.port), '-U', String(TEST_SERVER.user)];
}

/**
 * Empties `copy` (the given schemas and every large object), then restores into it the state of
 * `source` at exported snapshot `snapshotId`: the given schemas and, with `largeObjects`, the
 * large objects (same OIDs).
 */
export async function copyAtSnapshot(source: string, copy: TempDatabase, snapshotId: string, schemas: readonly string[], largeObjects = false): Promise<void> {
  const admin = await copy.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schemas.join(', ')} CASCADE`);
    await admin.query('SELECT lo_unlink(oid) FROM pg_largeobject_metadata');
  } finally {
    await admin.end();
  }
  const dumpArgs = [...serverArgs(), '--snapshot', snapshotId, '--no-owner', '--no-privileges', ...schemas.flatMap((s) => ['-n', s]), ...(largeObjects ? ['-b'] : []), source];
  const dump = spawn('/usr/bin/pg_dump', dumpArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const restore = spawn('/usr/bin/psql', [...serverArgs(), '-q', '-v', 'ON_ERROR_STOP=1', '-d', copy.name], { stdio: ['pipe', 'ignore', 'pipe'] });
  dump.stdout.pipe(restore.stdin);
  const finished = (child: ReturnType<typeof spawn>, name: string): Promise<void> =>
    new Promise((resolve, reject) => {
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited ${code}: ${stderr}`))));
    });
  await Promise.all([finished(dump, 'pg_dump'), finished(restore, 'psql')]);
}

/** The transaction that exports a snapshot, and the one the verification probe reads in. */
const BEGIN_SNAPSHOT_READ = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** An exported snapshot: its id, and the instant it was taken (epoch milliseconds, with the microseconds as a fraction). */
export interface ExportedSnapshot {
  readonly id: string;
  readonly ms: number;
}

/**
 * The copy point: a repeatable-read transaction on `session` exports its snapshot; `use` runs while
 * it is held (copy it with {@link copyAtSnapshot}, or read it with {@link importingSnapshot} sessions
 * and with `session` itself), and the transaction commits afterwards, also when `use` fails.
 */
export async function withExportedSnapshot<T>(session: Client, use: (snapshot: ExportedSnapshot) => Promise<T>): Promise<T> {
  await session.query(BEGIN_SNAPSHOT_READ);
  try {
    const row = (await session.query<{ id: string; ms: number }>('SELECT pg_export_snapshot() AS id, extract(epoch FROM clock_timestamp())::float8 * 1000 AS ms')).rows[0];
    return await use({ id: row?.id ?? '', ms: Number(row?.ms) });
  } finally {
    await session.query('COMMIT');
  }
}

/**
 * A probe session whose every repeatable-read transaction sees the exported snapshot: right after
 * such a BEGIN, before the next statement, it imports the snapshot — unless that statement is the
 * probe's own import (of the snapshot its first session re-exported, the same one). Reading the
 * state in place stands in for a copy where copying would cost minutes.
 */
export function importingSnapshot(client: Client, snapshotId: string): ProbeSession {
  let pending = false;
  const query = async (...args: unknown[]): Promise<unknown> => {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
    if (pending) {
      pending = false;
      if (!text.startsWith('SET TRANSACTION SNAPSHOT')) await client.query(`SET TRANSACTION SNAPSHOT '${snapshotId.replaceAll("'", "''")}'`);
    }
    const result: unknown = await (client.query as (...a: unknown[]) => Promise<unknown>).apply(client, args);
    if (text === BEGIN_SNAPSHOT_READ) pending = true;
    return result;
  };
  return { query } as unknown as ProbeSession;
}

/** What a steady writer did: its committed transactions, their rate, and the errors it met. */
export interface WriterActivity {
  readonly transactions: number;
  readonly perSecond: number;
  readonly errors: string[];
}

/** A running {@link startWriter}. */
export interface SteadyWriter {
  /** Stops every session, waits for them, and returns what they did. */
  stop(): Promise<WriterActivity>;
}

/** The workload and pace of a {@link startWriter}. */
export interface WriterOptions {
  /** One transaction of the workload, on one of the writer's sessions (the caller draws its own random choices). */
  readonly transaction: (client: Client) => Promise<void>;
  /** Sessions running transactions. @default 1 */
  readonly sessions?: number;
  /** Total transactions per second, paced over the sessions. @default unpaced: back to back */
  readonly transactionsPerSecond?: number;
  /** Interval of the heartbeat rows (`dr.heartbeat`, writer `probe`) written by a session of their own, ms. @default 1000 */
  readonly heartbeatMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A steady writer on `database`: `sessions` sessions run `transaction` in a loop, paced to their
 * share of `transactionsPerSecond` when given (a session more than a second behind drops the backlog
 * instead of bursting), and a heartbeat row every `heartbeatMs`. A failing transaction is rolled back
 * and its error kept (errors after {@link SteadyWriter.stop} are not); the writer goes on.
 */
export function startWriter(database: TempDatabase, options: WriterOptions): SteadyWriter {
  const sessions = options.sessions ?? 1;
  const pace = options.transactionsPerSecond;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  let running = true;
  let transactions = 0;
  const errors: string[] = [];
  const started = performance.now();

  const session = async (): Promise<void> => {
    const client = await database.connect();
    const interval = pace === undefined ? 0 : (1000 * sessions) / pace;
    let next = performance.now();
    try {
      while (running) {
        if (pace !== undefined) {
          next += interval;
          const ahead = next - performance.now();
          if (ahead > 0) await sleep(ahead);
          else if (ahead < -1000) next = performance.now();
          if (!running) break;
        }
        try {
          await options.transaction(client);
          transactions += 1;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          if (running) errors.push((error as Error).message);
        }
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const heartbeat = async (): Promise<void> => {
    const client = await database.connect();
    try {
      while (running) {
        await client.query("INSERT INTO dr.heartbeat (writer) VALUES ('probe')").catch((error: Error) => (running ? errors.push(error.message) : 0));
        await sleep(heartbeatMs);
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const done = Promise.all([...Array.from({ length: sessions }, session), heartbeat()]);
  return {
    async stop() {
      running = false;
      await done;
      const seconds = (performance.now() - started) / 1000;
      return { transactions, perSecond: transactions / seconds, errors };
    },
  };
}
