/**
 * PostgreSQL implementation of the {@link VerificationProbe} port, over one or more connections.
 *
 * The expensive work (reading every table, amcheck on every index) is spread over all connections,
 * largest object first, like `pg_dump -j`. Table reads share one snapshot: the first connection
 * exports it (`pg_export_snapshot`) and the others import it, so the row counts describe one point
 * in time however many connections read them.
 *
 * Reading in full is `SELECT count(*), sum(octet_length(concat(col, …)))` per table, on the server:
 * `concat` calls every column's type output function, so every value is deformed, every TOASTed
 * value fetched and decompressed, and every value proven printable: the same work as the
 * `COPY … TO STDOUT` of `pg_dump`, without shipping the data to the client, and the same scan
 * yields the exact count. (A whole-row `t::text` proves the same but costs about twice as much;
 * `count(*)` alone never looks at the values.)
 */
import { DatabaseError, escapeIdentifier } from 'pg';
import type { ClientBase, QueryArrayConfig, QueryConfig } from 'pg';
import { qualifiedName } from '../../domain/verification/manifest.ts';
import type { SchemaDescription, TableRef } from '../../domain/verification/manifest.ts';
import type {
  AssertionObservation,
  BtreeCheckRun,
  ConnectionSecurity,
  IndexCheckOutcome,
  IndexRef,
  TableReadOutcome,
  VerificationProbe,
} from '../../ports/verification-probe.ts';
import { SqlConnectionError, SqlQueryError } from '../../shared/errors.ts';
import { openSession } from './connect.ts';
import type { DbEndpoint } from './connect.ts';
import { PgDatabaseInspector } from './inspector.ts';
import { installedAmcheck, queryFor, translatePgError } from './sql.ts';
import { PgStructureProbe } from './structure-probe.ts';
import type {
  ConstraintCheckOutcome,
  GinCheckRun,
  HeapCheckRun,
  IndexState,
  SequenceObservation,
} from '../../ports/structure-probe.ts';
import { restoredLargeObjects, scanRestoredContent } from './content.ts';
import type { ContentRequest, LargeObjectTally, TableContent } from '../../domain/verification/content-model.ts';
import { observeLedger } from './ledger.ts';
import type { LedgerObservation } from '../../domain/verification/exact-counts-model.ts';
import { runPool } from './session-pool.ts';

/** What the probe needs of a connection: a `pg.Client` (or a checked-out `PoolClient`). */
export type ProbeSession = Pick<ClientBase, 'query'>;

/** Options of {@link PgVerificationProbe}. */
export interface PgVerificationProbeOptions {
  /**
   * Statement timeout of one table read or one index check. A full read of a large table
   * legitimately takes minutes, far beyond the 30 s sessions use for short statements.
   * @default 600000 (10 minutes; the verify Lambda's 15-minute ceiling bounds the whole run anyway)
   */
  readonly scanTimeoutMs?: number;
}

/** `pg` query options the type definitions leave out: the extended protocol and a per-query client timeout. */
interface ProbeQueryConfig extends QueryConfig {
  /** Forces Parse/Bind/Execute even without parameters: the server then refuses a second statement. */
  readonly queryMode?: 'extended';
  /** Client-side timeout of this query (overrides the session's `query_timeout`). */
  readonly query_timeout?: number;
}

/** Same, returning rows as arrays. */
interface ProbeArrayQueryConfig extends QueryArrayConfig {
  readonly queryMode?: 'extended';
  readonly query_timeout?: number;
}

/** `concat` takes at most 100 arguments (FUNC_MAX_ARGS); wider tables are read in groups. */
const CONCAT_MAX_ARGS = 100;

/** The schema the probe creates amcheck in when the database does not have it. */
export const AMCHECK_SCHEMA = 'dr_amcheck';

/**
 * The search_path of the probe's own statements (reads and index checks): the catalog only, so
 * neither a hardened setting (`"$user"`, no schema) nor objects in a user schema change what runs.
 */
const PROBE_SEARCH_PATH = 'pg_catalog, pg_temp';

/** SQLSTATEs amcheck uses for corruption: index_corrupted, data_corrupted. */
const CORRUPTION_SQLSTATES = new Set(['XX002', 'XX001']);

