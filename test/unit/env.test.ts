import { describe, expect, it } from 'vitest';
import { envContract, integer, oneOf, parseEnv } from '../../functions/contracts/env-schema.ts';
import { TOPOLOGIES } from '../../functions/contracts/environment.ts';
import { objectivesProblems } from '../../functions/contracts/objectives.ts';
import { retentionSettingsProblems } from '../../functions/contracts/retention-settings.ts';
import { requireEnv } from '../../functions/shared/env.ts';

/** The shape every function's contract is built from (functions/contracts/environment.ts). */
const SAMPLE = envContract({
  fields: { TOPOLOGY: oneOf(TOPOLOGIES, 'multi-az-instance or multi-az-cluster'), TEMP_TTL_HOURS: integer(1, 48), DB_PORT: integer(1, 65_535) },
});

describe('environment reading at cold start', () => {
  it('names every missing variable at once', () => {
    expect(() => requireEnv(['A', 'B', 'C'], { A: 'x', C: '' })).toThrow('missing environment variable(s): B, C');
    expect(() => parseEnv(SAMPLE, { TOPOLOGY: 'multi-az-cluster', DB_PORT: '' })).toThrow('missing environment variable(s): TEMP_TTL_HOURS, DB_PORT');
  });

  it('collects problems with TOPOLOGY and integers, then fails once listing them all', () => {
    expect(() => parseEnv(SAMPLE, { TOPOLOGY: 'aurora', TEMP_TTL_HOURS: '6h', DB_PORT: '70000' })).toThrow(
      'invalid environment: TOPOLOGY: "aurora" is not multi-az-instance or multi-az-cluster; TEMP_TTL_HOURS: "6h" is not an integer from 1 to 48; DB_PORT: "70000" is not an integer from 1 to 65535',
    );
  });

  it('accepts good values and does not fail without problems', () => {
    expect(parseEnv(SAMPLE, { TOPOLOGY: 'multi-az-cluster', TEMP_TTL_HOURS: '6', DB_PORT: '5432' })).toEqual({ TOPOLOGY: 'multi-az-cluster', TEMP_TTL_HOURS: 6, DB_PORT: 5432 });
  });
});

describe('documents carried in environment variables (functions/contracts)', () => {
  const SETTINGS = { daily: 7, weekly: 5, monthly: 12, yearly: 3, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: 2, maxVerifiedAgeHours: 72 };

  it('RETENTION_POLICY: unknown settings first, then each field in the planner\'s words', () => {
    expect(retentionSettingsProblems(SETTINGS)).toEqual([]);
    expect(retentionSettingsProblems([])).toEqual(['must be a JSON object with daily, weekly, monthly, yearly, minimumCount, quotaHeadroom, deletesPerSecond, maxVerifiedAgeHours']);
    expect(retentionSettingsProblems({ ...SETTINGS, deletesPerSecond: 0, minimumCount: 0.5, maxVerifiedAgeHours: undefined, hourly: 1 })).toEqual([
      'hourly: unknown setting; allowed: daily, weekly, monthly, yearly, minimumCount, quotaHeadroom, deletesPerSecond, maxVerifiedAgeHours',
      'deletesPerSecond: 0 must be a number > 0 and <= 10',
      'minimumCount: 0.5 must be an integer >= 1',
      'maxVerifiedAgeHours: missing must be a number > 0',
    ]);
    expect(retentionSettingsProblems({ ...SETTINGS, daily: 0, weekly: 0, monthly: 0, yearly: 0 })).toEqual(['daily, weekly, monthly, yearly: all are 0, so the policy would keep nothing; keep at least one tier']);
  });

  it('OBJECTIVES: a missing mode is named like a bad one', () => {
    expect(objectivesProblems({ az: null, region: null, corruption: { rpoSeconds: 0 } })).toEqual(['corruption.rtoSeconds: missing is not an integer >= 1', 'snapshotLoss: must be null or { rpoSeconds, rtoSeconds }']);
  });
});
