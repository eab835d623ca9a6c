/**
 * PostgreSQL side of the content checks (`domain/verification/content.ts`): one statement per
 * table computes every column tally and the row digest in a single scan, and the large objects are
 * read from `pg_largeobject_metadata` (readable by every role, unlike `pg_largeobject`).
 *
 * The tallies are packed in one `ARRAY[…]` target: a SELECT list holds at most 1664 entries and a
 * table up to 1600 columns, each with up to three tallies; an array constructor has no such limit.
 * Scans read `FROM ONLY`: rows of inheritance children are written under the children's counters.
 *
 * Cost: `node bench/content.ts` (1,000,000 rows, 7 columns): tallies about 3 times a bare `count(*)`,
 * tallies and digest about 17 times (docs/restore.md, the content checks).
 */
import { escapeIdentifier } from 'pg';
import type { ClientBase, QueryConfig } from 'pg';
import { qualifiedName } from '../../domain/verification/manifest.ts';
import type { RowCounts, TableRef } from '../../domain/verification/manifest.ts';
import { DIGEST_SETTINGS } from '../../domain/verification/content.ts';
import type { ContentMeasure, ContentRequest, LargeObjectTally, TableContent } from '../../domain/verification/content-model.ts';
import type { ContentReader, ContentScan } from '../../ports/content-reader.ts';
import { inReadOnlyTransaction, translatePgError, type SqlSession } from './sql.ts';

/** The scanned row's alias; `alias::text` is the whole row (a column of that name would shadow it). */
const ROW_ALIAS = 'dr_content_row';

const PREDICATE: Readonly<Record<ContentMeasure, (column: string) => string>> = {
  nulls: (c) => `${c} IS NULL`,
  zeros: (c) => `${c} = 0`,
  empty: (c) => `${c} = ''`,
};

function relationOf(table: TableRef): string {
  return `${escapeIdentifier(table.schema)}.${escapeIdentifier(table.name)}`;
}

function toCount(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} (${value}) is beyond Number.MAX_SAFE_INTEGER`);
  return n;
}

/** The one statement of a request: rows, tallies in plan order, digest (or null). */
export function contentStatement(request: ContentRequest, seed: number): string {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`digest seed ${seed} is not an integer`);
  const tallies = request.columns.flatMap((plan) =>
    plan.measures.map((measure) => `count(*) FILTER (WHERE ${PREDICATE[measure](`${ROW_ALIAS}.${escapeIdentifier(plan.column)}`)})`),
  );
  const array = tallies.length === 0 ? `'{}'::bigint[]` : `ARRAY[${tallies.join(', ')}]`;
  const digest = request.digest ? `sum(pg_catalog.hashtextextended(${ROW_ALIAS}::text, ${seed}))::text` : 'NULL::text';
  return `SELECT count(*)::text AS rows, ${array}::text[] AS tallies, ${digest} AS digest FROM ONLY ${relationOf(request.table)} ${ROW_ALIAS}`;
}

/** A session that also takes a query config (the restored side's per-scan client timeout). */
export type ContentSession = SqlSession & Pick<ClientBase, 'query'>;

async function scanOne(session: SqlSession, request: ContentRequest, seed: number, timeoutMs?: number): Promise<TableContent> {
  const name = qualifiedName(request.table);
  const text = contentStatement(request, seed);
  type Row = { rows: string; tallies: string[]; digest: string | null };
  const result =
    timeoutMs === undefined
      ? await session.query<Row>(text)
      : await (session as ContentSession).query<Row>({ text, query_timeout: timeoutMs + 1_000 } as QueryConfig);
  const row = result.rows[0];
  if (row === undefined) throw new RangeError(`content scan of ${name} returned no row`);
  const columns: Record<string, Partial<Record<ContentMeasure, number>>> = {};
  let index = 0;
  for (const plan of request.columns) {
    const tally: Partial<Record<ContentMeasure, number>> = {};
    for (const measure of plan.measures) {
      tally[measure] = toCount(row.tallies[index] ?? '', `${measure} of ${name}.${plan.column}`);
      index += 1;
    }
    columns[plan.column] = tally;
  }
  // An empty table sums to NULL: its digest is 0 (the sum of no hashes), so an emptied copy differs.
  return { rows: toCount(row.rows, `rows of ${name}`), columns, digest: request.digest ? (row.digest ?? '0') : null };
}

/** Pins the settings `row::text` depends on, for this transaction only. */
async function pinSettings(session: SqlSession): Promise<void> {
  const names = Object.keys(DIGEST_SETTINGS);
  await session.query(`SELECT ${names.map((_, i) => `pg_catalog.set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`, names.flatMap((name) => [name, DIGEST_SETTINGS[name]]));
}

