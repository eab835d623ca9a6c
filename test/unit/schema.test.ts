import { array, nullable, optional } from 'valibot';
import { describe, expect, it } from 'vitest';
import { closed, fields, findProblems, finiteNumber, instantWithZone, listOf, oneOf, parseWith, problemsOf, say, text, whenObject, wholeNumber, worded, yesNo } from '../../functions/contracts/schema.ts';
import { ConfigurationError, ValidationError } from '../../functions/shared/errors.ts';

const request = fields(
  {
    snapshotId: text(/^[a-z][a-z0-9-]{0,254}$/),
    tier: optional(oneOf(['daily', 'weekly'] as const)),
    polls: wholeNumber(1, 10),
    at: instantWithZone(),
    tables: array(fields({ name: text() }, 'an object'), say('an array')),
    note: nullable(text()),
  },
  'a JSON object',
);

describe('house schema wrapper', () => {
  it('parses a good value into typed output', () => {
    const value = parseWith(request, { snapshotId: 'db-daily-1', polls: 3, at: '2026-12-03T03:00:00.5+01:00', tables: [{ name: 't' }], note: null }, { label: 'event', prefix: '' });
    expect(value.at).toEqual(new Date('2026-12-03T02:00:00.500Z'));
    expect(value.tier).toBeUndefined();
    expect(value.polls).toBe(3);
  });

  it('lists every problem with its path, bare for events', () => {
    const problems = problemsOf(request, { snapshotId: 'Bad', tier: 'hourly', polls: 1.5, at: '2026-12-03T03:00:00', tables: [{ name: 't' }, { name: '' }], note: 5 }, { label: 'event', prefix: '' });
    expect(problems).toEqual([
      'snapshotId: "Bad" is not a string matching /^[a-z][a-z0-9-]{0,254}$/',
      'tier: "hourly" is not one of daily, weekly',
      'polls: 1.5 is not an integer from 1 to 10',
      'at: "2026-12-03T03:00:00" is not an ISO-8601 time with a zone',
      'tables[1].name: "" is not a non-empty string',
      'note: 5 is not a non-empty string',
    ]);
  });

  it('says required for a missing field and names the whole value by its label', () => {
    expect(problemsOf(request, { polls: 2, at: '2026-12-03T03:00:00Z', tables: [], note: null }, { label: 'manifest' })).toEqual(['manifest.snapshotId: required, a string matching /^[a-z][a-z0-9-]{0,254}$/']);
    expect(problemsOf(request, [], { label: 'event', prefix: '' })).toEqual(['event: [] is not a JSON object']);
    expect(problemsOf(request, { snapshotId: 'a', polls: 1, at: '2026-12-03T03:00:00Z' }, { label: 'event', prefix: '' })).toEqual([
      'tables: required, an array',
      'note: required, a non-empty string',
    ]);
  });

  it('throws one ValidationError by default, or the typed error asked for', () => {
    expect(() => parseWith(request, {}, { label: 'event', prefix: '' })).toThrow(ValidationError);
    expect(() => parseWith(request, null, { label: 'config' }, (p) => new ConfigurationError(p.join('; ')))).toThrow(new ConfigurationError('config: null is not a JSON object'));
  });

  it('words messages another way, reports a bad text once, and checks numbers, flags and lists', () => {
    const settings = fields({
      rate: finiteNumber(0.1, 10, undefined, worded('must be a number from 0.1 to 10')),
      on: yesNo(undefined, worded('must be true or false')),
      name: text(/^[a-z]+$/, 'a lower-case word'),
      emails: listOf(text(/@/, 'an email address'), worded('must be a list')),
    });
    expect(problemsOf(settings, { rate: Infinity, on: 'yes', name: '', emails: ['a@b', 'x'] }, { label: 'config' })).toEqual([
      'config.rate: null must be a number from 0.1 to 10',
      'config.on: "yes" must be true or false',
      'config.name: "" is not a lower-case word',
      'config.emails[1]: "x" is not an email address',
    ]);
    expect(problemsOf(settings, { on: true, name: 'a', emails: 5 }, { label: 'config' })).toEqual(['config.rate: missing value must be a number from 0.1 to 10', 'config.emails: 5 must be a list']);
  });

  it('names keys a closed object does not allow first, and marks them', () => {
    const target = closed(fields({ rpoSeconds: wholeNumber(0, 10), rtoSeconds: wholeNumber(1, 10) }), ['rpoSeconds', 'rtoSeconds'], 'unknown key; allowed: rpoSeconds, rtoSeconds');
    const modes = fields({ az: whenObject(target) });
    expect(findProblems(modes, { az: { rpoSeconds: -1, rtoSeconds: 1, rto: 2 } }, { label: 'objectives' })).toEqual([
      { path: 'objectives.az.rto', message: 'unknown key; allowed: rpoSeconds, rtoSeconds', unknownKey: true },
      { path: 'objectives.az.rpoSeconds', message: '-1 is not an integer from 0 to 10', unknownKey: false },
    ]);
    // whenObject leaves what is not an object to a later rule.
    expect(problemsOf(modes, { az: 'none' }, { label: 'objectives' })).toEqual([]);
    expect(problemsOf(modes, { az: null }, { label: 'objectives' })).toEqual([]);
    expect(() => parseWith(target, { rpoSeconds: 1, rtoSeconds: 2, x: 0 }, { label: 'o' })).toThrow(ValidationError);
  });
});
