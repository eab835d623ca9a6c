/**
 * Exact mode of the row counts (opt-in, `restoreTest.exactCounts.tables`): for tables whose
 * bracket is too wide to catch a lost row, a transactional row-count ledger kept inside the
 * database (`dr_ledger.row_ledger`, filled by statement-level triggers, see
 * `functions/adapters/pg/ledger.ts`) travels in the snapshot with the data, so the restored
 * `count(*)` must equal the ledger's sum exactly: no manifest is needed, so it holds for a
 * point-in-time restore too.
 *
 * The rule, per configured table:
 * - the table or the ledger is missing, or one of the ledger triggers is missing or not enabled
 *   `ALWAYS` in the restored copy: `inconclusive` with the reason (nothing proves the ledger
 *   counted every write);
 * - reading A or B (on the source, count and ledger in one snapshot) found them different: the ledger was
 *   bypassed on the source (triggers disabled, `session_replication_role` with a non-ALWAYS trigger,
 *   writes to the ledger itself): `inconclusive`, and a finding;
 * - otherwise `count === ledger` passes and anything else fails, naming both numbers.
 *
 * Pure: the observations come from the SQL probe (`VerificationProbe.observeLedger`).
 */
import type { LedgerObservation } from './exact-counts-model.ts';

/** The ledger's schema and table, and its three triggers (names are a contract with the SQL). */
export const LEDGER = {
  schema: 'dr_ledger',
  table: 'row_ledger',
  triggers: ['dr_ledger_count_insert', 'dr_ledger_count_delete', 'dr_ledger_reset_truncate'],
} as const;

/** A table's outcome in the `exact-counts` check. */
export interface ExactCountOutcome {
  readonly table: string;
  readonly status: 'passed' | 'failed' | 'inconclusive';
  /** One line: the numbers, or why the table cannot be judged. */
  readonly detail: string;
}

/** The judgement of the `exact-counts` check. */
export interface ExactCountsJudgement {
  /** `skipped` when no table is configured. */
  readonly status: 'passed' | 'failed' | 'inconclusive' | 'skipped';
  readonly evidence: string;
  readonly tables: readonly ExactCountOutcome[];
  /** Lines for the report's findings (a ledger bypassed on the source). */
  readonly findings: readonly string[];
}

/** The reason a table is inconclusive when reading A found its ledger and count apart. */
export const BYPASSED_REASON = 'ledger bypassed on the source';

/** Allowed form of a configured table: `schema.table`, lower-case unquoted identifiers. */
const TABLE_NAME = /^[a-z_][a-z0-9_$]{0,62}\.[a-z_][a-z0-9_$]{0,62}$/;

/**
 * Validates `restoreTest.exactCounts.tables`: a list of distinct `schema.table` names (lower-case
 * identifiers, which need no quoting, so the name in config, in the ledger and in reports is one
 * string). The heartbeat table `dr.heartbeat` is refused: it is written every minute by design.
 *
 * @returns the problems, each starting with `path`; empty when valid
 */
export function exactCountTableProblems(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) return [`${path}: ${JSON.stringify(value)} is not a list of schema.table names`];
  const problems: string[] = [];
  const seen = new Set<string>();
  (value as unknown[]).forEach((item, index) => {
    const at = `${path}[${index}]`;
    if (typeof item !== 'string' || !TABLE_NAME.test(item)) {
      problems.push(`${at}: ${JSON.stringify(item)} is not schema.table with lower-case unquoted identifiers`);
    } else if (seen.has(item)) {
      problems.push(`${at}: ${item} is listed twice`);
    } else if (item === 'dr.heartbeat' || item.startsWith(`${LEDGER.schema}.`)) {
      problems.push(`${at}: ${item} is the DR tooling's own table, not application data`);
    } else {
      seen.add(item);
    }
  });
  return problems;
}

function triggerProblem(observation: LedgerObservation): string | null {
  const problems = observation.triggers.flatMap((trigger) => {
    if (trigger.enabled === null) return [`trigger ${trigger.name} is missing`];
    if (trigger.enabled !== 'A') return [`trigger ${trigger.name} is not ENABLE ALWAYS (tgenabled ${trigger.enabled})`];
    return [];
  });
  return problems.length === 0 ? null : problems.join('; ');
}

/**
 * Judges one table. `source` is reading A's observation of the same table (null for a
 * point-in-time restore or a manifest without one).
 */
