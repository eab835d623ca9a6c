/**
 * Port: the content tallies and row digests of reading A, and the large objects of a database
 * (see `domain/verification/content.ts`; the shapes in `content-model.ts`).
 */
import type { RowCounts, TableRef } from '../domain/verification/model.ts';
import type { ContentRequest, LargeObjectTally, TableContent } from '../domain/verification/content-model.ts';

/** What one consistent scan of the production database gave. */
export interface ContentScan {
  /** Exact row counts, as `DatabaseInspector.countRows` gives them (`FROM t`, children included). */
  readonly rowCounts: RowCounts;
  /** Tallies and digests (`FROM ONLY t`), keyed `schema.table`. */
  readonly content: Readonly<Record<string, TableContent>>;
  /** The large objects, in the same snapshot. */
  readonly largeObjects: LargeObjectTally;
}

/** Reads content tallies; never writes. */
export interface ContentReader {
  /**
   * Counts the rows of `tables` and scans each request's tallies and digest, all in one
   * repeatable-read snapshot, one scan per table where the table has no inheritance children.
   */
  scanContent(tables: readonly TableRef[], requests: readonly ContentRequest[], seed: number): Promise<ContentScan>;

  /** Count and OID sum of the large objects (`pg_largeobject_metadata`). */
  largeObjects(): Promise<LargeObjectTally>;
}
