/**
 * The row-count ledger of the exact mode (docs/restore.md, "Exact mode"): SQL that installs,
 * removes, compacts and reads it. Installed only by an operator with the table owner's rights
 * (`npm run dr -- ledger install`), never by a DR function, and only for the tables
 * `restoreTest.exactCounts.tables` lists.
 *
 * Shape, and why:
 * - `dr_ledger.row_ledger(table_name, delta, kind, recorded_at)` is append-only: every writing
 *   statement appends one row (`kind 'statement'`) with the number of rows it inserted (+) or
 *   deleted (−). No row is ever updated by a writer, so there is no hot row and no lock between
 *   writers; the ledger commits or rolls back with the statement's own transaction, so a snapshot
 *   (or PITR) holds exactly the deltas of the rows it holds.
 * - The deltas come from statement-level `AFTER INSERT` / `AFTER DELETE` triggers with transition
 *   tables (`REFERENCING NEW TABLE AS …`, counted with `count(*)`): one ledger row per statement,
 *   whatever the statement's size; `UPDATE` does not change a count and is not recorded.
 * - The triggers are `ENABLE ALWAYS`: "ENABLE ALWAYS TRIGGER … the trigger will fire regardless of
 *   the current replication role" (https://www.postgresql.org/docs/current/sql-altertable.html), so
 *   `session_replication_role = replica` does not bypass them.
 * - `TRUNCATE` fires no row or DELETE trigger; an `AFTER TRUNCATE` trigger deletes the table's
 *   ledger rows in the same transaction, so the ledger is 0 when the table is empty.
 * - Compaction (`dr_ledger.compact()`) folds each table's deltas into one `base` row with
 *   `DELETE … RETURNING` feeding an `INSERT` in one statement: rows appended by transactions that
 *   are not yet committed are not in its snapshot, so they are neither deleted nor summed; a row
 *   another compaction deleted first is skipped on re-check (EvalPlanQual), so no delta is counted
 *   twice or lost. Compaction and the TRUNCATE trigger of a table take the same transaction-level
 *   advisory lock, so a truncate never keeps a base row committed after its own snapshot.
 * - The trigger functions are `SECURITY DEFINER` (owned by the installer) with a fixed
 *   `search_path`: the application's roles need no right on `dr_ledger`, and PUBLIC has none.
 */
import { escapeIdentifier, escapeLiteral } from 'pg';
import type { ClientBase } from 'pg';
import { LEDGER } from '../../domain/verification/exact-counts.ts';
import type { LedgerObservation, TriggerEnabled } from '../../domain/verification/exact-counts-model.ts';
import { ConfigurationError } from '../../shared/errors.ts';
import { translatePgError } from './sql.ts';

/** What the ledger functions need of a connection. */
export type LedgerSession = Pick<ClientBase, 'query'>;

/** The advisory-lock class of the ledger (first key of `pg_advisory_xact_lock(int, int)`): "DRLG". */
export const LEDGER_LOCK_CLASS = 0x44524c47;

const SCHEMA = escapeIdentifier(LEDGER.schema);
const TABLE = `${SCHEMA}.${escapeIdentifier(LEDGER.table)}`;
const [INSERT_TRIGGER, DELETE_TRIGGER, TRUNCATE_TRIGGER] = LEDGER.triggers;

function relation(table: string): string {
  const [schema, name] = table.split('.') as [string, string];
  return `${escapeIdentifier(schema)}.${escapeIdentifier(name)}`;
}

/**
 * Refuses any table the configuration does not list: the ledger is invasive (a trigger on every
 * write) and is never installed without the configuration asking for it.
 *
 * @throws ConfigurationError naming the tables that are not configured, or when none is requested
 */
export function requireConfigured(requested: readonly string[], configured: readonly string[]): void {
  if (configured.length === 0) throw new ConfigurationError('restoreTest.exactCounts.tables is empty: the ledger is installed on no table');
  if (requested.length === 0) throw new ConfigurationError('no table requested');
  const unlisted = requested.filter((table) => !configured.includes(table));
  if (unlisted.length > 0) {
    throw new ConfigurationError(`not in restoreTest.exactCounts.tables: ${unlisted.join(', ')} (configured: ${configured.length === 0 ? 'none' : configured.join(', ')})`);
  }
}

