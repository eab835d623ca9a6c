import { describe, expect, it } from 'vitest';
import { planRetention } from '../../functions/domain/retention.ts';
import { EXAMPLE_NOW, EXAMPLE_POLICY, EXAMPLE_SNAPSHOTS } from './retention-example.ts';

describe('the worked example of docs/backups.md', () => {
  it('decides exactly what the table in the docs says', () => {
    // Act
    const plan = planRetention(EXAMPLE_SNAPSHOTS, EXAMPLE_POLICY, EXAMPLE_NOW);
    // Assess: the rows of the table, in the planner's order.
    expect(plan.decisions.map((d) => [d.id, d.action, d.codes.join(', ')])).toEqual([
      ['swifteats-yearly-202601010200', 'keep', 'tier-yearly'],
      ['swifteats-monthly-202610010200', 'delete', 'outside-retention'],
      ['swifteats-monthly-202611010200', 'keep', 'tier-monthly'],
      ['swifteats-weekly-202611080200', 'keep', 'tier-weekly'],
      ['before-migration-42', 'keep', 'unmanaged'],
      ['swifteats-daily-202611120200', 'delete', 'outside-retention'],
      ['swifteats-daily-202611130200', 'delete', 'outside-retention'],
      ['swifteats-weekly-202611150200', 'keep', 'tier-weekly'],
      ['swifteats-daily-202611160200', 'delete', 'verification-failed'],
      ['swifteats-daily-202611170200', 'keep', 'legal-hold'],
      ['swifteats-daily-202611180200', 'keep', 'tier-daily'],
      ['swifteats-daily-202611190200', 'keep', 'newest-verified, tier-daily'],
      ['swifteats-daily-202611200200', 'keep', 'newer-than-verified, tier-daily'],
    ]);
    expect(plan.deletes).toEqual(['swifteats-monthly-202610010200', 'swifteats-daily-202611120200', 'swifteats-daily-202611130200', 'swifteats-daily-202611160200']);
    expect(plan.alarms).toEqual([]);
  });

  it('freezes expiry when no snapshot passed a restore test in the last 72 hours', () => {
    const stale = EXAMPLE_SNAPSHOTS.map((s) => (s.tags['dr:verified'] === 'passed' && String(s.createdAt) > '2026-11-16' ? { ...s, tags: { ...s.tags, 'dr:verified': 'failed' } } : s));
    const plan = planRetention(stale, EXAMPLE_POLICY, EXAMPLE_NOW);
    expect(plan.deletes).toEqual([]);
    expect(plan.alarms.map((a) => a.code)).toEqual(['verification-stale']);
  });
});
