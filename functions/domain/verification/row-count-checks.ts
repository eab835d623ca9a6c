/**
 * The 'row-counts' check: the restored tables' exact counts against the manifest's (format 1), or
 * against their row-count brackets (format 2, see `bracket.ts`), and the finding about unlogged tables.
 */
import type { SchemaDescription } from './model.ts';
import { countableTables, qualifiedName, type DatabaseManifest } from './manifest.ts';
import { diffRowCounts } from './schema-diff.ts';
import type { TableReadOutcome } from '../../ports/verification-probe.ts';
import type { AfterReading } from './after-reading.ts';
import { describeTable, judgeBracket } from './bracket.ts';
import type { TableBracket } from './bracket-model.ts';
import type { CheckVerdict } from './report-model.ts';
import { compareText, epochMicros, formatSeconds, plural, verdict } from './verdict.ts';

/**
 * Passes when the exact row count of every countable table equals the manifest's.
 *
 * No tolerance, on purpose. The manifest is captured moments before RDS takes the snapshot, so
 * writes committed in between legitimately change counts; but a count cannot tell such a write
 * from lost rows, and any tolerance (a percentage, "a few rows") would pass exactly the loss this
 * check exists to catch. So each differing table is a failure showing both numbers, and the
 * heartbeat gives the context: when the restored heartbeat is newer than the manifest's, writes
 * happened in that window and the details say so, for the operator to judge.
 *
 * @param restoredHeartbeat newest heartbeat of the restored database (null when none)
 */
export function judgeRowCounts(
  manifest: DatabaseManifest,
  actual: SchemaDescription,
  reads: readonly TableReadOutcome[],
  restoredHeartbeat: string | null,
): CheckVerdict {
  const byName = new Map(reads.map((read) => [qualifiedName(read.table), read]));
  const counts: Record<string, number> = {};
  const expected: Record<string, number> = { ...manifest.rowCounts };
  const lines: { table: string; line: string }[] = [];
  for (const table of countableTables(actual)) {
    const name = qualifiedName(table);
    const read = byName.get(name);
    if (read?.ok === true) {
      counts[name] = read.rows;
    } else if (expected[name] !== undefined) {
      // A table that could not be read has no count; say so once instead of "row count missing".
      lines.push({ table: name, line: `table ${name}: rows ${expected[name]} -> not counted (the read failed)` });
      delete expected[name];
    }
  }
  for (const line of diffRowCounts(expected, counts)) {
    lines.push({ table: line.slice('table '.length, line.indexOf(': ')), line });
  }
  lines.sort((a, b) => compareText(a.table, b.table));
  const tables = new Set([...Object.keys(manifest.rowCounts), ...Object.keys(counts)]).size;
  const captured = `the manifest captured at ${manifest.capturedAt}`;
  if (lines.length === 0) {
    const rows = Object.values(counts).reduce((sum, count) => sum + count, 0);
    return verdict('row-counts', 'passed', `${plural(tables, 'table')}, ${plural(rows, 'row')}, equal to ${captured}`);
  }
  const details = lines.map((entry) => entry.line);
  const manifestHeartbeat = manifest.heartbeat.latestAt;
  const before = manifestHeartbeat === null ? null : epochMicros(manifestHeartbeat);
  const after = restoredHeartbeat === null ? null : epochMicros(restoredHeartbeat);
  if (before !== null && after !== null && after > before) {
    details.push(
      `the heartbeat advanced from ${manifestHeartbeat} to ${restoredHeartbeat} between manifest capture and snapshot: writes in that window change counts too`,
    );
  }
  return verdict('row-counts', 'failed', `${lines.length} of ${plural(tables, 'table')} differ from ${captured}`, details);
}

/** The schema finding about unlogged tables, once per report (empty when there are none). */
export function unloggedFinding(schema: SchemaDescription | null): string[] {
  const unlogged = (schema?.tables ?? []).filter((t) => t.kind === 'unlogged table').map((t) => qualifiedName(t)).sort(compareText);
  return unlogged.length === 0 ? [] : [`unlogged tables are not backed up by RDS snapshots (a restore empties them, by design): ${unlogged.join(', ')}`];
}

/**
 * The row-count check of a bracketed manifest (format 2): each countable table's restored count
 * against `[count_A − (del_B − del_A), count_A + (ins_B − ins_A)]` (see `verification/bracket.ts`).
 * Passed when every table is inside its bracket, failed when any is outside (the table, the bound
 * and the count in the details), inconclusive when a bracket cannot be sound (with why).
 */
export function judgeRowCountBracket(
  manifest: DatabaseManifest,
  after: AfterReading | null,
  actual: SchemaDescription,
  reads: readonly TableReadOutcome[],
  maxBracketShare: number,
): { check: CheckVerdict; tables: readonly TableBracket[] } {
  const byName = new Map(reads.map((read) => [qualifiedName(read.table), read]));
  const restored: Record<string, number | null> = {};
  for (const table of countableTables(actual)) {
    const name = qualifiedName(table);
    const read = byName.get(name);
    restored[name] = read?.ok === true ? read.rows : null;
  }
  const unlogged = [...manifest.schema.tables, ...actual.tables].filter((t) => t.kind === 'unlogged table').map((t) => qualifiedName(t));
  const judged = judgeBracket({
    countsBefore: manifest.rowCounts,
    before: manifest.counters ?? null,
    after: after?.counters ?? null,
    settle: after?.settle ?? null,
    restored,
    unloggedTables: [...new Set(unlogged)],
    maxWidthShare: maxBracketShare,
  });
  const details = judged.tables.map(describeTable);
  const counted = judged.tables.filter((t) => !unlogged.includes(t.table));
  const widest = Math.max(0, ...counted.map((t) => t.width ?? 0));
  const wide = counted.filter((t) => t.wide).length;
  const wideNote = wide > 0 ? `; ${wide} flagged wider than ${formatSeconds(maxBracketShare * 100)} % of their rows` : '';
  let evidence: string;
  if (judged.status === 'failed') {
    const failed = counted.filter((t) => t.status === 'failed');
    evidence = `${failed.length} of ${plural(counted.length, 'table')} outside the bracket: ${failed.map((t) => `${t.table} ${t.count ?? 'missing'} not in [${t.low ?? '?'}, ${t.high ?? '?'}]`).join(', ')}`;
  } else if (judged.status === 'inconclusive') {
    const open = counted.filter((t) => t.status === 'inconclusive');
    const why = judged.globalReasons.length > 0 ? judged.globalReasons.join('; ') : [...new Set(open.map((t) => t.reason ?? ''))].join('; ');
    evidence = `${open.length} of ${plural(counted.length, 'table')} could not be judged: ${why}`;
  } else {
    evidence = `${plural(counted.length, 'table')} inside the bracket of the manifest captured at ${manifest.capturedAt} (widest ${plural(widest, 'row')})${wideNote}`;
  }
  return { check: verdict('row-counts', judged.status, evidence, details), tables: judged.tables };
}