/** The schema, the ledger table, the trigger functions and `compact()`; idempotent. */
function ledgerObjects(): string[] {
  const definer = 'LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp';
  return [
    `CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`,
    `REVOKE ALL ON SCHEMA ${SCHEMA} FROM PUBLIC`,
    `CREATE TABLE IF NOT EXISTS ${TABLE} (
  table_name text NOT NULL,
  delta bigint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('statement', 'base')),
  recorded_at timestamptz NOT NULL DEFAULT now()
)`,
    `REVOKE ALL ON ${TABLE} FROM PUBLIC`,
    `CREATE OR REPLACE FUNCTION ${SCHEMA}.count_inserted() RETURNS trigger ${definer} AS $ledger$
BEGIN
  INSERT INTO ${TABLE} (table_name, delta, kind)
    SELECT TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, n, 'statement' FROM (SELECT count(*) AS n FROM inserted_rows) s WHERE n > 0;
  RETURN NULL;
END
$ledger$`,
    `CREATE OR REPLACE FUNCTION ${SCHEMA}.count_deleted() RETURNS trigger ${definer} AS $ledger$
BEGIN
  INSERT INTO ${TABLE} (table_name, delta, kind)
    SELECT TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, -n, 'statement' FROM (SELECT count(*) AS n FROM deleted_rows) s WHERE n > 0;
  RETURN NULL;
END
$ledger$`,
    `CREATE OR REPLACE FUNCTION ${SCHEMA}.reset_on_truncate() RETURNS trigger ${definer} AS $ledger$
BEGIN
  PERFORM pg_advisory_xact_lock(${LEDGER_LOCK_CLASS}, hashtext(TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME));
  DELETE FROM ${TABLE} WHERE table_name = TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME;
  RETURN NULL;
END
$ledger$`,
    `CREATE OR REPLACE FUNCTION ${SCHEMA}.compact() RETURNS bigint ${definer} AS $ledger$
DECLARE
  name text;
  folded bigint;
  total bigint := 0;
BEGIN
  FOR name IN SELECT DISTINCT table_name FROM ${TABLE} LOOP
    PERFORM pg_advisory_xact_lock(${LEDGER_LOCK_CLASS}, hashtext(name));
    WITH gone AS (DELETE FROM ${TABLE} WHERE table_name = name RETURNING delta)
    INSERT INTO ${TABLE} (table_name, delta, kind)
      SELECT name, sum(delta), 'base' FROM gone HAVING count(*) > 0;
    GET DIAGNOSTICS folded = ROW_COUNT;
    total := total + folded;
  END LOOP;
  RETURN total;
END
$ledger$`,
    `REVOKE ALL ON FUNCTION ${SCHEMA}.count_inserted(), ${SCHEMA}.count_deleted(), ${SCHEMA}.reset_on_truncate(), ${SCHEMA}.compact() FROM PUBLIC`,
  ];
}

/**
 * Statements installing the ledger on `tables` (already checked with {@link requireConfigured}),
 * to run in one transaction. Per table: `LOCK … IN SHARE MODE` (writers wait, readers do not) so
 * the base row is the exact count at the moment the triggers start counting; the table's old
 * ledger rows are replaced (re-installing re-bases the ledger: idempotent, and the way to repair a
 * ledger bypassed on purpose); the triggers are created and enabled ALWAYS.
 */
export function installStatements(tables: readonly string[]): string[] {
  const statements = ledgerObjects();
  for (const table of tables) {
    const target = relation(table);
    const name = escapeLiteral(table);
    statements.push(
      // Plain tables only: a partitioned table holds no rows itself and a partition's statement
      // triggers do not fire for rows routed through its parent, so neither would count right.
      `DO $check$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE oid = ${escapeLiteral(target)}::regclass AND (relkind <> 'r' OR relispartition)) THEN RAISE EXCEPTION 'the row-count ledger needs a plain table, and ${table.replace(/'/g, "''")} is partitioned or a partition'; END IF; END $check$`,
      `LOCK TABLE ${target} IN SHARE MODE`,
      `SELECT pg_advisory_xact_lock(${LEDGER_LOCK_CLASS}, hashtext(${name}))`,
      `DELETE FROM ${TABLE} WHERE table_name = ${name}`,
      `INSERT INTO ${TABLE} (table_name, delta, kind) SELECT ${name}, count(*), 'base' FROM ONLY ${target}`,
      `DROP TRIGGER IF EXISTS ${INSERT_TRIGGER} ON ${target}`,
      `DROP TRIGGER IF EXISTS ${DELETE_TRIGGER} ON ${target}`,
      `DROP TRIGGER IF EXISTS ${TRUNCATE_TRIGGER} ON ${target}`,
      `CREATE TRIGGER ${INSERT_TRIGGER} AFTER INSERT ON ${target} REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.count_inserted()`,
      `CREATE TRIGGER ${DELETE_TRIGGER} AFTER DELETE ON ${target} REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.count_deleted()`,
      `CREATE TRIGGER ${TRUNCATE_TRIGGER} AFTER TRUNCATE ON ${target} FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.reset_on_truncate()`,
      `ALTER TABLE ${target} ENABLE ALWAYS TRIGGER ${INSERT_TRIGGER}, ENABLE ALWAYS TRIGGER ${DELETE_TRIGGER}, ENABLE ALWAYS TRIGGER ${TRUNCATE_TRIGGER}`,
    );
  }
  return statements;
}

