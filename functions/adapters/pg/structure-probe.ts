/**
 * PostgreSQL implementation of the {@link StructureProbe} port: the structural checks of a restored
 * copy (issue 11 item 5), over the verification probe's sessions.
 *
 * The row-level checks (foreign keys, CHECK constraints, sequence vs column) run in one
 * `REPEATABLE READ READ ONLY` snapshot exported by the first session and imported by the others,
 * each statement under a savepoint so one refused statement leaves the others their snapshot, the
 * costliest first over all sessions (like the table reads of `PgVerificationProbe`). The amcheck
 * checks (GIN, heap) run one short READ COMMITTED transaction per object, like the B-tree check, with
 * amcheck created for the run when absent and dropped afterwards.
 *
 * Every statement is built from catalog names quoted with `escapeIdentifier` and the expressions
 * `pg_get_expr` deparses under the probe's `search_path` (`pg_catalog, pg_temp`), so user objects
 * come out schema-qualified and nothing in a user schema can change what runs.
 */
import { DatabaseError, escapeIdentifier } from 'pg';
import type { ClientBase, QueryConfig } from 'pg';
import type { TableRef } from '../../domain/verification/manifest.ts';
import { HEAP_MESSAGES_KEPT } from '../../domain/verification/structure.ts';
import type {
  ConstraintCheckOutcome,
  ConstraintRef,
  GinCheckRun,
  HeapCheckOutcome,
  HeapCheckRun,
  IndexState,
  SequenceObservation,
  StructureProbe,
} from '../../ports/structure-probe.ts';
import type { GinIndexOutcome } from '../../ports/structure-probe.ts';
import type { IndexRef } from '../../ports/verification-probe.ts';
import { SqlQueryError } from '../../shared/errors.ts';
import { installedAmcheck, queryFor, translatePgError } from './sql.ts';
import { runPool } from './session-pool.ts';

/** What the probe needs of a connection (same as `ProbeSession`). */
type Session = Pick<ClientBase, 'query'>;

/** Options of {@link PgStructureProbe}. */
export interface PgStructureProbeOptions {
  /** Statement timeout of one anti-join, CHECK scan or amcheck call. */
  readonly scanTimeoutMs: number;
  /** Schema amcheck is created in when the database lacks it. */
  readonly amcheckSchema: string;
}

/** `pg` query options the type definitions leave out: a per-query client timeout. */
interface TimedQueryConfig extends QueryConfig {
  readonly query_timeout?: number;
}

const SEARCH_PATH = 'pg_catalog, pg_temp';

/** The schemas the checks look at: every schema but the system ones (the inspector's filter). */
const USER_SCHEMA = (alias: string): string =>
  `${alias}.nspname NOT IN ('pg_catalog', 'information_schema') AND ${alias}.nspname !~ '^pg_(toast|temp_|toast_temp_)'`;

/** amcheck's corruption SQLSTATEs: index_corrupted, data_corrupted. */
const CORRUPTION_SQLSTATES: ReadonlySet<string> = new Set(['XX002', 'XX001']);

/** Refusals that mean "could not look" (no privilege, statement timeout), not damage. */
const CANNOT_LOOK_SQLSTATES: ReadonlySet<string> = new Set(['42501', '57014']);

/** `gin_index_check` arrived with amcheck 1.5 in PostgreSQL 18 (server_version_num). */
const GIN_CHECK_SINCE = 180000;

function serverMessage(error: DatabaseError): string {
  return `${error.message}${error.code === undefined ? '' : ` (SQLSTATE ${error.code})`}`;
}

/** Returns a statement the server refused; rethrows a lost connection (translated) or a bug. */
function refused(error: unknown, action: string): DatabaseError {
  const translated = translatePgError(error, action);
  if (translated instanceof SqlQueryError && error instanceof DatabaseError) return error;
  throw translated;
}

function quoteTable(schema: string, name: string): string {
  return `${escapeIdentifier(schema)}.${escapeIdentifier(name)}`;
}

/** One statement of a snapshot job, and how to turn its row into an outcome. */
interface SnapshotJob<R> {
  readonly cost: number;
  readonly sql: string | null;
  readonly done: (row: Record<string, unknown> | undefined) => R;
  readonly refused: (error: DatabaseError) => R;
}

