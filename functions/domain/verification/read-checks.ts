/**
 * The checks of reading the whole restored copy: every table read in full ('tables-readable') and
 * every B-tree index verified by amcheck ('btree-indexes'), and which tables and indexes they look at.
 */
import type { SchemaDescription, TableRef } from './model.ts';
import type { BtreeCheckRun, IndexRef, TableReadOutcome } from '../../ports/verification-probe.ts';
import { qualifiedName } from './manifest.ts';
import type { CheckVerdict } from './report-model.ts';
import { compareText, plural, verdict } from './verdict.ts';

/**
 * The tables read in full: plain and unlogged tables. A partitioned parent holds no rows of its
 * own (its partitions are read); an unlogged table is read although crash recovery empties it.
 */
export function readableTables(schema: SchemaDescription): TableRef[] {
  return schema.tables
    .filter((table) => table.kind !== 'partitioned table')
    .map((table) => ({ schema: table.schema, name: table.name }))
    .sort((a, b) => compareText(a.schema, b.schema) || compareText(a.name, b.name));
}

/**
 * The B-tree indexes amcheck verifies. Indexes of a partitioned parent are left out: they are
 * catalog entries without storage; the partitions' own indexes are checked.
 */
export function btreeIndexes(schema: SchemaDescription): IndexRef[] {
  return schema.tables
    .filter((table) => table.kind !== 'partitioned table')
    .flatMap((table) =>
      table.indexes
        .filter((index) => index.method === 'btree')
        .map((index) => ({ schema: table.schema, table: table.name, name: index.name })),
    )
    .sort((a, b) => compareText(a.schema, b.schema) || compareText(a.name, b.name));
}

/** Passes when every table was read in full; the details give rows and bytes per table. */
export function judgeReadable(reads: readonly TableReadOutcome[]): CheckVerdict {
  if (reads.length === 0) return verdict('tables-readable', 'passed', 'no tables to read');
  let rows = 0;
  let bytes = 0;
  let failures = 0;
  const details = reads.map((read) => {
    const name = qualifiedName(read.table);
    if (!read.ok) {
      failures += 1;
      return `table ${name}: ${read.error}`;
    }
    rows += read.rows;
    bytes += read.bytes;
    return `table ${name}: ${plural(read.rows, 'row')}, ${plural(read.bytes, 'byte')}`;
  });
  if (failures > 0) {
    return verdict(
      'tables-readable',
      'failed',
      `${failures} of ${plural(reads.length, 'table')} could not be read in full`,
      details,
    );
  }
  return verdict(
    'tables-readable',
    'passed',
    `${plural(reads.length, 'table')} read in full: ${plural(rows, 'row')}, ${plural(bytes, 'byte')} of values`,
    details,
  );
}

/**
 * Passes when every B-tree index passed `bt_index_check` (indexes skipped by design, such as
 * invalid ones, are listed but do not fail it); skipped as a whole when amcheck is unavailable.
 */
export function judgeBtreeIndexes(run: BtreeCheckRun): CheckVerdict {
  // Expected to run and did not: nothing was looked at, which must never add up to a pass.
  if (!run.available) return verdict('btree-indexes', 'inconclusive', `amcheck unavailable, no index was checked: ${run.reason}`);
  if (run.outcomes.length === 0) return verdict('btree-indexes', 'passed', 'no B-tree indexes to check');
  const details: string[] = [];
  let failed = 0;
  let skipped = 0;
  for (const outcome of run.outcomes) {
    const name = `index ${outcome.index.schema}.${outcome.index.name}`;
    if (outcome.status === 'failed') {
      failed += 1;
      details.push(`${name}: ${outcome.message}`);
    } else if (outcome.status === 'skipped') {
      skipped += 1;
      details.push(`${name}: skipped (${outcome.message})`);
    }
  }
  const total = run.outcomes.length;
  const how = `bt_index_check with heapallindexed, ${run.detail}`;
  if (failed > 0) {
    return verdict('btree-indexes', 'failed', `${failed} of ${plural(total, 'B-tree index', 'B-tree indexes')} failed ${how}`, details);
  }
  const passed = total - skipped;
  const skippedNote = skipped > 0 ? `, ${skipped} skipped` : '';
  return verdict(
    'btree-indexes',
    'passed',
    `${passed} of ${plural(total, 'B-tree index', 'B-tree indexes')} passed ${how}${skippedNote}`,
    details,
  );
}