/**
 * Statements removing the ledger from `tables`; with `dropLedger`, the schema too (every table's
 * ledger must be gone first: the schema is dropped without CASCADE, so a trigger still using it
 * makes the transaction fail rather than silently dropping it).
 */
export function uninstallStatements(tables: readonly string[], dropLedger: boolean): string[] {
  const statements = tables.flatMap((table) => {
    const target = relation(table);
    return [
      ...LEDGER.triggers.map((trigger) => `DROP TRIGGER IF EXISTS ${trigger} ON ${target}`),
      `DELETE FROM ${TABLE} WHERE table_name = ${escapeLiteral(table)}`,
    ];
  });
  if (dropLedger) {
    statements.push(
      `DROP FUNCTION IF EXISTS ${SCHEMA}.count_inserted(), ${SCHEMA}.count_deleted(), ${SCHEMA}.reset_on_truncate(), ${SCHEMA}.compact()`,
      `DROP TABLE IF EXISTS ${TABLE}`,
      `DROP SCHEMA IF EXISTS ${SCHEMA}`,
    );
  }
  return statements;
}

/** A script of statements in one transaction, as `--dry-run` prints it (psql can run it). */
export function script(statements: readonly string[]): string {
  return ['BEGIN;', ...statements.map((statement) => `${statement};`), 'COMMIT;', ''].join('\n');
}

/** Runs `statements` in one transaction; rolls back and rethrows (translated) on the first error. */
export async function runInTransaction(session: LedgerSession, statements: readonly string[], action: string): Promise<void> {
  try {
    await session.query('BEGIN');
    for (const statement of statements) await session.query(statement);
    await session.query('COMMIT');
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw translatePgError(error, action);
  }
}

/** Installs the ledger on the configured `tables` (refusing any other), in one transaction. */
export async function installLedger(session: LedgerSession, tables: readonly string[], configured: readonly string[]): Promise<void> {
  requireConfigured(tables, configured);
  await runInTransaction(session, installStatements(tables), 'installing the row-count ledger');
}

/** Folds every table's ledger rows into one base row each; returns how many base rows it wrote. */
export async function compactLedger(session: LedgerSession): Promise<number> {
  try {
    const result = await session.query<{ folded: string }>(`SELECT ${SCHEMA}.compact()::text AS folded`);
    return Number(result.rows[0]?.folded ?? 0);
  } catch (error) {
    throw translatePgError(error, 'compacting the row-count ledger');
  }
}

/**
 * Observes the ledger of each table in ONE repeatable-read, read-only snapshot: the table's
 * `count(*)` (`FROM ONLY`: the triggers see only the table's own rows) and the ledger's sum are
 * then of the same instant, whatever writes at the same time. Used on the restored copy (the
 * check) and on the source (reading A, where a difference means the ledger was bypassed).
 */
export async function observeLedger(session: LedgerSession, tables: readonly string[]): Promise<LedgerObservation[]> {
  if (tables.length === 0) return [];
  try {
    await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // The first statement takes the snapshot: the catalog reads below use their own catalog
    // snapshots, but counts and sums all come from this one.
    const installed = await session.query<{ installed: boolean }>(
      "SELECT pg_catalog.to_regclass($1) IS NOT NULL AS installed",
      [`${SCHEMA}.${escapeIdentifier(LEDGER.table)}`],
    );
    const ledgerInstalled = installed.rows[0]?.installed === true;
    const observations: LedgerObservation[] = [];
    for (const table of tables) {
      const found = await session.query<{ oid: number; kind: string }>(
        `SELECT c.oid::int AS oid, c.relkind::text AS kind FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)`,
        [relation(table)],
      );
      const row = found.rows[0];
      const tableExists = row !== undefined && row.kind === 'r';
      const triggerRows = tableExists
        ? (
            await session.query<{ name: string; enabled: TriggerEnabled }>(
              'SELECT tgname::text AS name, tgenabled::text AS enabled FROM pg_catalog.pg_trigger WHERE tgrelid = $1 AND tgname = ANY($2::text[])',
              [row.oid, [...LEDGER.triggers]],
            )
          ).rows
        : [];
      const enabled = new Map(triggerRows.map((trigger) => [trigger.name, trigger.enabled]));
      const count = tableExists
        ? Number((await session.query<{ n: string }>(`SELECT count(*)::text AS n FROM ONLY ${relation(table)}`)).rows[0]?.n)
        : null;
      const ledger = ledgerInstalled
        ? Number((await session.query<{ n: string }>(`SELECT coalesce(sum(delta), 0)::text AS n FROM ${TABLE} WHERE table_name = $1`, [table])).rows[0]?.n)
        : null;
      observations.push({
        table,
        tableExists,
        ledgerInstalled,
        triggers: LEDGER.triggers.map((name) => ({ name, enabled: enabled.get(name) ?? null })),
        count,
        ledger,
      });
    }
    await session.query('COMMIT');
    return observations;
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw translatePgError(error, 'reading the row-count ledger');
  }
}
