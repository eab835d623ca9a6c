import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import validator from 'asl-validator';
import { allStates, aslText } from '../support/asl.ts';

const FILES = readdirSync(join(import.meta.dirname, '..', '..', 'statemachines'))
  .filter((f) => f.endsWith('.asl.json'))
  .map((f) => f.replace(/\.asl\.json$/, ''))
  .sort();

type Rule = { ErrorEquals: string[] };

/**
 * Rules every workflow file keeps, beyond what asl-validator checks: the States Language
 * spec allows `States.ALL` only alone and in the last retrier or catcher (Step Functions
 * refuses the definition otherwise), and the house style wants a Comment on every state.
 */
describe.each(FILES)('statemachines/%s.asl.json', (name) => {
  const definition = JSON.parse(aslText(name)) as Record<string, unknown>;
  const states = Object.entries(allStates(definition));

  it('is valid ASL', () => {
    const result = validator(definition);
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('puts States.ALL only alone, in the last retrier and the last catcher', () => {
    const misplaced: string[] = [];
    for (const [state, body] of states) {
      for (const field of ['Retry', 'Catch'] as const) {
        const rules = (body[field] ?? []) as Rule[];
        rules.forEach((rule, i) => {
          if (rule.ErrorEquals.includes('States.ALL') && (i !== rules.length - 1 || rule.ErrorEquals.length > 1)) misplaced.push(`${state}.${field}[${i}]`);
        });
      }
    }
    expect(misplaced).toEqual([]);
  });

  it('has a Comment on every state', () => {
    expect(states.filter(([, body]) => typeof body.Comment !== 'string' || body.Comment === '').map(([state]) => state)).toEqual([]);
  });
});

describe('the workflow files', () => {
  it('are the four the stacks deploy', () => {
    expect(FILES).toEqual(['backup', 'failover', 'pitr-restore', 'verify']);
  });
});
