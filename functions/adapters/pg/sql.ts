/**
 * What every `pg` adapter shares: the session it runs on, and how a `pg` error becomes one of the
 * project's typed errors. Nothing here imports the domain, so a small bundle (the probe) pays only
 * for this.
 */
import { DatabaseError } from 'pg';
import type { QueryResult, QueryResultRow } from 'pg';
import { SqlConnectionError, SqlQueryError } from '../../shared/errors.ts';

/**
 * What an adapter needs of a connection: a `pg.Client` or a `PoolClient` checked out for the
 * whole call. Not a `Pool`: a transaction must stay on one connection.
 */
export interface SqlSession {
  /** Runs one statement (or several, when there are no parameters). */
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** Node network error codes that mean the server could not be reached or the socket died. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs that mean the connection, not the statement, failed: class 08 (connection exception),
 * admin/crash shutdown and "cannot connect now" (a failover or restart in progress), too many connections.
 */
function isConnectionSqlState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code);
}

/**
 * Messages of the plain `Error`s `pg` raises when the socket is gone; it gives them no name or code,
 * so the message is all there is to match.
 */
const CONNECTION_LOST_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  // `connectionTimeoutMillis` ran out (pg.Client; pg-pool says "Connection terminated due to
  // connection timeout", matched above): the server never completed the handshake.
  'timeout expired',
  // `query_timeout` ran out: the server stopped answering mid-session, and the connection is left
  // with a statement in flight, so it is as good as lost.
  'Query read timeout',
];

/**
 * Translates an error thrown by `pg` into the typed errors of `shared/errors.ts`, keeping it as
 * `cause`: {@link SqlConnectionError} (retryable) for a lost or refused connection,
 * {@link SqlQueryError} with its SQLSTATE for a statement the server refused. Anything else
 * (a bug) is returned unchanged so it is not disguised as a database problem.
 *
 * @param action what was being done, for the message (`counting rows of shop.orders`)
 */
export function translatePgError(error: unknown, action: string): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (error instanceof DatabaseError) {
    const sqlState = typeof code === 'string' ? code : null;
    if (sqlState !== null && isConnectionSqlState(sqlState)) {
      return new SqlConnectionError(`${action}: ${error.message} (SQLSTATE ${sqlState})`, { cause: error });
    }
    return new SqlQueryError(
      `${action}: ${error.message}${sqlState === null ? '' : ` (SQLSTATE ${sqlState})`}`,
      sqlState,
      { cause: error },
    );
  }
  if (
    (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) ||
    CONNECTION_LOST_MESSAGES.some((message) => error.message.startsWith(message))
  ) {
    return new SqlConnectionError(`${action}: ${error.message}`, { cause: error });
  }
  return error;
}

/**
 * Runs `work` in a `REPEATABLE READ READ ONLY` transaction on `session` (one snapshot, and nothing can
 * be written by mistake); commits, or rolls back and throws the translated error.
 *
 * @param describe what is being done, for the error message
 */
export async function inReadOnlyTransaction<T>(session: SqlSession, describe: () => string, work: () => Promise<T>): Promise<T> {
  try {
    await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  } catch (error) {
    throw translatePgError(error, describe());
  }
  try {
    const result = await work();
    await session.query('COMMIT');
    return result;
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw translatePgError(error, describe());
  }
}

/** Runs one statement on `session`, a failure translated by {@link translatePgError} with `action`. */
export async function queryFor<R extends QueryResultRow>(session: SqlSession, action: string, text: string, values?: unknown[]): Promise<QueryResult<R>> {
  try {
    return await session.query<R>(text, values);
  } catch (error) {
    throw translatePgError(error, action);
  }
}

/** The schema and version of the installed `amcheck` extension, or null when it is not installed. */
export async function installedAmcheck(session: SqlSession): Promise<{ schema: string; version: string } | null> {
  const result = await queryFor<{ schema: string; version: string }>(
    session,
    'looking up amcheck',
    `SELECT n.nspname AS schema, e.extversion AS version
       FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname = 'amcheck'`,
  );
  return result.rows[0] ?? null;
}
