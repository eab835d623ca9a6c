import type { RetentionPolicy, SnapshotRecord } from '../../functions/domain/retention.ts';

/** The worked example of docs/backups.md; test/unit/retention-example.test.ts asserts the table printed there. */
export const EXAMPLE_NOW = new Date('2026-11-20T03:00:00Z');

export const EXAMPLE_POLICY: RetentionPolicy = {
  name: 'swifteats-gfs',
  daily: 3,
  weekly: 2,
  monthly: 1,
  yearly: 1,
  minimumCount: 3,
  maxVerifiedAgeHours: 72,
  quota: { max: 100, headroom: 10 },
};

function managed(id: string, verified: 'passed' | 'failed' | null, extra: Record<string, string> = {}): SnapshotRecord {
  const [, tier = '', stamp = ''] = /^swifteats-(\w+)-(\d{12})$/.exec(id) ?? [];
  const createdAt = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:00Z`;
  const tags: Record<string, string> = { 'dr:managed': 'true', 'dr:tier': tier, 'dr:policy': 'swifteats-gfs', ...extra };
  if (verified) tags['dr:verified'] = verified;
  return { id, database: 'swifteats', createdAt, status: 'available', type: 'manual', tags };
}

export const EXAMPLE_SNAPSHOTS: readonly SnapshotRecord[] = [
  managed('swifteats-yearly-202601010200', 'passed'),
  managed('swifteats-monthly-202610010200', 'passed'),
  managed('swifteats-monthly-202611010200', 'passed'),
  managed('swifteats-weekly-202611080200', 'passed'),
  managed('swifteats-daily-202611120200', 'passed'),
  managed('swifteats-daily-202611130200', 'passed'),
  managed('swifteats-weekly-202611150200', 'passed'),
  managed('swifteats-daily-202611160200', 'failed'),
  managed('swifteats-daily-202611170200', 'passed', { 'dr:legal-hold': 'INC-4711' }),
  managed('swifteats-daily-202611180200', 'passed'),
  managed('swifteats-daily-202611190200', 'passed'),
  managed('swifteats-daily-202611200200', null),
  { id: 'before-migration-42', database: 'swifteats', createdAt: '2026-11-10T09:30:00Z', status: 'available', type: 'manual', tags: {} },
];
