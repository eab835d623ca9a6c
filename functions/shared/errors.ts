/**
 * Typed errors of the DR system.
 *
 * Handlers invoked by Step Functions throw these; the ASL files name them in `Retry`
 * and `Catch` (Step Functions matches on `error.name`), so each name is part of the
 * public contract: renaming one means changing the state machines too. Each class
 * carries its name as a literal (test/artifacts checks the names in the shipped bundles).
 */

/**
 * Base class: keeps `cause`. Every subclass declares its `name` as a string literal: the
 * bundles are minified, which renames classes, so a name taken from the class itself
 * (the class's own runtime name) would ship as `Vw` and match no `ErrorEquals`.
 * A class field is set after the base constructor returns, so the subclass's literal wins.
 */
export class DrError extends Error {
  override readonly name: string = 'DrError';
}

/** Input (an event, a request, a configuration) failed validation; nothing was changed. */
export class ValidationError extends DrError {
  override readonly name: string = 'ValidationError';
  /** Every problem found, each naming its field path. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(`${problems.length} problem(s): ${problems.join('; ')}`, options);
    this.problems = problems;
  }
}

/** A required environment variable is missing at cold start. */
export class ConfigurationError extends DrError {
  override readonly name: string = 'ConfigurationError';
}

/** The snapshot does not exist (or is not visible to this account). */
export class SnapshotNotFoundError extends DrError {
  override readonly name: string = 'SnapshotNotFoundError';
}

/** The database instance or cluster does not exist. */
export class DatabaseNotFoundError extends DrError {
  override readonly name: string = 'DatabaseNotFoundError';
}

/** The database is not in a state that allows the action (e.g. not `available`). */
export class DatabaseNotAvailableError extends DrError {
  override readonly name: string = 'DatabaseNotAvailableError';
}

/** Creating the snapshot would exceed the manual-snapshot quota (with headroom). */
export class SnapshotQuotaExceededError extends DrError {
  override readonly name: string = 'SnapshotQuotaExceededError';
}

/** A snapshot reached a terminal bad state (`failed`, `incompatible-*`). */
export class SnapshotFailedError extends DrError {
  override readonly name: string = 'SnapshotFailedError';
}

/** A bounded wait ran out. */
export class WaitTimeoutError extends DrError {
  override readonly name: string = 'WaitTimeoutError';
}

/** The AWS API throttled us; safe to retry. */
export class ThrottledError extends DrError {
  override readonly name: string = 'ThrottledError';
}

/** A KMS key could not be used (disabled, wrong region, no grant). */
export class KmsKeyNotAccessibleError extends DrError {
  override readonly name: string = 'KmsKeyNotAccessibleError';
}

/** A retention plan would break a safety rule; nothing was deleted. */
export class RetentionSafetyError extends DrError {
  override readonly name: string = 'RetentionSafetyError';
}

/** A restore test found the restored data different from the manifest. */
export class VerificationFailedError extends DrError {
  override readonly name: string = 'VerificationFailedError';
}

/** A SQL connection could not be opened or was lost mid-way (network, failover, server restart); safe to retry. */
export class SqlConnectionError extends DrError {
  override readonly name: string = 'SqlConnectionError';
}

/** PostgreSQL refused a statement; `sqlState` is its SQLSTATE code (e.g. `42P01`, `42501`), null when it gave none. */
export class SqlQueryError extends DrError {
  override readonly name: string = 'SqlQueryError';
  /** The PostgreSQL error code, for callers that branch on it. */
  readonly sqlState: string | null;

