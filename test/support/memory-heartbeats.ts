/**
 * In-memory {@link HeartbeatStore} for the domain and handler tests: the heartbeat table as an
 * array, the server clock as a settable time, and per-step fault injection (an error to throw, or a
 * hang that never settles). The SQL tests use the real adapter on the real server instead.
 */
import { SqlQueryError } from '../../functions/shared/errors.ts';
import type { HeartbeatReadSession, HeartbeatSession, HeartbeatStore, SessionTimeouts } from '../../functions/ports/heartbeat-store.ts';

/** A step of the store that a test can make fail. */
export type HeartbeatStep = 'open' | 'ensureTable' | 'write' | 'prune' | 'newest';

/** What a failing step does: throw this error, or never settle. */
export type Fault = Error | 'hang';

/** A stored heartbeat row. */
export interface MemoryHeartbeat {
  readonly writtenAt: string;
  readonly writer: string;
}

/** What the PostgreSQL adapter throws when the table is missing (translatePgError of 42P01 undefined_table). */
function missingTable(action: string): SqlQueryError {
  return new SqlQueryError(`${action} on memory: relation "dr.heartbeat" does not exist (SQLSTATE 42P01)`, '42P01');
}

/** The fake; every field is public so tests can arrange and inspect it. */
export class MemoryHeartbeats implements HeartbeatStore {
  /** Null until the table exists. */
  rows: MemoryHeartbeat[] | null = null;
  /** The "server's" now(), returned by write and used by prune. */
  serverNow = new Date('2026-11-29T02:00:00.000Z');
  /** Faults by step, applied on every call of that step until removed. */
  readonly faults = new Map<HeartbeatStep, Fault>();
  /** Every call, in order, as `step` (open calls also record their timeouts). */
  readonly calls: string[] = [];
  /** Timeouts passed to each open. */
  readonly opened: SessionTimeouts[] = [];
  /** How many sessions were closed. */
  closed = 0;
  /** Called at the start of every step, before its fault: to advance a fake clock, or change the data. */
  onStep: (step: HeartbeatStep) => void = () => undefined;

  async #step(step: HeartbeatStep): Promise<void> {
    this.calls.push(step);
    this.onStep(step);
    const fault = this.faults.get(step);
    if (fault === 'hang') await new Promise<never>(() => undefined);
    if (fault !== undefined) throw fault;
  }

  #session(): HeartbeatSession {
    return {
      newest: async () => {
        await this.#step('newest');
        if (this.rows === null || this.rows.length === 0) return null;
        return this.rows.map((row) => row.writtenAt).sort().at(-1) ?? null;
      },
      ensureTable: async () => {
        await this.#step('ensureTable');
        if (this.rows !== null) return false;
        this.rows = [];
        return true;
      },
      write: async (writer) => {
        await this.#step('write');
        if (this.rows === null) throw missingTable('writing a heartbeat');
        const writtenAt = `${this.serverNow.toISOString().slice(0, -1)}000Z`;
        this.rows.push({ writtenAt, writer });
        return writtenAt;
      },
      prune: async (retentionSeconds, maxRows) => {
        await this.#step('prune');
        if (this.rows === null) throw missingTable('pruning heartbeats');
        const cutoff = this.serverNow.getTime() - retentionSeconds * 1000;
        const doomed = new Set(
          this.rows
            .filter((row) => Date.parse(row.writtenAt) < cutoff)
            .sort((a, b) => a.writtenAt.localeCompare(b.writtenAt))
            .slice(0, maxRows),
        );
        this.rows = this.rows.filter((row) => !doomed.has(row));
        return doomed.size;
      },
      close: async () => {
        this.calls.push('close');
        this.closed += 1;
      },
    };
  }

  /** {@inheritDoc HeartbeatStore.open} */
  async open(timeouts: SessionTimeouts): Promise<HeartbeatSession> {
    this.opened.push(timeouts);
    await this.#step('open');
    return this.#session();
  }

  /** {@inheritDoc HeartbeatStore.openReadOnly} */
  async openReadOnly(timeouts: SessionTimeouts): Promise<HeartbeatReadSession> {
    this.opened.push(timeouts);
    await this.#step('open');
    const session = this.#session();
    return { newest: session.newest, close: session.close };
  }
}
