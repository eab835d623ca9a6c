/**
 * The contract of the {@link HeartbeatStore} port, as one suite run against the memory double
 * (MemoryHeartbeats, used by the handler, state machine and fault tests) and the real adapter
 * (PgHeartbeatStore on the real PostgreSQL server).
 */
import { describe, expect, it } from 'vitest';
import type { HeartbeatStore, SessionTimeouts } from '../../functions/ports/heartbeat-store.ts';
import { SqlQueryError } from '../../functions/shared/errors.ts';

/** One fresh endpoint without a heartbeat table. */
export interface HeartbeatEndpoint {
  readonly store: HeartbeatStore;
  /** Inserts rows written `minutesAgo` before the server's now (the table exists). */
  seedAged(minutesAgo: readonly number[]): Promise<void>;
  /** Releases the endpoint. */
  done(): Promise<void>;
}

const TIMEOUTS: SessionTimeouts = { connectTimeoutMs: 5_000, statementTimeoutMs: 5_000 };
/** ISO 8601 UTC with microseconds, as the port specifies. */
const MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Runs the heartbeat contract against one implementation. */
export function heartbeatStoreContract(name: string, endpoint: () => Promise<HeartbeatEndpoint>): void {
  describe(`HeartbeatStore contract: ${name}`, () => {
    async function on(fn: (e: HeartbeatEndpoint) => Promise<void>): Promise<void> {
      const e = await endpoint();
      try {
        await fn(e);
      } finally {
        await e.done();
      }
    }

    it('reads null without a table and from an empty table; ensureTable creates it once', () =>
      on(async ({ store }) => {
        // Act
        const session = await store.open(TIMEOUTS);
        const before = await session.newest();
        const created = [await session.ensureTable(), await session.ensureTable()];
        const empty = await session.newest();
        await session.close();
        // Assess
        expect([before, created, empty]).toEqual([null, [true, false], null]);
      }));

    it('writes a row stamped with the server time in microseconds, which is then the newest, for writers and readers', () =>
      on(async ({ store, seedAged }) => {
        // Prepare
        const session = await store.open(TIMEOUTS);
        await session.ensureTable();
        await seedAged([5]);
        // Act
        const written = await session.write('monitor probe');
        const newest = await session.newest();
        await session.close();
        const reader = await store.openReadOnly(TIMEOUTS);
        const read = await reader.newest();
        await reader.close();
        // Assess
        expect(written).toMatch(MICROS);
        expect([newest, read]).toEqual([written, written]);
      }));

    it('refuses to write or prune before the table exists: SqlQueryError 42P01 (undefined_table)', () =>
      on(async ({ store }) => {
        // Act
        const session = await store.open(TIMEOUTS);
        const thrown = [await session.write('monitor probe').catch((e: unknown) => e), await session.prune(60, 10).catch((e: unknown) => e)];
        await session.close();
        // Assess
        for (const error of thrown) {
          expect(error).toBeInstanceOf(SqlQueryError);
          expect(error).toMatchObject({ name: 'SqlQueryError', sqlState: '42P01' });
          expect((error as Error).message).toMatch(/relation "dr\.heartbeat" does not exist \(SQLSTATE 42P01\)$/);
        }
      }));

    it('prunes only rows older than the retention, oldest first, at most maxRows per call', () =>
      on(async ({ store, seedAged }) => {
        // Prepare: rows 40, 30, 20 and 10 minutes old; the retention is 15 minutes.
        const session = await store.open(TIMEOUTS);
        await session.ensureTable();
        await seedAged([10, 20, 30, 40]);
        const newestBefore = await session.newest();
        // Act
        const deleted = [await session.prune(15 * 60, 2), await session.prune(15 * 60, 2), await session.prune(15 * 60, 2)];
        const newestAfter = await session.newest();
        await session.close();
        // Assess
        expect(deleted).toEqual([2, 1, 0]);
        expect(newestAfter).toBe(newestBefore);
      }));
  });
}