const LARGE_OBJECTS_SQL = 'SELECT count(*)::text AS count, coalesce(sum(oid::int8), 0)::text AS oid_sum FROM pg_catalog.pg_largeobject_metadata';

async function readLargeObjects(session: SqlSession): Promise<LargeObjectTally> {
  const row = (await session.query<{ count: string; oid_sum: string }>(LARGE_OBJECTS_SQL)).rows[0];
  return { count: toCount(row?.count ?? '0', 'large objects'), oidSum: row?.oid_sum ?? '0' };
}

/** {@link ContentReader} over one `pg` connection (reading A, on the production database). */
export class PgContentReader implements ContentReader {
  readonly #session: SqlSession;

  constructor(session: SqlSession) {
    this.#session = session;
  }

  /** {@inheritDoc ContentReader.scanContent} */
  async scanContent(tables: readonly TableRef[], requests: readonly ContentRequest[], seed: number): Promise<ContentScan> {
    let current = '';
    return inReadOnlyTransaction(
      this.#session,
      () => (current === '' ? 'scanning content' : `scanning content of ${current}`),
      async () => {
        await pinSettings(this.#session);
        const byName = new Map(requests.map((r) => [qualifiedName(r.table), r]));
        const parents = new Set(
          (
            await this.#session.query<{ name: string }>(
              `SELECT DISTINCT n.nspname || '.' || c.relname AS name
                 FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhparent
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`,
            )
          ).rows.map((r) => r.name),
        );
        const rowCounts: Record<string, number> = {};
        const content: Record<string, TableContent> = {};
        // The first statement takes the snapshot; every later one reads the same (repeatable read).
        for (const table of tables) {
          current = qualifiedName(table);
          const request = byName.get(current);
          if (request !== undefined) content[current] = await scanOne(this.#session, request, seed);
          if (request === undefined || parents.has(current)) {
            const n = (await this.#session.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${relationOf(table)}`)).rows[0]?.n ?? '0';
            rowCounts[current] = toCount(n, `row count of ${current}`);
          } else {
            rowCounts[current] = (content[current] as TableContent).rows;
          }
        }
        current = 'large objects';
        const largeObjects = await readLargeObjects(this.#session);
        return { rowCounts: rowCounts as RowCounts, content, largeObjects };
      },
    );
  }

  /** {@inheritDoc ContentReader.largeObjects} */
  largeObjects(): Promise<LargeObjectTally> {
    return inReadOnlyTransaction(this.#session, () => 'reading large objects', () => readLargeObjects(this.#session));
  }
}

/**
 * The restored copy's scan (nothing writes there, so one transaction of its own): each table under
 * a savepoint, so a table that cannot be scanned is reported by name (a string) and the others go on.
 * A lost connection is thrown. `timeoutMs` bounds each table's scan, server- and client-side.
 */
export async function scanRestoredContent(session: ContentSession, requests: readonly ContentRequest[], seed: number, timeoutMs: number): Promise<Record<string, TableContent | string>> {
  return inReadOnlyTransaction(
    session,
    () => 'scanning content',
    async () => {
      await pinSettings(session);
      // A full scan of a large table takes far longer than the session's short-statement timeout.
      await session.query("SELECT pg_catalog.set_config('statement_timeout', $1, true)", [`${timeoutMs}ms`]);
      const out: Record<string, TableContent | string> = {};
      for (const request of requests) {
        const name = qualifiedName(request.table);
        await session.query('SAVEPOINT content_scan');
        try {
          out[name] = await scanOne(session, request, seed, timeoutMs);
          await session.query('RELEASE SAVEPOINT content_scan');
        } catch (error) {
          const translated = translatePgError(error, `scanning content of ${name}`);
          if (!(translated instanceof Error) || translated.name !== 'SqlQueryError') throw translated;
          await session.query('ROLLBACK TO SAVEPOINT content_scan');
          out[name] = translated.message;
        }
      }
      return out;
    },
  );
}

/** Large objects of the restored copy. */
export function restoredLargeObjects(session: SqlSession): Promise<LargeObjectTally> {
  return inReadOnlyTransaction(session, () => 'reading large objects', () => readLargeObjects(session));
}
