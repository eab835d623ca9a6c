/**
 * PostgreSQL implementation of the {@link DatabaseInspector} port, over one `pg` connection.
 *
 * Every read runs in a `REPEATABLE READ READ ONLY` transaction: the schema is read from one
 * catalog snapshot, the row counts from one data snapshot, and nothing can be written by mistake.
 * Inside it `search_path` is set to `pg_catalog` only, so PostgreSQL prints every type, table and
 * sequence name schema-qualified: the description then does not depend on the role's `search_path`,
 * which may differ between the production database and a restored copy.
 */
import { DatabaseError, escapeIdentifier } from 'pg';
import type { QueryResult, QueryResultRow } from 'pg';
import { HEARTBEAT_TABLE, qualifiedName } from '../../domain/verification/manifest.ts';
import type {
  ColumnDescription,
  ConstraintDescription,
  IndexDescription,
  RowCounts,
  SchemaDescription,
  TableDescription,
  TableKind,
  TableRef,
} from '../../domain/verification/manifest.ts';
import type { CounterReading, OpenTransaction, TableCounters } from '../../domain/verification/bracket-model.ts';
import type { DatabaseInspector } from '../../ports/database-inspector.ts';
import type { WriteStatistics } from '../../ports/write-statistics.ts';
import { SqlConnectionError, SqlQueryError } from '../../shared/errors.ts';
import { describeSchemaObjects } from './schema-objects.ts';

/**
 * What the inspector needs of a connection: a `pg.Client` or a `PoolClient` checked out for the
 * whole call. Not a `Pool`: a transaction must stay on one connection.
 */