export function judgeExactCount(
  restored: LedgerObservation | undefined,
  source: LedgerObservation | null,
  table: string,
  after: LedgerObservation | null = null,
): ExactCountOutcome {
  const inconclusive = (detail: string): ExactCountOutcome => ({ table, status: 'inconclusive', detail });
  if (restored === undefined) return inconclusive('not observed');
  if (!restored.tableExists || restored.count === null) {
    return source?.tableExists === true
      ? { table, status: 'failed', detail: 'table does not exist in the restored copy (it did on the source)' }
      : inconclusive('table does not exist');
  }
  if (!restored.ledgerInstalled || restored.ledger === null) return inconclusive('ledger not installed (run `npm run dr -- ledger install`)');
  const triggers = triggerProblem(restored);
  if (triggers !== null) return inconclusive(`ledger not maintained: ${triggers}`);
  // Reading A (before the snapshot) and reading B (after it): a difference in either means writes
  // reached the table around the snapshot without the ledger, so the snapshot's ledger proves nothing.
  for (const [label, reading] of [['A', source], ['B', after]] as const) {
    if (reading !== null && reading.count !== null && reading.ledger !== null && reading.count !== reading.ledger) {
      return inconclusive(`${BYPASSED_REASON} (reading ${label}: count ${reading.count}, ledger ${reading.ledger}); restored count ${restored.count}, ledger ${restored.ledger}`);
    }
  }
  if (restored.count === restored.ledger) return { table, status: 'passed', detail: `count ${restored.count} = ledger ${restored.ledger}` };
  const difference = restored.count - restored.ledger;
  const what = difference < 0 ? `${-difference} row(s) missing` : `${difference} row(s) more than the ledger`;
  return { table, status: 'failed', detail: `count ${restored.count}, ledger ${restored.ledger}: ${what}` };
}

/**
 * Judges the `exact-counts` check over the configured tables.
 *
 * @param tables configured tables (`restoreTest.exactCounts.tables`)
 * @param restored observations of the restored copy
 * @param source reading A's observations (null when there is no reading A with a ledger reading)
 * @param after reading B's observations (null when reading B has none)
 */
export function judgeExactCounts(
  tables: readonly string[],
  restored: readonly LedgerObservation[],
  source: readonly LedgerObservation[] | null,
  after: readonly LedgerObservation[] | null = null,
): ExactCountsJudgement {
  if (tables.length === 0) return { status: 'skipped', evidence: 'not configured (restoreTest.exactCounts.tables is empty)', tables: [], findings: [] };
  const byTable = new Map(restored.map((observation) => [observation.table, observation]));
  const sourceByTable = new Map((source ?? []).map((observation) => [observation.table, observation]));
  const afterByTable = new Map((after ?? []).map((observation) => [observation.table, observation]));
  const outcomes = tables.map((table) => judgeExactCount(byTable.get(table), sourceByTable.get(table) ?? null, table, afterByTable.get(table) ?? null));
  const findings = outcomes
    .filter((outcome) => outcome.detail.startsWith(BYPASSED_REASON))
    .map((outcome) => `${outcome.table}: ${BYPASSED_REASON}: writes reached the table without the ledger (disabled trigger, direct ledger writes or catalog changes); reinstall the ledger (\`npm run dr -- ledger install\`) to re-base it`);
  const failed = outcomes.filter((outcome) => outcome.status === 'failed');
  const inconclusive = outcomes.filter((outcome) => outcome.status === 'inconclusive');
  const passed = outcomes.length - failed.length - inconclusive.length;
  const status = failed.length > 0 ? 'failed' : inconclusive.length > 0 ? 'inconclusive' : 'passed';
  const parts = [`${passed} of ${outcomes.length} table(s) equal to their ledger`];
  if (failed.length > 0) parts.push(`${failed.length} differ: ${failed.map((outcome) => outcome.table).join(', ')}`);
  if (inconclusive.length > 0) parts.push(`${inconclusive.length} inconclusive: ${inconclusive.map((outcome) => `${outcome.table} (${outcome.detail})`).join(', ')}`);
  return { status, evidence: parts.join('; '), tables: outcomes, findings };
}

/**
 * Reads the configured tables from the environment variable the stacks set
 * (`EXACT_COUNT_TABLES`, a JSON list; absent or empty: exact mode off).
 *
 * @returns the problems (each naming `name`) or the tables
 */
export function exactCountTablesFromEnv(raw: string | undefined, name: string): { readonly tables: string[] } | { readonly problems: string[] } {
  if (raw === undefined || raw === '') return { tables: [] };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { problems: [`${name}: not valid JSON (${(error as Error).message})`] };
  }
  const problems = exactCountTableProblems(value, name);
  return problems.length > 0 ? { problems } : { tables: value as string[] };
}
