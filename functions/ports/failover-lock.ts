/**
 * Port: the failover lock of one database, a single record written only with atomic conditional
 * writes, so two executions racing for it cannot both win (DynamoDB in production).
 *
 * Implementations throw ThrottledError (safe to retry), FailoverLockLostError where documented, and
 * ConfigurationError when the store itself is missing.
 */
import type { FailoverMode } from '../domain/failover/model.ts';

/** The lock record. */
export interface LockRecord {
  /** One record per database (`failover#<db>`). */
  readonly key: string;
  /** Execution ARN of the holder. */
  readonly owner: string;
  readonly mode: FailoverMode;
  /** `held` while a failover runs; `cooldown` after one that changed something. */
  readonly state: 'held' | 'cooldown';
  /** When the holder took the lock (ISO). */
  readonly acquiredAt: string;
  /** Epoch seconds after which the record no longer counts: the lease's end, or the cooldown's. Also the store's TTL. */
  readonly expiresAt: number;
  /** Steps the holder started, with their first start (ISO), e.g. `act`. */
  readonly steps?: Readonly<Record<string, string>>;
}

/** Outcome of {@link FailoverLock.acquire}. */
export type AcquireResult = { readonly acquired: true } | { readonly acquired: false; readonly holder: LockRecord | null };

/** The lock store. */
export interface FailoverLock {
  /** The current record (strongly consistent), expired or not, or null. */
  read(key: string): Promise<LockRecord | null>;
  /**
   * Writes `record` if, atomically, there is no record, the record has expired at `now`, or it is
   * held by `record.owner` (a retried acquire). Otherwise returns the record that is in the way.
   */
  acquire(record: LockRecord, now: Date): Promise<AcquireResult>;
  /**
   * Notes that the holder starts `step`, keeping the first start. Returns the earlier start, or null
   * when this is the first: a retried step learns that it already ran.
   *
   * @throws FailoverLockLostError when `owner` no longer holds the lock: the caller must not act
   */
  markStep(key: string, owner: string, step: string, at: Date): Promise<string | null>;
  /** Deletes the record if `owner` holds it; false when it did not (released already, or taken over). */
  release(key: string, owner: string): Promise<boolean>;
  /** Turns the owner's held record into a cooldown until `until` (epoch seconds); false when it did not hold it. */
  cooldown(key: string, owner: string, until: number): Promise<boolean>;
}
