/**
 * The model of the content checks (`content.ts`): what to scan in a table, the column tallies and
 * row digest one scan gives, reading A's content, and the large-object tally. Types only,
 * importing nothing but the schema model: the content-reader and verification-probe ports and the
 * manifest depend on it.
 */
import type { TableRef } from './model.ts';

/** What a tally counts in a column. */
export type ContentMeasure = 'nulls' | 'zeros' | 'empty';

/** The measures of one column. */
export interface ColumnPlan {
  readonly column: string;
  readonly measures: readonly ContentMeasure[];
}

/** What to scan in one table. */
export interface ContentRequest {
  readonly table: TableRef;
  /** Columns to tally (possibly none). */
  readonly columns: readonly ColumnPlan[];
  /** Whether to compute the row digest too. */
  readonly digest: boolean;
}

/** A column's tallies: only the measures its plan asked for. */
export type ColumnTally = Readonly<Partial<Record<ContentMeasure, number>>>;

/** What one scan of one table (`FROM ONLY`) gave. */
export interface TableContent {
  /** Rows of the table itself (inheritance children left out). */
  readonly rows: number;
  /** Tallies by column name. */
  readonly columns: Readonly<Record<string, ColumnTally>>;
  /** `sum(hashtextextended(row::text, seed))` in decimal, or null when not computed. */
  readonly digest: string | null;
}

/** The large objects of a database (`pg_largeobject_metadata`). */
export interface LargeObjectTally {
  readonly count: number;
  /** Sum of their OIDs (decimal): tells one set of large objects from another of the same size. */
  readonly oidSum: string;
}

/** Reading A's content tallies (manifest field `content`). */
export interface ContentReading {
  /** Seed of `hashtextextended`; the restored copy is digested with the same one. */
  readonly seed: number;
  /** Whether digests were computed (config `restoreTest.contentDigest`). */
  readonly digest: boolean;
  /** Per counted table, keyed `schema.table`. */
  readonly tables: Readonly<Record<string, TableContent>>;
}
