/**
 * Port: the structural observations a restore test makes on a restored copy, none of which needs
 * a manifest (issue 11 item 5): index validity, sequence positions, foreign keys and CHECK
 * constraints re-evaluated, GIN indexes checked (amcheck on 18+, a full-index scan below), heap pages
 * checked by amcheck's `verify_heapam`.
 *
 * The adapter observes; `domain/verification/structure.ts` judges. Per-object outcomes, never a
 * throw for one bad object. Numbers that may exceed 2^53 (sequence values, column extremes) travel
 * as PostgreSQL's decimal text and are compared as `bigint` by the rules.
 */
import type { TableRef } from '../domain/verification/model.ts';

/** A B-tree index, named by its table's schema (index names are unique per schema). */
export interface IndexRef {
  /** Schema of the index and its table. */
  readonly schema: string;
  /** Table the index belongs to. */
  readonly table: string;
  /** Index name. */
  readonly name: string;
}

/** The outcome of checking one index. */
export interface IndexCheckOutcome {
  /** The index checked. */
  readonly index: IndexRef;
  /**
   * `passed`: no problem found; `failed`: amcheck found corruption or could not check the index;
   * `skipped`: the index cannot be checked by design (e.g. not valid after a failed
   * `CREATE INDEX CONCURRENTLY`), which says nothing about corruption.
   */
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Empty when passed; otherwise the server's message or the reason for skipping. */
  readonly message: string;
}

/** The state of one index in `pg_index`. */
export interface IndexState {
  /** The index. */
  readonly index: IndexRef;
  /** Access method (`btree`, `gin`, …). */
  readonly method: string;
  /** `indisvalid`: usable by queries. False after a failed `CREATE INDEX CONCURRENTLY`. */
  readonly valid: boolean;
  /** `indisready`: maintained by writes. */
  readonly ready: boolean;
  /** The index of a partitioned table (invalid while a partition lacks its attached index). */
  readonly partitioned: boolean;
}

/** A sequence, named by its schema. */
export interface SequenceRef {
  /** Schema of the sequence. */
  readonly schema: string;
  /** Sequence name. */
  readonly name: string;
}

/**
 * What was seen of one sequence. `unowned`: no column owns it (neither `serial`/`OWNED BY` nor an
 * identity), so nothing says which values it must stay ahead of. `owned`: its position and the
 * extreme of its column (the maximum for an ascending sequence, the minimum for a descending one;
 * null when the table has no non-null value or the column is not of an integer type).
 * `unreadable`: the sequence or its column could not be read.
 */
export type SequenceObservation =
  | { readonly kind: 'unowned'; readonly sequence: SequenceRef }
  | {
      readonly kind: 'owned';
      readonly sequence: SequenceRef;
      /** The owning table. */
      readonly table: TableRef;
      /** The owning column. */
      readonly column: string;
      /** The column's type (`bigint`, `integer`, …). */
      readonly columnType: string;
      /** `seqincrement`, decimal text (negative for a descending sequence). */
      readonly increment: string;
      /** `seqmin`, decimal text. */
      readonly minValue: string;
      /** `seqmax`, decimal text. */
      readonly maxValue: string;
      /** `seqcycle`. */
      readonly cycle: boolean;
      /** The sequence's `last_value`, decimal text. */
      readonly lastValue: string;
      /** The sequence's `is_called`: false means `nextval` returns `last_value` itself. */
      readonly isCalled: boolean;
      /** The column's maximum (ascending) or minimum (descending), decimal text; see above for null. */
      readonly columnExtreme: string | null;
    }
  | {
      readonly kind: 'unreadable';
      readonly sequence: SequenceRef;
      /** The owning table. */
      readonly table: TableRef;
      /** The owning column. */
      readonly column: string;
      /** The server's message, with its SQLSTATE. */
      readonly error: string;
      /** The SQLSTATE, when the server gave one. */
      readonly sqlState: string | null;
    };

/** A table constraint, named by its table. */
export interface ConstraintRef {
  /** Schema of the table. */
  readonly schema: string;
  /** Table the constraint belongs to. */
  readonly table: string;
  /** Constraint name. */
  readonly name: string;
}

/**
 * The outcome of re-evaluating one constraint (a foreign key or a CHECK) on every row.
 * `checked`: the rows that violate it, counted (0 when it holds) with one of them as a sample.
 * `not-valid`: a `NOT VALID` constraint, which the source never promised for its older rows: not
 * re-evaluated. `not-immutable`: see below. `refused`: the statement was refused (no privilege, a timeout, an error).
 */