/** {@link StructureProbe} over `pg` sessions to one database. */
export class PgStructureProbe implements StructureProbe {
  readonly #sessions: readonly Session[];
  readonly #main: Session;
  readonly #options: PgStructureProbeOptions;

  /** @param sessions connected clients, the first one for catalog statements; more run checks in parallel */
  constructor(sessions: readonly Session[], options: PgStructureProbeOptions) {
    const [main] = sessions;
    if (main === undefined) throw new RangeError('PgStructureProbe needs at least one session');
    this.#sessions = sessions;
    this.#main = main;
    this.#options = options;
  }

  /** {@inheritDoc StructureProbe.indexStates} */
  async indexStates(): Promise<readonly IndexState[]> {
    const result = await this.#query<{ schema: string; table: string; name: string; method: string; valid: boolean; ready: boolean; partitioned: boolean }>(
      'reading index states',
      `SELECT n.nspname AS schema, t.relname AS table, c.relname AS name, am.amname AS method,
              i.indisvalid AS valid, i.indisready AS ready, c.relkind = 'I' AS partitioned
         FROM pg_catalog.pg_index i
         JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
         JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_catalog.pg_am am ON am.oid = c.relam
        WHERE ${USER_SCHEMA('n')}
        ORDER BY n.nspname, c.relname`,
    );
    return result.rows.map((row) => ({
      index: { schema: row.schema, table: row.table, name: row.name },
      method: row.method,
      valid: row.valid,
      ready: row.ready,
      partitioned: row.partitioned,
    }));
  }

  /**
   * {@inheritDoc StructureProbe.sequenceStates}
   *
   * Ownership is the `pg_depend` entry `serial`/`OWNED BY` (deptype `a`) or an identity (`i`)
   * makes from the sequence to its column, as `pg_get_serial_sequence` reads it. The column
   * extreme is `max` (ascending) or `min` (descending) over the table with its partitions and
   * inheritance children, which share the sequence through the default.
   */
  async sequenceStates(): Promise<readonly SequenceObservation[]> {
    return this.#inSnapshot('reading sequences', async (main) => {
      const catalog = await main.query<{
        schema: string;
        name: string;
        table_schema: string | null;
        table_name: string | null;
        column: string | null;
        column_type: string | null;
        increment: string;
        min: string;
        max: string;
        cycle: boolean;
        bytes: string;
      }>(
        `SELECT sn.nspname AS schema, s.relname AS name,
                tn.nspname AS table_schema, t.relname AS table_name, a.attname AS column,
                pg_catalog.format_type(a.atttypid, NULL) AS column_type,
                q.seqincrement::text AS increment, q.seqmin::text AS min, q.seqmax::text AS max, q.seqcycle AS cycle,
                coalesce(pg_catalog.pg_total_relation_size(t.oid), 0)::text AS bytes
           FROM pg_catalog.pg_class s
           JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
           JOIN pg_catalog.pg_sequence q ON q.seqrelid = s.oid
           LEFT JOIN pg_catalog.pg_depend d
                  ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = s.oid
                 AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
           LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
           LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
           LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          WHERE s.relkind = 'S' AND ${USER_SCHEMA('sn')}
          ORDER BY sn.nspname, s.relname`,
      );
      return catalog.rows.map((row): SnapshotJob<SequenceObservation> => {
        const sequence = { schema: row.schema, name: row.name };
        if (row.table_schema === null || row.table_name === null || row.column === null) {
          return { cost: 0, sql: null, done: () => ({ kind: 'unowned', sequence }), refused: () => ({ kind: 'unowned', sequence }) };
        }
        const table = { schema: row.table_schema, name: row.table_name };
        const column = row.column;
        const columnType = row.column_type ?? 'unknown';
        const integer = ['smallint', 'integer', 'bigint'].includes(columnType);
        const aggregate = row.increment.startsWith('-') ? 'min' : 'max';
        const extreme = integer
          ? `(SELECT pg_catalog.${aggregate}(${escapeIdentifier(column)})::text FROM ${quoteTable(table.schema, table.name)})`
          : 'NULL::text';
        return {
          cost: Number(row.bytes),
          sql: `SELECT last_value::text AS last_value, is_called, ${extreme} AS extreme FROM ${quoteTable(row.schema, row.name)}`,
          done: (result) => ({
            kind: 'owned',
            sequence,
            table,
            column,
            columnType,
            increment: row.increment,
            minValue: row.min,
            maxValue: row.max,
            cycle: row.cycle,
            lastValue: String(result?.['last_value']),
            isCalled: result?.['is_called'] === true,
            columnExtreme: (result?.['extreme'] as string | null | undefined) ?? null,
          }),
          refused: (error) => ({ kind: 'unreadable', sequence, table, column, error: serverMessage(error), sqlState: error.code ?? null }),
        };
      });
    });
  }

  /**
   * {@inheritDoc StructureProbe.checkForeignKeys}
   *
   * One anti-join per top-level constraint (`conparentid = 0`: the clones a partitioned table
   * gives its partitions, and the ones a partitioned referenced table adds, are covered by it),
   * comparing with the constraint's own equality operators (`conpfeqop`, referenced op
   * referencing). MATCH SIMPLE: a key with any NULL column is never an orphan. MATCH FULL: an
   * all-NULL key is fine, a partly NULL one violates. `ONLY` on each side unless it is partitioned:
   * foreign keys are not inherited by inheritance children, and the RI triggers look `ONLY` too.
   */
  async checkForeignKeys(): Promise<readonly ConstraintCheckOutcome[]> {
    return this.#inSnapshot('checking foreign keys', async (main) => {
      const catalog = await main.query<{
        schema: string;
        table: string;
        name: string;
        validated: boolean;
        definition: string;
        match: string;
        kind: string;
        ref_schema: string;
        ref_table: string;
        ref_kind: string;
        columns: string[];
        ref_columns: string[];
        operators: string[];
        bytes: string;
      }>(
        `SELECT n.nspname AS schema, t.relname AS table, con.conname AS name, con.convalidated AS validated,
                pg_catalog.pg_get_constraintdef(con.oid) AS definition, con.confmatchtype::text AS match, t.relkind::text AS kind,
                rn.nspname AS ref_schema, r.relname AS ref_table, r.relkind::text AS ref_kind,
                (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord)
                   FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
                (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord)
                   FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS ref_columns,
                (SELECT pg_catalog.array_agg(pg_catalog.format('OPERATOR(%I.%s)', opn.nspname, o.oprname) ORDER BY k.ord)
                   FROM pg_catalog.unnest(con.conpfeqop) WITH ORDINALITY AS k(op, ord)
                   JOIN pg_catalog.pg_operator o ON o.oid = k.op
                   JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace) AS operators,
                (coalesce(pg_catalog.pg_total_relation_size(t.oid), 0) + coalesce(pg_catalog.pg_total_relation_size(r.oid), 0))::text AS bytes
           FROM pg_catalog.pg_constraint con
           JOIN pg_catalog.pg_class t ON t.oid = con.conrelid
           JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
           JOIN pg_catalog.pg_class r ON r.oid = con.confrelid
           JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
          WHERE con.contype = 'f' AND con.conparentid = 0 AND ${USER_SCHEMA('n')}
          ORDER BY n.nspname, t.relname, con.conname`,
      );
      return catalog.rows.map((row): SnapshotJob<ConstraintCheckOutcome> => {
        const constraint: ConstraintRef = { schema: row.schema, table: row.table, name: row.name };
        const definition = row.definition;
        if (!row.validated) {
          const outcome: ConstraintCheckOutcome = { constraint, definition, status: 'not-valid' };
          return { cost: 0, sql: null, done: () => outcome, refused: () => outcome };
        }
        const columns = row.columns.map((column) => `c.${escapeIdentifier(column)}`);
        const matches = row.ref_columns
          .map((column, position) => `p.${escapeIdentifier(column)} ${row.operators[position] ?? 'OPERATOR(pg_catalog.=)'} ${columns[position] ?? ''}`)
          .join(' AND ');
        const only = (kind: string): string => (kind === 'p' ? '' : 'ONLY ');
        const orphan = `NOT EXISTS (SELECT 1 FROM ${only(row.ref_kind)}${quoteTable(row.ref_schema, row.ref_table)} p WHERE ${matches})`;
        const where =
          row.match === 'f'
            ? `(${columns.map((c) => `${c} IS NOT NULL`).join(' OR ')}) AND (${columns.map((c) => `${c} IS NULL`).join(' OR ')} OR ${orphan})`
            : `${columns.map((c) => `${c} IS NOT NULL`).join(' AND ')} AND ${orphan}`;
        // The key as PostgreSQL's own violation message shows it: (a, b)=(1, 2).
        const key = `pg_catalog.concat('(${row.columns.join(', ').replaceAll("'", "''")})=(', pg_catalog.concat_ws(', ', ${columns
          .map((c) => `coalesce(${c}::text, 'NULL')`)
          .join(', ')}), ')')`;
        return {
          cost: Number(row.bytes),
          sql: `SELECT pg_catalog.count(*)::text AS violations, pg_catalog.min(${key}) AS sample FROM ${only(row.kind)}${quoteTable(row.schema, row.table)} c WHERE ${where}`,
          done: (result) => ({ constraint, definition, status: 'checked', violations: Number(result?.['violations'] ?? 0), sample: (result?.['sample'] as string | null | undefined) ?? null }),
          refused: (error) => ({ constraint, definition, status: 'refused', error: serverMessage(error), sqlState: error.code ?? null }),
        };
      });
    });
  }

  /**
   * {@inheritDoc StructureProbe.checkCheckConstraints}
   *
   * `SELECT count(*) FROM t WHERE NOT (expr)`: a NULL result satisfies a CHECK, and `NOT NULL` is
   * NULL, so it is not counted. Only constraints declared on their table (`conislocal`) are
   * evaluated, over the table with its children (`ONLY` for `NO INHERIT`): an inherited copy on a
   * child or partition is covered by its parent's. Domain constraints are not table constraints
   * and are left out. The sample names the first violating row by table and `ctid`, not its values.
   */
  async checkCheckConstraints(): Promise<readonly ConstraintCheckOutcome[]> {
    return this.#inSnapshot('checking CHECK constraints', async (main) => {
      const catalog = await main.query<{
        schema: string;
        table: string;
        name: string;
        validated: boolean;
        definition: string;
        expression: string;
        no_inherit: boolean;
        mutable: string[] | null;
        bytes: string;
      }>(
        `SELECT n.nspname AS schema, t.relname AS table, con.conname AS name, con.convalidated AS validated,
                pg_catalog.pg_get_constraintdef(con.oid) AS definition,
                pg_catalog.pg_get_expr(con.conbin, con.conrelid) AS expression,
                con.connoinherit AS no_inherit,
                -- Functions the expression calls, directly or through an operator, that are not IMMUTABLE.
                (SELECT pg_catalog.array_agg(DISTINCT p.oid::pg_catalog.regprocedure::text)
                   FROM pg_catalog.regexp_matches(con.conbin::text, ':(?:op)?funcid (\\d+)', 'g') AS m(id)
                   JOIN pg_catalog.pg_proc p ON p.oid = m.id[1]::pg_catalog.oid
                  WHERE p.provolatile <> 'i') AS mutable,
                coalesce(pg_catalog.pg_total_relation_size(t.oid), 0)::text AS bytes
           FROM pg_catalog.pg_constraint con
           JOIN pg_catalog.pg_class t ON t.oid = con.conrelid
           JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
          WHERE con.contype = 'c' AND con.conislocal AND ${USER_SCHEMA('n')}
          ORDER BY n.nspname, t.relname, con.conname`,
      );
      return catalog.rows.map((row): SnapshotJob<ConstraintCheckOutcome> => {
        const constraint: ConstraintRef = { schema: row.schema, table: row.table, name: row.name };
        const definition = row.definition;
        if (!row.validated) {
          const outcome: ConstraintCheckOutcome = { constraint, definition, status: 'not-valid' };
          return { cost: 0, sql: null, done: () => outcome, refused: () => outcome };
        }
        if (row.mutable !== null && row.mutable.length > 0) {
          const outcome: ConstraintCheckOutcome = { constraint, definition, status: 'not-immutable', functions: [...row.mutable].sort() };
          return { cost: 0, sql: null, done: () => outcome, refused: () => outcome };
        }
        const from = `${row.no_inherit ? 'ONLY ' : ''}${quoteTable(row.schema, row.table)}`;
        const sample = `pg_catalog.min(pg_catalog.concat(tableoid::pg_catalog.regclass::text, ' ctid ', ctid::text))`;
        return {
          cost: Number(row.bytes),
          sql: `SELECT pg_catalog.count(*)::text AS violations, ${sample} AS sample FROM ${from} WHERE NOT (${row.expression})`,
          done: (result) => ({ constraint, definition, status: 'checked', violations: Number(result?.['violations'] ?? 0), sample: (result?.['sample'] as string | null | undefined) ?? null }),
          refused: (error) => ({ constraint, definition, status: 'refused', error: serverMessage(error), sqlState: error.code ?? null }),
        };
      });
    });
  }

  /**
   * {@inheritDoc StructureProbe.checkGinIndexes}
   *
   * `gin_index_check(regclass)` is amcheck 1.5, PostgreSQL 18 (committed 2025-03-29,
   * https://www.postgresql.org/message-id/E1tyXQc-001bH4-1z@gemulon.postgresql.org; the amcheck
   * page of the 18 manual documents it). Below 18 amcheck is not used: see {@link #ginFullScans}.
   */
  async checkGinIndexes(indexes: readonly IndexRef[]): Promise<GinCheckRun> {
    if (indexes.length === 0) return { available: true, detail: 'nothing to check', outcomes: [] };
    const server = await this.#query<{ num: number }>('reading the server version', "SELECT current_setting('server_version_num')::int AS num");
    const num = server.rows[0]?.num ?? 0;
    if (num < GIN_CHECK_SINCE) return this.#ginFullScans(indexes, Math.floor(num / 10000));
    return this.#withAmcheck(async (schema, detail) => {
      const found = await this.#query<{ found: boolean }>(
        'looking up gin_index_check',
        'SELECT pg_catalog.to_regprocedure($1) IS NOT NULL AS found',
        [`${escapeIdentifier(schema)}.gin_index_check(regclass)`],
      );
      if (found.rows[0]?.found !== true) {
        return { available: false, unsupported: true, reason: `${detail} has no gin_index_check (ALTER EXTENSION amcheck UPDATE adds it)` } as const;
      }
      const call = `SELECT ${escapeIdentifier(schema)}.gin_index_check($1::pg_catalog.regclass)`;
      const valid = await this.#query<{ ord: number; usable: boolean }>(
        'planning GIN checks',
        `SELECT r.ord::int AS ord, coalesce(i.indisvalid AND i.indisready, false) AS usable
           FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS r(relation, ord)
           LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = pg_catalog.to_regclass(r.relation)
          ORDER BY r.ord`,
        [indexes.map((index) => quoteTable(index.schema, index.name))],
      );
      const usable = new Set(valid.rows.filter((row) => row.usable).map((row) => row.ord - 1));
      const outcomes = await runPool(this.#sessions, indexes.map((index, position) => ({ index, position })), async (session, job): Promise<GinIndexOutcome> => {
        if (!usable.has(job.position)) return { index: job.index, status: 'skipped', message: 'index is not valid (a failed CREATE INDEX CONCURRENTLY?)' };
        const failure = await this.#amcheckCall(session, call, quoteTable(job.index.schema, job.index.name));
        if (failure === null) return { index: job.index, status: 'passed', message: '' };
        if (failure.code !== undefined && CANNOT_LOOK_SQLSTATES.has(failure.code)) return { index: job.index, status: 'inconclusive', message: serverMessage(failure) };
        const corrupt = failure.code !== undefined && CORRUPTION_SQLSTATES.has(failure.code);
        return { index: job.index, status: 'failed', message: corrupt ? serverMessage(failure) : `could not check: ${serverMessage(failure)}` };
      });
      return { available: true, detail: `gin_index_check, ${detail}`, outcomes };
    });
  }

  /**
   * Below PostgreSQL 18, for the operator classes that have a query matching every item
   * (`array_ops`, `jsonb_ops`, `jsonb_path_ops` on a plain column: `col @> '{}'` extracts no key, so
   * GIN runs it in GIN_SEARCH_MODE_ALL, walking every entry page, posting list and posting tree):
   * the count through this index (a bitmap scan, checked in EXPLAIN to be this index) must equal
   * the count of a sequential scan of the same predicate, both in one REPEATABLE READ snapshot. A
   * damaged page on the way raises an error; items missing from the index give a lower count. Other
   * operator classes and expression or multi-column indexes are skipped, named.
   */
  async #ginFullScans(indexes: readonly IndexRef[], major: number): Promise<GinCheckRun> {
    const catalog = await this.#query<{ ord: number; usable: boolean; opclass: string | null; table_schema: string | null; table_name: string | null; column: string | null }>(
      'planning GIN full scans',
      `SELECT r.ord::int AS ord, coalesce(i.indisvalid AND i.indisready, false) AS usable, oc.opcname AS opclass,
              tn.nspname AS table_schema, t.relname AS table_name, a.attname AS column
         FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS r(relation, ord)
         LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = pg_catalog.to_regclass(r.relation)
         LEFT JOIN pg_catalog.pg_opclass oc ON oc.oid = i.indclass[0] AND i.indnatts = 1 AND i.indexprs IS NULL
         LEFT JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
         LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        ORDER BY r.ord`,
      [indexes.map((index) => quoteTable(index.schema, index.name))],
    );
    const supported = new Set(['array_ops', 'jsonb_ops', 'jsonb_path_ops']);
    const outcomes = await runPool(this.#sessions, catalog.rows, async (session, row): Promise<GinIndexOutcome> => {
      const index = indexes[row.ord - 1] as IndexRef;
      if (!row.usable) return { index, status: 'skipped', message: 'index is not valid (a failed CREATE INDEX CONCURRENTLY?)' };
      if (row.opclass === null || !supported.has(row.opclass) || row.column === null || row.table_schema === null || row.table_name === null) {
        return { index, status: 'skipped', message: `not checked: no full-index query for ${row.opclass === null ? 'an expression or multi-column index' : `operator class ${row.opclass}`}` };
      }
      const query = `SELECT pg_catalog.count(*)::text AS n FROM ONLY ${quoteTable(row.table_schema, row.table_name)} WHERE ${escapeIdentifier(row.column)} OPERATOR(pg_catalog.@>) '{}'`;
      await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        await session.query("SELECT set_config('statement_timeout', $1, true), set_config('search_path', $2, true)", [`${this.#options.scanTimeoutMs}ms`, SEARCH_PATH]);
        await session.query("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)");
        const plan = await session.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${query}`);
        const planText = JSON.stringify(plan.rows[0]?.['QUERY PLAN'] ?? null);
        if (!planText.includes(`"Index Name":${JSON.stringify(index.name)}`)) {
          await session.query('ROLLBACK');
          return { index, status: 'skipped', message: 'not checked: the planner would not scan this index for the full-index query' };
        }
        const viaIndex = await session.query<{ n: string }>({ text: query, query_timeout: this.#options.scanTimeoutMs + 1_000 } as TimedQueryConfig);
        await session.query("SELECT set_config('enable_seqscan', 'on', true), set_config('enable_bitmapscan', 'off', true)");
        const viaTable = await session.query<{ n: string }>({ text: query, query_timeout: this.#options.scanTimeoutMs + 1_000 } as TimedQueryConfig);
        await session.query('COMMIT');
        const [fromIndex, fromTable] = [viaIndex.rows[0]?.n ?? '?', viaTable.rows[0]?.n ?? '?'];
        if (fromIndex === fromTable) return { index, status: 'passed', message: '' };
        return { index, status: 'failed', message: `a full-index scan finds ${fromIndex} rows, a sequential scan ${fromTable}` };
      } catch (error) {
        const refusal = refused(error, `scanning GIN index ${index.schema}.${index.name}`);
        await session.query('ROLLBACK');
        if (refusal.code !== undefined && CANNOT_LOOK_SQLSTATES.has(refusal.code)) return { index, status: 'inconclusive', message: serverMessage(refusal) };
        return { index, status: 'failed', message: serverMessage(refusal) };
      }
    });
    return { available: true, detail: `full-index scan compared with a sequential scan (amcheck on PostgreSQL ${major} has no gin_index_check)`, outcomes };
  }

  /**
   * {@inheritDoc StructureProbe.checkHeapPages}
   *
   * `verify_heapam(rel, check_toast => true)` (amcheck 1.3, PostgreSQL 14+) returns one row per
   * problem; the count and the first {@link HEAP_MESSAGES_KEPT} are kept.
   */
  async checkHeapPages(tables: readonly TableRef[]): Promise<HeapCheckRun> {
    if (tables.length === 0) return { available: true, detail: 'amcheck not needed', outcomes: [] };
    return this.#withAmcheck(async (schema, detail) => {
      const found = await this.#query<{ found: boolean }>(
        'looking up verify_heapam',
        'SELECT pg_catalog.to_regproc($1) IS NOT NULL AS found',
        [`${escapeIdentifier(schema)}.verify_heapam`],
      );
      if (found.rows[0]?.found !== true) {
        return { available: false, unsupported: true, reason: `${detail} has no verify_heapam (amcheck 1.3, PostgreSQL 14+)` } as const;
      }
      const call = `SELECT pg_catalog.count(*)::int AS problems,
                           (pg_catalog.array_agg(pg_catalog.concat('block ', blkno, ', offset ', offnum,
                              CASE WHEN attnum IS NULL THEN '' ELSE pg_catalog.concat(', attribute ', attnum) END, ': ', msg)
                              ORDER BY blkno, offnum, attnum))[1:${HEAP_MESSAGES_KEPT}] AS messages
                      FROM ${escapeIdentifier(schema)}.verify_heapam($1::pg_catalog.regclass, check_toast => true)`;
      const outcomes = await runPool(this.#sessions, tables, async (session, table): Promise<HeapCheckOutcome> => {
        const rows: { problems: number; messages: string[] | null }[] = [];
        const failure = await this.#amcheckCall(session, call, quoteTable(table.schema, table.name), rows);
        if (failure !== null) return { table, status: 'refused', error: serverMessage(failure), sqlState: failure.code ?? null };
        return { table, status: 'checked', problems: rows[0]?.problems ?? 0, messages: rows[0]?.messages ?? [] };
      });
      return { available: true, detail, outcomes };
    });
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Opens one REPEATABLE READ READ ONLY snapshot on every session (exported by the first), lets
   * `plan` list the statements (on the first session, inside the snapshot), runs them costliest
   * first over all sessions, each under a savepoint, and ends every transaction.
   */
  async #inSnapshot<R>(action: string, plan: (main: Session) => Promise<SnapshotJob<R>[]>): Promise<R[]> {
    const [main, ...others] = this.#sessions as [Session, ...Session[]];
    const begin = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
    const settings = "SELECT set_config('statement_timeout', $1, true), set_config('search_path', $2, true)";
    const timeout = `${this.#options.scanTimeoutMs}ms`;
    const opened: Session[] = [];
    try {
      await main.query(begin);
      opened.push(main);
      await main.query(settings, [timeout, SEARCH_PATH]);
      const exported = await main.query<{ id: string }>('SELECT pg_catalog.pg_export_snapshot() AS id');
      const snapshot = (exported.rows[0]?.id ?? '').replaceAll("'", "''");
      const imports = await Promise.allSettled(
        others.map(async (session) => {
          await session.query(begin);
          opened.push(session);
          await session.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
          await session.query(settings, [timeout, SEARCH_PATH]);
        }),
      );
      const failedImport = imports.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failedImport !== undefined) throw failedImport.reason;
      const jobs = await plan(main);
      const order = jobs.map((job, position) => ({ job, position })).sort((a, b) => b.job.cost - a.job.cost);
      const outcomes = await runPool(this.#sessions, order, async (session, { job }) => {
        if (job.sql === null) return job.done(undefined);
        await session.query('SAVEPOINT dr_structure');
        try {
          const config: TimedQueryConfig = { text: job.sql, query_timeout: this.#options.scanTimeoutMs + 1_000 };
          const result = await session.query(config);
          await session.query('RELEASE SAVEPOINT dr_structure');
          return job.done(result.rows[0] as Record<string, unknown> | undefined);
        } catch (error) {
          const refusal = refused(error, action);
          await session.query('ROLLBACK TO SAVEPOINT dr_structure');
          return job.refused(refusal);
        }
      });
      await Promise.all(opened.map((session) => session.query('COMMIT')));
      const byPosition = new Array<R>(jobs.length);
      order.forEach(({ position }, index) => {
        byPosition[position] = outcomes[index] as R;
      });
      return byPosition;
    } catch (error) {
      await Promise.all(opened.map((session) => session.query('ROLLBACK').catch(() => undefined)));
      throw translatePgError(error, action);
    }
  }

  /**
   * Runs one amcheck call on `relation` in its own READ COMMITTED READ ONLY transaction; returns
   * null when it succeeded (its rows pushed to `rows`), else the server's refusal.
   */
  async #amcheckCall(session: Session, call: string, relation: string, rows?: unknown[]): Promise<DatabaseError | null> {
    await session.query('BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY');
    try {
      await session.query("SELECT set_config('statement_timeout', $1, true), set_config('search_path', $2, true)", [
        `${this.#options.scanTimeoutMs}ms`,
        SEARCH_PATH,
      ]);
      const config: TimedQueryConfig = { text: call, values: [relation], query_timeout: this.#options.scanTimeoutMs + 1_000 };
      const result = await session.query(config);
      rows?.push(...result.rows);
      await session.query('COMMIT');
      return null;
    } catch (error) {
      const refusal = refused(error, `amcheck on ${relation}`);
      await session.query('ROLLBACK');
      return refusal;
    }
  }

  /**
   * Gives `work` an amcheck: the installed one, or one created for the run in the probe's schema
   * (created if absent) and dropped afterwards with that schema, leaving the database as found.
   * When it cannot be created, returns `{ available: false, reason }` naming the refused statement.
   */
  async #withAmcheck<T>(work: (schema: string, detail: string) => Promise<T>): Promise<T | { readonly available: false; readonly reason: string }> {
    const installed = await this.#amcheck();
    if (installed !== null) return work(installed.schema, `amcheck ${installed.version} already installed`);
    const schema = this.#options.amcheckSchema;
    const exists = await this.#query<{ exists: boolean }>(
      'looking up the amcheck schema',
      'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS exists',
      [schema],
    );
    const schemaExisted = exists.rows[0]?.exists === true;
    let createdSchema = false;
    let createdExtension = false;
    let statement = `CREATE SCHEMA ${schema}`;
    try {
      try {
        if (!schemaExisted) {
          await this.#main.query(`CREATE SCHEMA ${escapeIdentifier(schema)}`);
          createdSchema = true;
        }
        statement = `CREATE EXTENSION amcheck SCHEMA ${schema}`;
        await this.#main.query(`CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA ${escapeIdentifier(schema)}`);
        createdExtension = true;
      } catch (error) {
        return { available: false, reason: `${statement}: ${serverMessage(refused(error, 'creating amcheck'))}` };
      }
      const created = await this.#amcheck();
      if (created === null) return { available: false, reason: 'amcheck is not installed after CREATE EXTENSION' };
      return await work(created.schema, `amcheck ${created.version} created for this run, then dropped`);
    } finally {
      if (createdExtension) await this.#main.query('DROP EXTENSION IF EXISTS amcheck').catch(() => undefined);
      // No CASCADE: a schema someone else put objects into since is left alone.
      if (createdSchema) await this.#main.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)}`).catch(() => undefined);
    }
  }

  #amcheck(): Promise<{ schema: string; version: string } | null> {
    return installedAmcheck(this.#main);
  }

  #query<R extends Record<string, unknown>>(action: string, text: string, values?: unknown[]) {
    return queryFor<R>(this.#main, action, text, values);
  }
}