  constructor(message: string, sqlState: string | null, options?: ErrorOptions) {
    super(message, options);
    this.sqlState = sqlState;
  }
}

/** A snapshot with this id already exists (the adapter's translation of DBSnapshotAlreadyExists). */
export class SnapshotAlreadyExistsError extends DrError {
  override readonly name: string = 'SnapshotAlreadyExistsError';
}

/** The snapshot exists but is not in a state that allows the action (e.g. deleting one that is `creating`). */
export class SnapshotNotAvailableError extends DrError {
  override readonly name: string = 'SnapshotNotAvailableError';
}

/** A key is already in the archive; the archive never overwrites. */
export class AlreadyArchivedError extends DrError {
  override readonly name: string = 'AlreadyArchivedError';
}

/**
 * The archive did not confirm a write (S3 5xx, a request timeout, a lost connection): the document
 * may or may not be stored, so the write is safe to retry (keys are create-only: a retry of a stored
 * document ends in AlreadyArchivedError, which callers with a deterministic key take as success).
 * The ASL files retry it by name wherever a record is written.
 */
export class ArchiveWriteError extends DrError {
  override readonly name: string = 'ArchiveWriteError';
}

/** A key is not in the archive. */
export class NotArchivedError extends DrError {
  override readonly name: string = 'NotArchivedError';
}

/**
 * The writer probe (or a replica heartbeat read) ran out of its time budget: the database took the
 * connection, or part of it, and then stopped answering. The probe reports it as a result, not a throw.
 */
export class ProbeTimeoutError extends DrError {
  override readonly name: string = 'ProbeTimeoutError';
}

/** A database with the restore's target identifier already exists. */
export class DatabaseAlreadyExistsError extends DrError {
  override readonly name: string = 'DatabaseAlreadyExistsError';
}

/** The requested point in time is outside the database's restorable window (the message names the window). */
export class RestoreWindowError extends DrError {
  override readonly name: string = 'RestoreWindowError';
}

/** RDS refused to create another DB instance or cluster (account quota). */
export class InstanceQuotaExceededError extends DrError {
  override readonly name: string = 'InstanceQuotaExceededError';
}

/** A delete was refused because the target is not a temporary database of this system; nothing was deleted. */
export class UnsafeDeleteError extends DrError {
  override readonly name: string = 'UnsafeDeleteError';
}

/**
 * The RPO monitor could not read every source it measures from; everything it could measure was
 * published, and the objectives it could not measure go unpublished (their alarms treat that as a breach).
 */
export class MeasurementIncompleteError extends DrError {
  override readonly name: string = 'MeasurementIncompleteError';
}

/** Another failover execution holds the failover lock; this one stopped before acting. */
export class FailoverLockedError extends DrError {
  override readonly name: string = 'FailoverLockedError';
}

/** A failover changed the database less than the cooldown ago; this one stopped before acting. */
export class FailoverCooldownError extends DrError {
  override readonly name: string = 'FailoverCooldownError';
}

/** The failover lock is no longer held by this execution (its lease ran out and another took it): never act. */
export class FailoverLockLostError extends DrError {
  override readonly name: string = 'FailoverLockLostError';
}

/** A failover pre-check failed (target missing or not available, endpoint drifted); nothing was changed. */
export class PrecheckFailedError extends DrError {
  override readonly name: string = 'PrecheckFailedError';
}

/** The cross-region replica is further behind (or its lag unknown) than the failover allows; nothing was changed. */
export class ReplicaLagTooHighError extends DrError {
  override readonly name: string = 'ReplicaLagTooHighError';
}

/** The old writer's region answered but refused the fence (e.g. no such security group, access denied). */
export class FenceFailedError extends DrError {
  override readonly name: string = 'FenceFailedError';
}

/** The old writer's region could not be reached to fence it (network, timeout, 5xx). */
export class FenceUnreachableError extends DrError {
  override readonly name: string = 'FenceUnreachableError';
}

/** The new writer did not take a heartbeat write within the post-check's attempts. */
export class PostCheckFailedError extends DrError {
  override readonly name: string = 'PostCheckFailedError';
}

/** The writer endpoint (DNS record or connection secret) could not be changed as planned. */
export class EndpointSwitchError extends DrError {
  override readonly name: string = 'EndpointSwitchError';
}

/** A notification could not be published (topic missing, access or key refused). */
export class NotificationError extends DrError {
  override readonly name: string = 'NotificationError';
}

/** IAM refused the call (e.g. a deny on snapshots under legal hold); nothing was changed by it. */
export class AccessDeniedError extends DrError {
  override readonly name: string = 'AccessDeniedError';
}

/**
 * The mark an adapter puts on an SDK error it passes on unchanged when the service could not be
 * reached (no HTTP answer, or a 5xx; the classification is adapters/sdk-errors.ts's). The domain
 * reads it with {@link isUnreachable} and never the SDK's own fields.
 */
const UNREACHABLE_MARK: unique symbol = Symbol('dr.unreachable');

/** Marks `error` as "the service could not be reached" (adapters only) and returns it. */
export function markUnreachable<T extends Error>(error: T): T {
  Object.defineProperty(error, UNREACHABLE_MARK, { value: true, enumerable: false });
  return error;
}

/** Whether an adapter marked `error` as "the service could not be reached". */
export function isUnreachable(error: unknown): boolean {
  return error instanceof Error && (error as Error & { [UNREACHABLE_MARK]?: boolean })[UNREACHABLE_MARK] === true;
}

/**
 * Runs a lookup and turns the "it does not exist" error into null: the one place where
 * absence is an answer rather than a failure (an idempotent step asking "did I do this
 * already?"). Every other error propagates.
 */
export async function orNull<T>(lookup: () => Promise<T>, absent: abstract new (...args: never[]) => Error): Promise<T | null> {
  try {
    return await lookup();
  } catch (error) {
    if (error instanceof absent) return null;
    throw error;
  }
}