export interface SqlSession {
  /** Runs one statement (or several, when there are no parameters). */
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * DDL of the heartbeat table the probe writes every minute (idempotent). The index on
 * `written_at` keeps "newest heartbeat" an index lookup however long the table grows.
 */
export const HEARTBEAT_TABLE_DDL = `CREATE SCHEMA IF NOT EXISTS dr;
CREATE TABLE IF NOT EXISTS dr.heartbeat (
  id bigserial PRIMARY KEY,
  written_at timestamptz NOT NULL DEFAULT now(),
  writer text NOT NULL
);
CREATE INDEX IF NOT EXISTS heartbeat_written_at_idx ON dr.heartbeat (written_at);`;

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

interface TableRow extends QueryResultRow {
  schema: string;
  name: string;
  relkind: string;
  relpersistence: string;
  columns: ColumnDescription[];
  constraints: ConstraintDescription[];
  indexes: IndexDescription[];
}

/**
 * One statement for the whole description: the JSON aggregates keep it one round trip however many
 * tables there are. Columns come in `attnum` order (dropped ones skipped); NOT NULL constraints
 * (`contype = 'n'`, PostgreSQL 18+) are left out because `nullable` already says it.
 */
const DESCRIBE_SCHEMA_SQL = `
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relkind::text AS relkind,
       c.relpersistence::text AS relpersistence,
       (SELECT coalesce(json_agg(json_build_object(
                 'name', a.attname,
                 'type', format_type(a.atttypid, a.atttypmod),
                 'nullable', NOT a.attnotnull,
                 'default', CASE
                   WHEN a.attidentity = 'a' THEN 'GENERATED ALWAYS AS IDENTITY'
                   WHEN a.attidentity = 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY'
                   WHEN a.attgenerated = 's'
                     THEN 'GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') STORED'
                   ELSE pg_get_expr(d.adbin, d.adrelid)
                 END) ORDER BY a.attnum), '[]'::json)
          FROM pg_attribute a
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       (SELECT coalesce(json_agg(json_build_object(
                 'name', con.conname,
                 'type', CASE con.contype
                   WHEN 'p' THEN 'primary key' WHEN 'f' THEN 'foreign key' WHEN 'u' THEN 'unique'
                   WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' WHEN 't' THEN 'trigger'
                 END,
                 'definition', pg_get_constraintdef(con.oid)) ORDER BY con.conname), '[]'::json)
          FROM pg_constraint con
         WHERE con.conrelid = c.oid AND con.contype IN ('p', 'f', 'u', 'c', 'x', 't')) AS constraints,
       (SELECT coalesce(json_agg(json_build_object(
                 'name', ic.relname,
                 'definition', pg_get_indexdef(i.indexrelid),
                 'method', am.amname,
                 'unique', i.indisunique) ORDER BY ic.relname), '[]'::json)
          FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
          JOIN pg_am am ON am.oid = ic.relam
         WHERE i.indrelid = c.oid) AS indexes
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
 ORDER BY n.nspname, c.relname`;

function tableKind(row: TableRow): TableKind {
  if (row.relkind === 'p') return 'partitioned table';
  return row.relpersistence === 'u' ? 'unlogged table' : 'table';
}

/** `pg` returns `bigint` as a string so no precision is lost silently; refuse what a number cannot hold. */
function toCount(value: string, table: string): number {
  const count = Number(value);
  if (!Number.isSafeInteger(count)) {
    throw new RangeError(`row count of ${table} (${value}) is beyond Number.MAX_SAFE_INTEGER`);
  }
  return count;
}

/** ISO 8601 UTC with microseconds, formatted by the server (a JS Date would drop the microseconds). */
const ISO = (expression: string): string => `to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Counters and storage identity of the named tables, and the server state, in one statement.
 * `pg_stat_user_tables` is read with `stats_fetch_consistency = none` (set by the caller) so each
 * value comes from shared memory now, not from a snapshot cached earlier in the transaction.
 * https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-STATS-VIEWS
 */
const COUNTERS_SQL = `
SELECT t.schema, t.name,
       coalesce(s.n_tup_ins, 0)::text AS inserted,
       coalesce(s.n_tup_del, 0)::text AS deleted,
       coalesce(s.n_tup_upd, 0)::text AS updated,
       coalesce(pg_relation_filenode(c.oid)::text, '') AS storage,
       c.relpersistence = 'u' AS unlogged
  FROM unnest($1::text[], $2::text[]) AS t(schema, name)
  JOIN pg_namespace n ON n.nspname = t.schema
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.name
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid`;

const SERVER_SQL = `
SELECT ${ISO('clock_timestamp()')} AS clock,
       ${ISO('pg_postmaster_start_time()')} AS started_at,
       (SELECT ${ISO('stats_reset')} FROM pg_stat_database WHERE datname = current_database()) AS stats_reset_at`;

/**
 * Other sessions' transactions begun before $1 and still open. A session of another role that this
 * role may not inspect shows a null state (it lacks pg_read_all_stats): it is listed too.
 */
const OPEN_TRANSACTIONS_SQL = `
SELECT pid, coalesce(${ISO('xact_start')}, '') AS since, coalesce(state, 'not visible to this role (grant pg_read_all_stats)') AS state,
       coalesce(application_name, '') AS application_name
  FROM pg_stat_activity
 WHERE pid <> pg_backend_pid()
   AND backend_type = 'client backend'
   -- Only sessions of this database can write its tables (statistics are per database);
   -- datname stays visible for other roles' sessions, state and xact_start do not.
   AND datname = current_database()
   AND ((xact_start IS NOT NULL AND xact_start < $1) OR state IS NULL)
 ORDER BY xact_start NULLS FIRST, pid`;

/** {@link DatabaseInspector} and {@link WriteStatistics} over one `pg` connection. */
export class PgDatabaseInspector implements DatabaseInspector, WriteStatistics {
  readonly #session: SqlSession;

  /** @param session a connected client, used for one call at a time (a transaction per call). */
  constructor(session: SqlSession) {
    this.#session = session;
  }

  /** {@inheritDoc DatabaseInspector.describeSchema} */
  async describeSchema(): Promise<SchemaDescription> {
    const { rows, objects } = await this.#readOnly('describing the schema', async () => {
      await this.#session.query('SET LOCAL search_path = pg_catalog');
      // One snapshot for the tables and everything else (routines, triggers, grants, …).
      const tableRows = (await this.#session.query<TableRow>(DESCRIBE_SCHEMA_SQL)).rows;
      return { rows: tableRows, objects: await describeSchemaObjects(this.#session) };
    });
    const tables = rows.map(
      (row): TableDescription => ({
        schema: row.schema,
        name: row.name,
        kind: tableKind(row),
        columns: row.columns,
        constraints: row.constraints,
        indexes: row.indexes,
      }),
    );
    return { tables, objects };
  }

  /** {@inheritDoc DatabaseInspector.countRows} */
  async countRows(tables: readonly TableRef[]): Promise<RowCounts> {
    if (tables.length === 0) return {};
    let current = '';
    return this.#readOnly(
      () => (current === '' ? 'counting rows' : `counting rows of ${current}`),
      async () => {
        // One statement per table, all in this transaction: the snapshot is taken by the first
        // count and every later count reads the same one, so concurrent writes never skew them.
        const counts: Record<string, number> = {};
        for (const table of tables) {
          current = qualifiedName(table);
          const relation = `${escapeIdentifier(table.schema)}.${escapeIdentifier(table.name)}`;
          const result = await this.#session.query<{ n: string }>(`SELECT count(*) AS n FROM ${relation}`);
          counts[current] = toCount(result.rows[0]?.n ?? '0', current);
        }
        return counts;
      },
    );
  }

  /** {@inheritDoc DatabaseInspector.latestHeartbeat} */
  async latestHeartbeat(): Promise<string | null> {
    const relation = `${escapeIdentifier(HEARTBEAT_TABLE.schema)}.${escapeIdentifier(HEARTBEAT_TABLE.name)}`;
    return this.#readOnly('reading the heartbeat', async () => {
      // Checked first rather than catching 42P01: a database without the probe is normal, not an
      // error worth a line in the server log.
      const exists = await this.#session.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
        relation,
      ]);
      if (exists.rows[0]?.present !== true) return null;
      // Formatted by the server: a JS Date would drop the microseconds.
      const result = await this.#session.query<{ latest: string | null }>(
        `SELECT to_char(max(written_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS latest
           FROM ${relation}`,
      );
      return result.rows[0]?.latest ?? null;
    });
  }

  /** {@inheritDoc WriteStatistics.readCounters} */
  async readCounters(tables: readonly TableRef[]): Promise<CounterReading> {
    return this.#readOnly('reading the write counters', async () => {
      await this.#session.query("SET LOCAL stats_fetch_consistency = 'none'");
      const server = (await this.#session.query<{ clock: string; started_at: string; stats_reset_at: string | null }>(SERVER_SQL)).rows[0];
      const rows = (
        await this.#session.query<{ schema: string; name: string; inserted: string; deleted: string; updated: string; storage: string; unlogged: boolean }>(COUNTERS_SQL, [
          tables.map((t) => t.schema),
          tables.map((t) => t.name),
        ])
      ).rows;
      const counters: Record<string, TableCounters> = {};
      for (const row of rows) {
        const name = qualifiedName(row);
        counters[name] = { inserted: toCount(row.inserted, name), deleted: toCount(row.deleted, name), updated: toCount(row.updated, name), storage: row.storage, unlogged: row.unlogged };
      }
      if (server === undefined) throw new RangeError('the server state query returned no row');
      return { server: { clock: server.clock, startedAt: server.started_at, statsResetAt: server.stats_reset_at }, tables: counters };
    });
  }

  /** {@inheritDoc WriteStatistics.openTransactions} */
  async openTransactions(before: Date): Promise<OpenTransaction[]> {
    const rows = await this.#readOnly('listing open transactions', async () => {
      await this.#session.query("SET LOCAL stats_fetch_consistency = 'none'");
      return (await this.#session.query<{ pid: number; since: string; state: string; application_name: string }>(OPEN_TRANSACTIONS_SQL, [before.toISOString()])).rows;
    });
    return rows.map((row) => ({ pid: row.pid, since: row.since, state: row.state, applicationName: row.application_name }));
  }

  /** {@inheritDoc WriteStatistics.serverClock} */
  async serverClock(): Promise<Date> {
    const row = await this.#readOnly('reading the server clock', async () => (await this.#session.query<{ now: string }>(`SELECT ${ISO('clock_timestamp()')} AS now`)).rows[0]);
    return new Date(row?.now ?? Number.NaN);
  }

  /**
   * Runs `work` in a `REPEATABLE READ READ ONLY` transaction, commits, and translates errors.
   * On failure it rolls back so the session stays usable; a failed rollback (the connection is
   * gone) is ignored because the original error is the one worth reporting.
   */
  async #readOnly<T>(action: string | (() => string), work: () => Promise<T>): Promise<T> {
    const describe = typeof action === 'string' ? () => action : action;
    try {
      await this.#session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    } catch (error) {
      throw translatePgError(error, describe());
    }
    try {
      const result = await work();
      await this.#session.query('COMMIT');
      return result;
    } catch (error) {
      await this.#session.query('ROLLBACK').catch(() => undefined);
      throw translatePgError(error, describe());
    }
  }
}
