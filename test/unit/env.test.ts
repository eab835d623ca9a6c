import { describe, expect, it } from 'vitest';
import { envInteger, envTopology, failOnProblems, requireEnv } from '../../functions/shared/env.ts';

describe('environment reading at cold start', () => {
  it('names every missing variable at once', () => {
    expect(() => requireEnv(['A', 'B', 'C'], { A: 'x', C: '' })).toThrow('missing environment variable(s): B, C');
  });

  it('collects problems with TOPOLOGY and integers, then fails once listing them all', () => {
    // Prepare
    const problems: string[] = [];
    // Act
    const topology = envTopology('aurora', problems);
    const ttl = envInteger('6h', 'TEMP_TTL_HOURS', 1, 48, problems);
    const port = envInteger('70000', 'DB_PORT', 1, 65_535, problems);
    // Assess
    expect([topology, ttl, port]).toEqual(['multi-az-instance', 1, 1]);
    expect(() => failOnProblems(problems)).toThrow(
      'invalid environment: TOPOLOGY: "aurora" is not multi-az-instance or multi-az-cluster; TEMP_TTL_HOURS: "6h" is not an integer from 1 to 48; DB_PORT: "70000" is not an integer from 1 to 65535',
    );
  });

  it('accepts good values and does not fail without problems', () => {
    const problems: string[] = [];
    expect([envTopology('multi-az-cluster', problems), envInteger('6', 'TEMP_TTL_HOURS', 1, 48, problems)]).toEqual(['multi-az-cluster', 6]);
    expect(() => failOnProblems(problems)).not.toThrow();
  });
});
