/**
 * The retention oracle of the fault layer against the worked example of docs/backups.md, read
 * from the doc itself: every row the doc deletes has no reason to keep it (deletes judged oldest
 * first, each against the list as it is then), every row it keeps has one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DBSnapshot } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { keepReasons } from './oracle.ts';

const DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'backups.md'), 'utf8');

interface Row {
  readonly id: string;
  readonly created: string;
  readonly verified: string;
  readonly other: string;
  readonly decision: 'keep' | 'delete';
}

/** The example's table, read by its header's column names (snapshot, created (UTC), dr:verified, other tags, decision). */
function exampleRows(): Row[] {
  const section = DOC.slice(DOC.indexOf('### Worked example'), DOC.indexOf('A dry run shows the plan'));
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  const header = (lines[0] ?? '').split('|').map((c) => c.trim());
  const column = (name: string): number => {
    const at = header.findIndex((c) => c.startsWith(name));
    if (at < 0) throw new Error(`docs/backups.md worked example: no column "${name}" in ${JSON.stringify(header)}`);
    return at;
  };
  const [id, created, verified, other, decision] = ['snapshot', 'created', 'dr:verified', 'other tags', 'decision'].map(column) as [number, number, number, number, number];
  return lines
    .filter((line) => /^\| (swifteats-|before-)/.test(line))
    .map((line) => {
      const cells = line.split('|').map((c) => c.trim());
      return { id: cells[id] ?? '', created: cells[created] ?? '', verified: cells[verified] ?? '', other: cells[other] ?? '', decision: (cells[decision] ?? '').includes('delete') ? 'delete' : 'keep' };
    });
}

function snapshotOf(row: Row): DBSnapshot {
  const created = new Date(row.created);
  if (Number.isNaN(created.getTime())) throw new Error(`docs/backups.md worked example: ${row.id} has no valid created time (${row.created})`);
  const tier = /^swifteats-(daily|weekly|monthly|yearly)-/.exec(row.id)?.[1];
  const managed = !row.other.includes('no `dr:managed`');
  const hold = /dr:legal-hold=([A-Z0-9-]+)/.exec(row.other)?.[1];
  const tags = [
    ...(managed ? [{ Key: 'dr:managed', Value: 'true' }, { Key: 'dr:policy', Value: 'swifteats-gfs' }, { Key: 'dr:tier', Value: tier ?? 'daily' }] : []),
    ...(row.verified === 'passed' || row.verified === 'failed' ? [{ Key: 'dr:verified', Value: row.verified }] : []),
    ...(hold ? [{ Key: 'dr:legal-hold', Value: hold }] : []),
  ];
  return { DBSnapshotIdentifier: row.id, Status: 'available', SnapshotType: 'manual', SnapshotCreateTime: created, OriginalSnapshotCreateTime: created, TagList: tags };
}

describe('retention oracle (test/faults/oracle.ts) on the worked example of docs/backups.md', () => {
  const rows = exampleRows();
  const now = new Date('2026-11-20T03:00:00Z');

  it('reads the 13 rows of the example', () => {
    expect(rows).toHaveLength(13);
    expect(rows.filter((r) => r.decision === 'delete').map((r) => r.id)).toEqual([
      'swifteats-monthly-202610010200',
      'swifteats-daily-202611120200',
      'swifteats-daily-202611130200',
      'swifteats-daily-202611160200',
    ]);
  });

  it('finds no reason to keep what the doc deletes, deleting oldest first', () => {
    let list = rows.map((row) => snapshotOf(row));
    for (const row of rows.filter((r) => r.decision === 'delete')) {
      const victim = list.find((s) => s.DBSnapshotIdentifier === row.id) as DBSnapshot;
      expect({ id: row.id, reasons: keepReasons(victim, list, now) }).toEqual({ id: row.id, reasons: [] });
      list = list.filter((s) => s !== victim);
    }
  });

  it('gives a reason to keep every row the doc keeps', () => {
    const list = rows.map((row) => snapshotOf(row));
    for (const row of rows.filter((r) => r.decision === 'keep')) {
      const snapshot = list.find((s) => s.DBSnapshotIdentifier === row.id) as DBSnapshot;
      expect({ id: row.id, kept: keepReasons(snapshot, list, now).length > 0 }).toEqual({ id: row.id, kept: true });
    }
  });

  it('keeps everything when no snapshot passed within 72 hours (the doc: "would delete nothing")', () => {
    const list = rows.map((row) => snapshotOf(row));
    const later = new Date('2026-11-23T03:00:00Z');
    for (const row of rows.filter((r) => r.decision === 'delete')) {
      const victim = list.find((s) => s.DBSnapshotIdentifier === row.id) as DBSnapshot;
      expect(keepReasons(victim, list, later).map((r) => r.rule)).toContain('retention-verified-fresh');
    }
  });
});
