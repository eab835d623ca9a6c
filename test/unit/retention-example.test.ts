import { describe, expect, it } from 'vitest';
import { planRetention } from '../../functions/domain/retention/planner.ts';
import { readDoc } from '../support/docs.ts';
import { EXAMPLE_EXPECTED, EXAMPLE_NOW, EXAMPLE_POLICY, EXAMPLE_SNAPSHOTS, parseWorkedExample } from './retention-example.ts';

// The policy, the run time, the snapshots and the expected decisions are all read from
// docs/backups.md ("Worked example"): the page is the test's fixture.
describe('the worked example of docs/backups.md', () => {
  it('reads the example from the page: 13 snapshots, the stated policy', () => {
    expect(EXAMPLE_SNAPSHOTS).toHaveLength(13);
    expect(EXAMPLE_POLICY).toEqual({ name: 'swifteats-gfs', daily: 3, weekly: 2, monthly: 1, yearly: 1, minimumCount: 3, maxVerifiedAgeHours: 72, quota: { max: 100, headroom: 10 } });
    expect(EXAMPLE_NOW.toISOString()).toBe('2026-11-20T03:00:00.000Z');
    expect(EXAMPLE_SNAPSHOTS.find((s) => s.id === 'swifteats-daily-202611170200')?.tags).toEqual({
      'dr:managed': 'true',
      'dr:tier': 'daily',
      'dr:policy': 'swifteats-gfs',
      'dr:legal-hold': 'INC-4711',
      'dr:verified': 'passed',
    });
    expect(EXAMPLE_SNAPSHOTS.find((s) => s.id === 'before-migration-42')?.tags).toEqual({});
  });

  it('decides exactly what the table in the docs says, in its order', () => {
    // Act
    const plan = planRetention(EXAMPLE_SNAPSHOTS, EXAMPLE_POLICY, EXAMPLE_NOW);
    // Assess: the rows of the table, in the planner's order.
    expect(plan.decisions.map((d) => ({ id: d.id, action: d.action, codes: d.codes }))).toEqual(EXAMPLE_EXPECTED);
    expect(plan.deletes).toEqual(EXAMPLE_EXPECTED.filter((r) => r.action === 'delete').map((r) => r.id));
    expect(plan.deletes).toEqual(['swifteats-monthly-202610010200', 'swifteats-daily-202611120200', 'swifteats-daily-202611130200', 'swifteats-daily-202611160200']);
    expect(plan.alarms).toEqual([]);
  });

  it('a page edited without the code fails: one decision changed in the table', () => {
    // Prepare: the doc with one row's decision flipped, as an editor might.
    const edited = readDoc('docs/backups.md').replace('| swifteats-daily-202611180200 | 2026-11-18T02:00:00Z | passed | | keep | tier-daily |', '| swifteats-daily-202611180200 | 2026-11-18T02:00:00Z | passed | | **delete** | outside-retention |');
    const example = parseWorkedExample(edited);
    // Act
    const plan = planRetention(example.snapshots, example.policy, example.now);
    // Assess
    expect(plan.decisions.map((d) => ({ id: d.id, action: d.action, codes: d.codes }))).not.toEqual(example.expected);
  });

  it('freezes expiry when no snapshot passed a restore test in the last 72 hours (the page says so)', () => {
    expect(readDoc('docs/backups.md')).toContain('Had no snapshot passed a restore test since the 17th, the same run would delete nothing and raise\n`verification-stale`.');
    const stale = EXAMPLE_SNAPSHOTS.map((s) => (s.tags['dr:verified'] === 'passed' && String(s.createdAt) > '2026-11-16' ? { ...s, tags: { ...s.tags, 'dr:verified': 'failed' } } : s));
    const plan = planRetention(stale, EXAMPLE_POLICY, EXAMPLE_NOW);
    expect(plan.deletes).toEqual([]);
    expect(plan.alarms.map((a) => a.code)).toEqual(['verification-stale']);
  });
});