export type ConstraintCheckOutcome =
  | {
      readonly constraint: ConstraintRef;
      readonly definition: string;
      readonly status: 'checked';
      /** Rows violating the constraint. */
      readonly violations: number;
      /** One violating key, e.g. `(customer_id)=(42)`; null when there is none. */
      readonly sample: string | null;
    }
  | { readonly constraint: ConstraintRef; readonly definition: string; readonly status: 'not-valid' }
  | {
      readonly constraint: ConstraintRef;
      readonly definition: string;
      /**
       * A CHECK calling a function that is not IMMUTABLE (`now()`, a stable cast): its value today
       * may differ from its value when each row was written, so a re-evaluation proves nothing.
       */
      readonly status: 'not-immutable';
      /** The non-immutable functions it calls, e.g. `now()`. */
      readonly functions: readonly string[];
    }
  | {
      readonly constraint: ConstraintRef;
      readonly definition: string;
      readonly status: 'refused';
      /** The server's message, with its SQLSTATE. */
      readonly error: string;
      /** The SQLSTATE, when the server gave one. */
      readonly sqlState: string | null;
    };

/**
 * The outcome of checking one GIN index: a B-tree outcome, or `inconclusive` when the check was
 * refused for a privilege or cancelled by its timeout (the server's message in `message`).
 */
export type GinIndexOutcome = IndexCheckOutcome | { readonly index: IndexRef; readonly status: 'inconclusive'; readonly message: string };

/**
 * The GIN check: a verdict per index, or why none could be given. `gin_index_check` exists from
 * amcheck 1.5, shipped with PostgreSQL 18; `unsupported` says the engine's amcheck lacks it (an
 * amcheck 1.4 left installed on 18), which is not the same as amcheck being refused.
 */
export type GinCheckRun =
  | { readonly available: false; readonly reason: string }
  | {
      readonly available: true;
      /** How the indexes were checked, e.g. `gin_index_check, amcheck 1.5 already installed`. */
      readonly detail: string;
      /** One outcome per requested index, in request order. */
      readonly outcomes: readonly GinIndexOutcome[];
    }
  | {
      readonly available: false;
      /** The engine's amcheck has no GIN check. */
      readonly unsupported: true;
      /** Why, naming the server and amcheck versions. */
      readonly reason: string;
    };

/** What `verify_heapam` found in one table (with its TOAST table). */
export type HeapCheckOutcome =
  | {
      readonly table: TableRef;
      readonly status: 'checked';
      /** Corruption reports (rows returned by `verify_heapam`). */
      readonly problems: number;
      /** The first few reports, each `block B, offset O[, attribute A]: message`. */
      readonly messages: readonly string[];
    }
  | {
      readonly table: TableRef;
      readonly status: 'refused';
      /** The server's message, with its SQLSTATE. */
      readonly error: string;
      /** The SQLSTATE, when the server gave one. */
      readonly sqlState: string | null;
    };

/**
 * The heap check: amcheck's `verify_heapam` per table, or why amcheck could not be used
 * (`unsupported`: the engine's amcheck predates `verify_heapam`, amcheck 1.3 of PostgreSQL 14).
 */
export type HeapCheckRun =
  | { readonly available: false; readonly reason: string; readonly unsupported?: true }
  | {
      readonly available: true;
      /** Which amcheck was used and how. */
      readonly detail: string;
      /** One outcome per requested table, in request order. */
      readonly outcomes: readonly HeapCheckOutcome[];
    };

/** Read-only structural observations of one (restored) database. */
export interface StructureProbe {
  /** `indisvalid` / `indisready` of every index outside the system schemas. */
  indexStates(): Promise<readonly IndexState[]>;

  /** Every sequence outside the system schemas, with its owner's column extreme when owned. */
  sequenceStates(): Promise<readonly SequenceObservation[]>;

  /** Every foreign key, re-checked by one anti-join per constraint, all in one snapshot. */
  checkForeignKeys(): Promise<readonly ConstraintCheckOutcome[]>;

  /** Every CHECK constraint, re-evaluated on every row, all in one snapshot. */
  checkCheckConstraints(): Promise<readonly ConstraintCheckOutcome[]>;

  /**
   * Each GIN index checked: amcheck's `gin_index_check` (PostgreSQL 18+), below 18 a full-index scan
   * counted against a sequential scan where the operator class allows one.
   */
  checkGinIndexes(indexes: readonly IndexRef[]): Promise<GinCheckRun>;

  /** amcheck's `verify_heapam` (with TOAST) on each table. */
  checkHeapPages(tables: readonly TableRef[]): Promise<HeapCheckRun>;
}
