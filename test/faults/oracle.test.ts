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
  readonly verified: string;
  readonly other: string;
  readonly decision: 'keep' | 'delete';
}

function exampleRows(): Row[] {
  const section = DOC.slice(DOC.indexOf('### Worked example'), DOC.indexOf('A dry run shows the plan'));
  return section
    .split('\n')
    .filter((line) => /^\| (swifteats-|before-)/.test(line))
    .map((line) => {
      const cells = line.split('|').map((c) => c.trim());
      return { id: cells[1] ?? '', verified: cells[2] ?? '', other: cells[3] ?? '', decision: (cells[4] ?? '').includes('delete') ? 'delete' : 'keep' };
    });
}

function snapshotOf(row: Row, index: number): DBSnapshot {
  const stamp = /(\d{12})$/.exec(row.id)?.[1];
  const created = stamp ? new Date(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:00Z`) : new Date(Date.UTC(2026, 10, 10, 12, index));
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
    let list = rows.map(snapshotOf);
    for (const row of rows.filter((r) => r.decision === 'delete')) {
      const victim = list.find((s) => s.DBSnapshotIdentifier === row.id) as DBSnapshot;
      expect({ id: row.id, reasons: keepReasons(victim, list, now) }).toEqual({ id: row.id, reasons: [] });
      list = list.filter((s) => s !== victim);
    }
  });

  it('gives a reason to keep every row the doc keeps', () => {
    const list = rows.map(snapshotOf);
    for (const row of rows.filter((r) => r.decision === 'keep')) {
      const snapshot = list.find((s) => s.DBSnapshotIdentifier === row.id) as DBSnapshot;
      expect({ id: row.id, kept: keepReasons(snapshot, list, now).length > 0 }).toEqual({ id: row.id, kept: true });
    }
  });

  it('keeps everything when no snapshot passed within 72 hours (the doc: "would delete nothing")', () => {
    const list = rows.map(snapshotOf);
    const later = new Date('2026-11-23T03:00:00Z');
    for (const row of rows.filter((r) => r.decision === 'delete')) {
      const victim = list.find((s) => s.DBSnapshotIdentifier === row.id) as DBSnapshot;
      expect(keepReasons(victim, list, later).map((r) => r.rule)).toContain('retention-verified-fresh');
    }
  });
});