/** The type parser for assertion values: booleans as booleans, everything else in its text form. */
const RAW_TYPES = {
  getTypeParser: (oid: number) => (oid === 16 ? (text: string) => text === 't' : (text: string) => text),
} as unknown as NonNullable<QueryConfig['types']>;

function relationOf(table: TableRef): string {
  return `${escapeIdentifier(table.schema)}.${escapeIdentifier(table.name)}`;
}

function indexRelation(index: IndexRef): string {
  return `${escapeIdentifier(index.schema)}.${escapeIdentifier(index.name)}`;
}

/** `pg` returns bigint and numeric as strings; refuse what a number cannot hold exactly. */
function toSafeNumber(value: string, what: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`${what} (${value}) is beyond Number.MAX_SAFE_INTEGER`);
  return number;
}

/** The message of a refused statement, with its SQLSTATE, as reports show it. */
function serverMessage(error: unknown): string {
  if (error instanceof DatabaseError) return `${error.message}${error.code === undefined ? '' : ` (SQLSTATE ${error.code})`}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Rethrows what is not a statement the server refused: a lost connection (as SqlConnectionError)
 * or a bug. What returns is a refused statement, to be reported for its table or index.
 */
function refusedOrThrow(error: unknown, action: string): DatabaseError {
  const translated = translatePgError(error, action);
  if (translated instanceof SqlQueryError && error instanceof DatabaseError) return error;
  throw translated;
}

interface ReadJob {
  readonly index: number;
  readonly table: TableRef;
  readonly sql: string | null;
  readonly bytes: number;
}

interface IndexJob {
  readonly index: number;
  readonly ref: IndexRef;
  readonly cost: number;
  readonly skip: string | null;
}

/** {@link VerificationProbe} over `pg` connections to one database. */
export class PgVerificationProbe implements VerificationProbe {
  readonly #sessions: readonly ProbeSession[];
  readonly #main: ProbeSession;
  readonly #inspector: PgDatabaseInspector;
  readonly #scanTimeoutMs: number;
  readonly #structure: PgStructureProbe;

  /**
   * @param sessions connected clients to the same database, used by this probe only; the first
   *   one also runs the short statements (schema, heartbeat, assertions). More sessions read and
   *   check in parallel; one per CPU of the database server is a good number.
   */
  constructor(sessions: readonly ProbeSession[], options: PgVerificationProbeOptions = {}) {
    const [main] = sessions;
    if (main === undefined) throw new RangeError('PgVerificationProbe needs at least one session');
    this.#sessions = sessions;
    this.#main = main;
    this.#inspector = new PgDatabaseInspector(main);
    this.#scanTimeoutMs = options.scanTimeoutMs ?? 600_000;
    this.#structure = new PgStructureProbe(sessions, { scanTimeoutMs: this.#scanTimeoutMs, amcheckSchema: AMCHECK_SCHEMA });
  }

  /** {@inheritDoc StructureProbe.indexStates} */
  indexStates(): Promise<readonly IndexState[]> {
    return this.#structure.indexStates();
  }

  /** {@inheritDoc StructureProbe.sequenceStates} */
  sequenceStates(): Promise<readonly SequenceObservation[]> {
    return this.#structure.sequenceStates();
  }

  /** {@inheritDoc StructureProbe.checkForeignKeys} */
  checkForeignKeys(): Promise<readonly ConstraintCheckOutcome[]> {
    return this.#structure.checkForeignKeys();
  }

  /** {@inheritDoc StructureProbe.checkCheckConstraints} */
  checkCheckConstraints(): Promise<readonly ConstraintCheckOutcome[]> {
    return this.#structure.checkCheckConstraints();
  }

  /** {@inheritDoc StructureProbe.checkGinIndexes} */
  checkGinIndexes(indexes: readonly IndexRef[]): Promise<GinCheckRun> {
    return this.#structure.checkGinIndexes(indexes);
  }

  /** {@inheritDoc StructureProbe.checkHeapPages} */
  checkHeapPages(tables: readonly TableRef[]): Promise<HeapCheckRun> {
    return this.#structure.checkHeapPages(tables);
  }

  /** {@inheritDoc VerificationProbe.connectionSecurity} */
  async connectionSecurity(): Promise<readonly ConnectionSecurity[]> {
    const sql = 'SELECT pid, ssl, version, cipher, bits FROM pg_stat_ssl WHERE pid = pg_backend_pid()';
    return Promise.all(
      this.#sessions.map(async (session) => {
        try {
          const result = await session.query<ConnectionSecurity>(sql);
          const row = result.rows[0];
          if (row === undefined) throw new SqlQueryError('reading pg_stat_ssl: no row for this backend', null);
          return { pid: row.pid, ssl: row.ssl, version: row.version, cipher: row.cipher, bits: row.bits };
        } catch (error) {
          throw translatePgError(error, 'reading pg_stat_ssl');
        }
      }),
    );
  }

  /** {@inheritDoc VerificationProbe.describeSchema} */
  describeSchema(): Promise<SchemaDescription> {
    return this.#inspector.describeSchema();
  }

  /** {@inheritDoc VerificationProbe.latestHeartbeat} */
  latestHeartbeat(): Promise<string | null> {
    return this.#inspector.latestHeartbeat();
  }

  /** {@inheritDoc VerificationProbe.dataChecksums} */
  async dataChecksums(): Promise<boolean> {
    const result = await this.#query<{ on: boolean }>('reading data_checksums', "SELECT current_setting('data_checksums') = 'on' AS on");
    return result.rows[0]?.on === true;
  }

  /**
   * {@inheritDoc VerificationProbe.scanContent}
   *
   * One table per job over every session, each in a transaction of its own: nothing writes the
   * restored copy, so the scans need no shared snapshot.
   */
  async scanContent(requests: readonly ContentRequest[], seed: number): Promise<Readonly<Record<string, TableContent | string>>> {
    const parts = await runPool(this.#sessions, requests, (session, request) => scanRestoredContent(session, [request], seed, this.#scanTimeoutMs));
    return Object.assign({}, ...parts) as Record<string, TableContent | string>;
  }

  /** {@inheritDoc VerificationProbe.largeObjects} */
  largeObjects(): Promise<LargeObjectTally> {
    return restoredLargeObjects(this.#main);
  }

  /**
   * {@inheritDoc VerificationProbe.readTables}
   *
   * Each read runs under a savepoint: a table that fails (a corrupt page, a missing TOAST chunk)
   * rolls back to it and the connection keeps its transaction and snapshot for the next table.
   */
  async readTables(tables: readonly TableRef[]): Promise<readonly TableReadOutcome[]> {
    if (tables.length === 0) return [];
    const [main, ...others] = this.#sessions as [ProbeSession, ...ProbeSession[]];
    const begin = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
    const timeout = `${this.#scanTimeoutMs}ms`;
    const opened: ProbeSession[] = [];
    try {
      await main.query(begin);
      opened.push(main);
      await main.query("SELECT set_config('statement_timeout', $1, true), set_config('search_path', $2, true)", [timeout, PROBE_SEARCH_PATH]);
      const exported = await main.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
      const snapshot = exported.rows[0]?.id ?? '';
      // allSettled, not all: every BEGIN must have finished before a failure rolls the opened ones back.
      const imports = await Promise.allSettled(
        others.map(async (session) => {
          await session.query(begin);
          opened.push(session);
          // SET TRANSACTION SNAPSHOT takes no parameters; the id is the server's own output, quoted anyway.
          await session.query(`SET TRANSACTION SNAPSHOT '${snapshot.replaceAll("'", "''")}'`);
          await session.query("SELECT set_config('statement_timeout', $1, true), set_config('search_path', $2, true)", [timeout, PROBE_SEARCH_PATH]);
        }),
      );
      const failedImport = imports.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failedImport !== undefined) throw failedImport.reason;
      const jobs = await this.#planReads(main, tables);
      const outcomes = await runPool(this.#sessions, jobs, (session, job) => this.#readOne(session, job));
      await Promise.all(opened.map((session) => session.query('COMMIT')));
      const byIndex = new Map(outcomes.map((outcome, position) => [jobs[position]?.index ?? -1, outcome]));
      return tables.map((_, index) => byIndex.get(index) as TableReadOutcome);
    } catch (error) {
      await Promise.all(opened.map((session) => session.query('ROLLBACK').catch(() => undefined)));
      throw translatePgError(error, 'reading tables');
    }
  }

  /** Builds one read statement per table, largest table first so the longest read starts first. */
  async #planReads(main: ProbeSession, tables: readonly TableRef[]): Promise<ReadJob[]> {
    const relations = tables.map(relationOf);
    const catalog = await main.query<{ ord: number; found: boolean; columns: string[] | null; bytes: string }>(
      `SELECT r.ord::int AS ord,
              c.oid IS NOT NULL AS found,
              (SELECT array_agg(a.attname::text ORDER BY a.attnum)
                 FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
              coalesce(pg_catalog.pg_total_relation_size(c.oid), 0)::text AS bytes
         FROM unnest($1::text[]) WITH ORDINALITY AS r(relation, ord)
         LEFT JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(r.relation)
        ORDER BY r.ord`,
      [relations],
    );
    const jobs = catalog.rows.map((row): ReadJob => {
      const index = row.ord - 1;
      const table = tables[index] as TableRef;
      if (!row.found) return { index, table, sql: null, bytes: 0 };
      const columns = (row.columns ?? []).map((column) => escapeIdentifier(column));
      const groups: string[] = [];
      for (let start = 0; start < columns.length; start += CONCAT_MAX_ARGS) {
        groups.push(`octet_length(concat(${columns.slice(start, start + CONCAT_MAX_ARGS).join(', ')}))::bigint`);
      }
      const bytes = groups.length === 0 ? '0' : `coalesce(sum(${groups.join(' + ')}), 0)`;
      // No ONLY: a manifest counts `FROM t` too, which includes the rows of inheritance children.
      const sql = `SELECT count(*)::text AS rows, (${bytes})::text AS bytes FROM ${relationOf(table)}`;
      return { index, table, sql, bytes: Number(row.bytes) };
    });
    return jobs.sort((a, b) => b.bytes - a.bytes);
  }

  async #readOne(session: ProbeSession, job: ReadJob): Promise<TableReadOutcome> {
    const name = qualifiedName(job.table);
    if (job.sql === null) return { table: job.table, ok: false, error: 'table does not exist' };
    await session.query('SAVEPOINT verify_read');
    try {
      const config: ProbeQueryConfig = { text: job.sql, query_timeout: this.#scanTimeoutMs + 1_000 };
      const result = await session.query<{ rows: string; bytes: string }>(config);
      await session.query('RELEASE SAVEPOINT verify_read');
      const row = result.rows[0];
      return {
        table: job.table,
        ok: true,
        rows: toSafeNumber(row?.rows ?? '0', `row count of ${name}`),
        bytes: toSafeNumber(row?.bytes ?? '0', `bytes read from ${name}`),
      };
    } catch (error) {
      const refused = refusedOrThrow(error, `reading ${name}`);
      await session.query('ROLLBACK TO SAVEPOINT verify_read');
      return { table: job.table, ok: false, error: serverMessage(refused) };
    }
  }

  /**
   * {@inheritDoc VerificationProbe.checkBtreeIndexes}
   *
   * amcheck is created for the run when absent (and dropped afterwards, leaving the database as it
   * was found: a point-in-time restore may become production). Each check runs in its own short
   * READ COMMITTED transaction, not in the shared snapshot of the reads: under REPEATABLE READ,
   * `heapallindexed` refuses an index built after the snapshot's horizon.
   */
  async checkBtreeIndexes(indexes: readonly IndexRef[]): Promise<BtreeCheckRun> {
    if (indexes.length === 0) return { available: true, detail: 'amcheck not needed', outcomes: [] };
    const main = this.#main;
    const installed = await this.#amcheck();
    let created: 'nothing' | 'extension' | 'schema and extension' = 'nothing';
    let amcheck = installed;
    if (amcheck === null) {
      // An explicit schema of the probe's own: CREATE EXTENSION without one takes the first schema
      // of the session's search_path, and a hardened database (`search_path = "$user"`, restored
      // with every snapshot as a per-database setting) has none, so it fails with 3F000.
      const schema = await this.#query<{ exists: boolean }>(
        'looking up the amcheck schema',
        'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS exists',
        [AMCHECK_SCHEMA],
      );
      const schemaExisted = schema.rows[0]?.exists === true;
      let statement = `CREATE SCHEMA ${AMCHECK_SCHEMA}`;
      try {
        if (!schemaExisted) await main.query(`CREATE SCHEMA ${escapeIdentifier(AMCHECK_SCHEMA)}`);
        created = schemaExisted ? 'extension' : 'schema and extension';
        statement = `CREATE EXTENSION amcheck SCHEMA ${AMCHECK_SCHEMA}`;
        await main.query(`CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA ${escapeIdentifier(AMCHECK_SCHEMA)}`);
      } catch (error) {
        const refused = refusedOrThrow(error, 'creating amcheck');
        await this.#dropCreated(created);
        return { available: false, reason: `${statement}: ${serverMessage(refused)}` };
      }
      amcheck = await this.#amcheck();
    }
    try {
      if (amcheck === null) return { available: false, reason: 'amcheck is not installed after CREATE EXTENSION' };
      const checker = `${escapeIdentifier(amcheck.schema)}.bt_index_check(regclass, boolean)`;
      const allowed = await this.#query<{ allowed: boolean }>(
        'checking amcheck privileges',
        "SELECT has_function_privilege($1, 'EXECUTE') AS allowed",
        [checker],
      );
      if (allowed.rows[0]?.allowed !== true) {
        return { available: false, reason: `amcheck ${amcheck.version} is installed but this role may not execute bt_index_check` };
      }
      const jobs = await this.#planIndexChecks(indexes);
      const call = `SELECT ${escapeIdentifier(amcheck.schema)}.bt_index_check($1::regclass, true)`;
      const outcomes = await runPool(this.#sessions, jobs, (session, job) => this.#checkOne(session, job, call));
      const byIndex = new Map(outcomes.map((outcome, position) => [jobs[position]?.index ?? -1, outcome]));
      const how = installed === null ? 'created for this run, then dropped' : 'already installed';
      return {
        available: true,
        detail: `amcheck ${amcheck.version} ${how}`,
        outcomes: indexes.map((_, index) => byIndex.get(index) as IndexCheckOutcome),
      };
    } finally {
      await this.#dropCreated(created);
    }
  }

  /**
   * Drops what this run created, leaving the database as it was found (a point-in-time restore may
   * become production). Best effort: a leftover amcheck is harmless, the outcomes are what matter.
   */
  async #dropCreated(created: 'nothing' | 'extension' | 'schema and extension'): Promise<void> {
    if (created === 'nothing') return;
    await this.#main.query('DROP EXTENSION IF EXISTS amcheck').catch(() => undefined);
    // No CASCADE: a schema someone else put objects into since is left alone.
    if (created === 'schema and extension') {
      await this.#main.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(AMCHECK_SCHEMA)}`).catch(() => undefined);
    }
  }

  #amcheck(): Promise<{ schema: string; version: string } | null> {
    return installedAmcheck(this.#main);
  }

  /**
   * One job per index, the costliest first. `heapallindexed` fingerprints every index tuple and
   * then every heap row, so the cost follows row counts far more than bytes: the estimate is the
   * planner's `reltuples` of index and table (kept in `pg_class`, so a restored copy has them),
   * or a size-based guess for relations never analyzed. Invalid or not-ready indexes are skipped:
   * amcheck refuses them, and a failed `CREATE INDEX CONCURRENTLY` leaves one on the source too.
   */
  async #planIndexChecks(indexes: readonly IndexRef[]): Promise<IndexJob[]> {
    const catalog = await this.#query<{ ord: number; found: boolean; valid: boolean; cost: string }>(
      'planning index checks',
      `SELECT r.ord::int AS ord,
              i.indexrelid IS NOT NULL AS found,
              coalesce(i.indisvalid AND i.indisready, false) AS valid,
              (SELECT coalesce(sum(CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE pg_catalog.pg_relation_size(c.oid) / 100 END), 0)
                 FROM pg_catalog.pg_class c WHERE c.oid IN (i.indexrelid, i.indrelid))::text AS cost
         FROM unnest($1::text[]) WITH ORDINALITY AS r(relation, ord)
         LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = pg_catalog.to_regclass(r.relation)
        ORDER BY r.ord`,
      [indexes.map(indexRelation)],
    );
    const jobs = catalog.rows.map((row): IndexJob => {
      const index = row.ord - 1;
      const ref = indexes[index] as IndexRef;
      const skip = !row.found ? null : row.valid ? null : 'index is not valid (a failed CREATE INDEX CONCURRENTLY?)';
      return { index, ref, cost: row.found ? Number(row.cost) : 0, skip: row.found ? skip : null };
    });
    return jobs.sort((a, b) => b.cost - a.cost);
  }

  async #checkOne(session: ProbeSession, job: IndexJob, call: string): Promise<IndexCheckOutcome> {
    if (job.skip !== null) return { index: job.ref, status: 'skipped', message: job.skip };
    await session.query('BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY');
    try {
      await session.query("SELECT set_config('statement_timeout', $1, true), set_config('search_path', $2, true)", [
        `${this.#scanTimeoutMs}ms`,
        PROBE_SEARCH_PATH,
      ]);
      const config: ProbeQueryConfig = {
        text: call,
        values: [indexRelation(job.ref)],
        query_timeout: this.#scanTimeoutMs + 1_000,
      };
      await session.query(config);
      await session.query('COMMIT');
      return { index: job.ref, status: 'passed', message: '' };
    } catch (error) {
      const refused = refusedOrThrow(error, `checking index ${job.ref.schema}.${job.ref.name}`);
      await session.query('ROLLBACK');
      const corrupt = refused.code !== undefined && CORRUPTION_SQLSTATES.has(refused.code);
      return {
        index: job.ref,
        status: 'failed',
        message: corrupt ? serverMessage(refused) : `could not check: ${serverMessage(refused)}`,
      };
    }
  }

  /**
   * {@inheritDoc VerificationProbe.runAssertion}
   *
   * The extended protocol makes the server refuse a second statement, so `COMMIT; DELETE …` cannot
   * step out of the read-only transaction; the transaction is rolled back whatever happened.
   */
  async runAssertion(query: string, timeoutMs: number): Promise<AssertionObservation> {
    const main = this.#main;
    try {
      await main.query('BEGIN READ ONLY');
    } catch (error) {
      throw translatePgError(error, 'running assertion');
    }
    try {
      await main.query("SELECT set_config('statement_timeout', $1, true)", [`${timeoutMs}ms`]);
      const config: ProbeArrayQueryConfig = {
        text: query,
        rowMode: 'array',
        queryMode: 'extended',
        types: RAW_TYPES,
        query_timeout: timeoutMs + 1_000,
      };
      const result = await main.query<unknown[]>(config);
      const first = result.rows[0]?.[0];
      return {
        rows: result.rows.length,
        columns: result.fields.length,
        value: first === undefined || first === null ? null : (first as string | boolean),
      };
    } catch (error) {
      // The server's own words are the evidence; "running assertion:" would only repeat the check id.
      const translated = translatePgError(error, 'running assertion');
      if (translated instanceof SqlQueryError && error instanceof DatabaseError) {
        throw new SqlQueryError(serverMessage(error), translated.sqlState, { cause: error });
      }
      throw translated;
    } finally {
      await main.query('ROLLBACK').catch(() => undefined);
    }
  }

  /** {@inheritDoc VerificationProbe.observeLedger} */
  observeLedger(tables: readonly string[]): Promise<readonly LedgerObservation[]> {
    return observeLedger(this.#main, tables);
  }

  #query<R extends Record<string, unknown>>(action: string, text: string, values?: unknown[]) {
    return queryFor<R>(this.#main, action, text, values);
  }
}

