import { describe, expect, it } from 'vitest';
import { envContract, integer, oneOf, parseEnv } from '../../functions/contracts/env-schema.ts';
import { TOPOLOGIES } from '../../functions/contracts/environment.ts';
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
