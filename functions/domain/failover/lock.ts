/**
 * The failover lock and cooldown: at most one failover of a database at a time, and none within
 * the cooldown after one that changed something. One record per database holds both states; the
 * {@link FailoverLock} port writes it with conditional writes (DynamoDB), these rules read it.
 *
 * Every record expires (`expiresAt`): a held lock whose execution died without releasing it frees
 * itself after its lease, and a cooldown ends. The store's TTL deletes expired records eventually
 * (DynamoDB: within days), so the rules, and the store's conditions, treat an expired record as absent.
 */
import type { LockRecord } from '../../ports/failover-lock.ts';
import { FailoverCooldownError, FailoverLockedError } from '../../shared/errors.ts';

/** The key of a database's lock record. */
export function lockKey(database: string): string {
  return `failover#${database}`;
}

/** Epoch seconds (the unit of a DynamoDB TTL attribute). */
export function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/** What a lock record means for an execution at a time. */
export type LockStatus =
  | { readonly kind: 'free' }
  | { readonly kind: 'mine'; readonly record: LockRecord }
  | { readonly kind: 'held'; readonly record: LockRecord }
  | { readonly kind: 'cooldown'; readonly record: LockRecord };

/** True when the record no longer counts (its lease or cooldown ran out). */
export function expired(record: LockRecord, now: Date): boolean {
  return record.expiresAt <= epochSeconds(now);
}

/**
 * Reads a record for an execution. A record held by this execution is `mine` (a retried step must
 * find its own lock); a cooldown is never `mine`, even for the execution that set it.
 */
export function lockStatus(record: LockRecord | null, owner: string, now: Date): LockStatus {
  if (record === null || expired(record, now)) return { kind: 'free' };
  if (record.state === 'held') return record.owner === owner ? { kind: 'mine', record } : { kind: 'held', record };
  return { kind: 'cooldown', record };
}

/** The named error that stops an execution that cannot take the lock; null when it can. */
export function lockRefusal(status: LockStatus, database: string): FailoverLockedError | FailoverCooldownError | null {
  if (status.kind === 'held') {
    const r = status.record;
    return new FailoverLockedError(
      `a ${r.mode} failover of ${database} is running since ${r.acquiredAt} (execution ${r.owner}); its lock expires at ${new Date(r.expiresAt * 1000).toISOString()}`,
    );
  }
  if (status.kind === 'cooldown') {
    const r = status.record;
    return new FailoverCooldownError(
      `${database} failed over at ${r.acquiredAt} (execution ${r.owner}): no other failover before ${new Date(r.expiresAt * 1000).toISOString()} (cooldown)`,
    );
  }
  return null;
}

/** The held-lock record an execution writes to take the lock. */
export function heldRecord(database: string, owner: string, mode: LockRecord['mode'], now: Date, leaseSeconds: number): LockRecord {
  return { key: lockKey(database), owner, mode, state: 'held', acquiredAt: now.toISOString(), expiresAt: epochSeconds(now) + leaseSeconds };
}

/** How an execution leaves the lock when it ends. */
export type LockExit = { readonly kind: 'release' } | { readonly kind: 'cooldown'; readonly until: number };

/**
 * A run after which the database has failed over, or that changed something (fenced, acted or
 * switched; successfully or not), leaves a cooldown, so an alarm that keeps firing cannot flap the
 * database between AZs or regions; a run that changed nothing (false alarm, refused pre-check, dry
 * run) releases the lock for the next one.
 *
 * @param failedOver the run changed something or saw a failover through (the caller decides)
 */
export function lockExit(failedOver: boolean, cooldownSeconds: number, now: Date): LockExit {
  return failedOver && cooldownSeconds > 0 ? { kind: 'cooldown', until: epochSeconds(now) + cooldownSeconds } : { kind: 'release' };
}