/** An opened probe and the way to close its connections. */
export interface OpenedProbe {
  /** The probe, over `parallelism` connections. */
  readonly probe: PgVerificationProbe;
  /** Closes every connection; never throws. */
  close(): Promise<void>;
}

/**
 * Opens `parallelism` connections to `endpoint` (with {@link openSession}'s timeouts and TLS) and a
 * probe over them. The long reads and index checks set their own statement and client timeouts
 * (`scanTimeoutMs`); every other statement keeps the session's.
 */
export async function openVerificationProbe(
  endpoint: DbEndpoint,
  options: PgVerificationProbeOptions & { readonly parallelism?: number } = {},
): Promise<OpenedProbe> {
  const parallelism = options.parallelism ?? 2;
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`parallelism must be a positive integer, got ${parallelism}`);
  const settled = await Promise.allSettled(Array.from({ length: parallelism }, () => openSession(endpoint)));
  const sessions = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const close = async (): Promise<void> => {
    await Promise.all(sessions.map((session) => session.close()));
  };
  const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure !== undefined) {
    await close();
    throw failure.reason instanceof Error ? failure.reason : new SqlConnectionError(String(failure.reason));
  }
  const probe = new PgVerificationProbe(
    sessions.map((session) => session.client),
    options.scanTimeoutMs === undefined ? {} : { scanTimeoutMs: options.scanTimeoutMs },
  );
  return { probe, close };
}
