/**
 * The model of exact mode (`exact-counts.ts`): what one repeatable-read look at a table and its
 * row-count ledger gives. Types only, importing nothing: the verification-probe port, the manifest
 * and reading B depend on it.
 */

/** `pg_trigger.tgenabled`: `O` origin/local (default), `A` always, `R` replica only, `D` disabled. */
export type TriggerEnabled = 'O' | 'A' | 'R' | 'D';

/** What one configured table's ledger looked like, in one repeatable-read snapshot. */
export interface LedgerObservation {
  /** `schema.table`, as configured. */
  readonly table: string;
  /** The table exists (a plain table). */
  readonly tableExists: boolean;
  /** `dr_ledger.row_ledger` exists. */
  readonly ledgerInstalled: boolean;
  /** Each ledger trigger on the table, with `tgenabled`; null when missing. Order of `LEDGER.triggers` (exact-counts.ts). */
  readonly triggers: readonly { readonly name: string; readonly enabled: TriggerEnabled | null }[];
  /** `count(*)` of the table (`FROM ONLY`), null when the table does not exist. */
  readonly count: number | null;
  /** Sum of the ledger's deltas for the table, null when the ledger does not exist. */
  readonly ledger: number | null;
}
