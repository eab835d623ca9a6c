/**
 * Port: the SQL observations a restore test makes on a restored database.
 *
 * The verification rules (the `*-check.ts` and `*-checks.ts` files of `domain/verification/`, run
 * by `run-verification.ts`) turn these observations into pass/fail; the adapter only observes.
 * Each method reports per-object outcomes instead of throwing on the first bad table or index, so
 * one corrupt object never hides the state of the others. Methods throw `SqlConnectionError` when
 * the connection itself is lost (a verdict about the data would be wrong then) and `SqlQueryError`
 * when a whole observation could not be made.
 */
import type { SchemaDescription, TableRef } from '../domain/verification/model.ts';
import type { IndexCheckOutcome, IndexRef, StructureProbe } from './structure-probe.ts';
import type { ContentRequest, LargeObjectTally, TableContent } from '../domain/verification/content-model.ts';
import type { LedgerObservation } from '../domain/verification/exact-counts-model.ts';

/** How one connection of the probe is secured, as the server sees it (`pg_stat_ssl`). */
export interface ConnectionSecurity {
  /** Backend process id of the connection. */
  readonly pid: number;
  /** True when the connection is encrypted with TLS. */
  readonly ssl: boolean;
  /** Protocol version (`TLSv1.3`), null when not encrypted. */
  readonly version: string | null;
  /** Cipher suite name, null when not encrypted. */
  readonly cipher: string | null;
  /** Key length in bits, null when not encrypted. */
  readonly bits: number | null;
}

/**
 * The outcome of reading one table in full. `rows` is an exact `count(*)` made by the same scan
 * that read every value, so counting needs no second scan.
 */
export type TableReadOutcome =
  | {
      readonly table: TableRef;
      readonly ok: true;
      /** Rows read (exact). */
      readonly rows: number;
      /** Bytes of the text form of every value read (what the type output functions produced). */
      readonly bytes: number;
    }
  | {
      readonly table: TableRef;
      readonly ok: false;
      /** Why the table could not be read in full (the server's message, with its SQLSTATE). */
      readonly error: string;
    };

export type { IndexCheckOutcome, IndexRef } from './structure-probe.ts';

/** What running amcheck over the indexes gave: either it could not run at all, or one outcome per index. */
export type BtreeCheckRun =
  | {
      readonly available: false;
      /** Why amcheck could not be used (e.g. no privilege to create the extension). */
      readonly reason: string;
    }
  | {
      readonly available: true;
      /** Which amcheck was used and how, e.g. `amcheck 1.3 (created for this run, then dropped)`. */
      readonly detail: string;
      /** One outcome per requested index, in request order. */
      readonly outcomes: readonly IndexCheckOutcome[];
    };

/** The result of a user assertion query: its shape and its first value. */
export interface AssertionObservation {
  /** Rows returned. */
  readonly rows: number;
  /** Columns returned. */
  readonly columns: number;
  /**
   * The first column of the first row: booleans as booleans, everything else in PostgreSQL's text
   * form (so `bigint` and `numeric` keep every digit), null for SQL NULL or when there is no row.
   */
  readonly value: string | boolean | null;
}

/** Read-only SQL observations of one (restored) database; the structural ones are in {@link StructureProbe}. */
export interface VerificationProbe extends StructureProbe {
  /** The security of every connection the probe uses. */
  connectionSecurity(): Promise<readonly ConnectionSecurity[]>;

  /** The schema, described exactly as a manifest describes it (see `DatabaseInspector`). */
  describeSchema(): Promise<SchemaDescription>;

  /**
   * Reads every row and every value of each table (TOASTed values fetched and decompressed, every
   * value through its type's output function) and counts the rows, all tables in one snapshot.
   * One outcome per table, in request order.
   */
  readTables(tables: readonly TableRef[]): Promise<readonly TableReadOutcome[]>;

  /**
   * Runs amcheck's `bt_index_check` with `heapallindexed` on each index: the index structure and
   * order, and that every heap row has its index entry. Reports amcheck as unavailable (rather
   * than failing) when the extension cannot be created or used.
   */
  checkBtreeIndexes(indexes: readonly IndexRef[]): Promise<BtreeCheckRun>;

  /** Newest heartbeat, ISO 8601 UTC with microseconds, or null (see `DatabaseInspector.latestHeartbeat`). */
  latestHeartbeat(): Promise<string | null>;

  /**
   * Whether the server verifies page checksums (`data_checksums`, fixed at initdb). Without them a
   * zeroed or torn heap page reads as an empty page: the full read cannot see it, only row counts can.
   */
  dataChecksums(): Promise<boolean>;

  /**
   * Runs one user query in a read-only transaction that is always rolled back, bounded by
   * `timeoutMs` server-side; a single statement only.
   *
   * @throws SqlQueryError when the server refuses or cancels it (a write, a timeout, a syntax error)
   */
  runAssertion(query: string, timeoutMs: number): Promise<AssertionObservation>;

  /**
   * Column tallies and row digests of the requested tables (`FROM ONLY`, settings pinned as
   * reading A pinned them; see `domain/verification/content.ts`). A table that cannot be scanned
   * gives the server's message instead. Optional: a probe without it skips 'table-content'.
   */
  scanContent?(requests: readonly ContentRequest[], seed: number): Promise<Readonly<Record<string, TableContent | string>>>;

  /** Count and OID sum of the large objects. Optional: a probe without it skips 'large-objects'. */
  largeObjects?(): Promise<LargeObjectTally>;

  /**
   * Exact mode: each table's `count(*)` and its row-count ledger's sum, with the ledger triggers'
   * state, all in one repeatable-read snapshot (`functions/adapters/pg/ledger.ts`). Optional: a
   * probe without it makes a configured `exact-counts` check inconclusive.
   */
  observeLedger?(tables: readonly string[]): Promise<readonly LedgerObservation[]>;
}
