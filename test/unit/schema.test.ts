import { array, nullable, optional } from 'valibot';
import type { ObjectEntries } from 'valibot';
import { describe, expect, it } from 'vitest';
import { absentAs, fields, fieldsOf, flag, instantWithZone, listOf, oneOf, orNull, parseWith, problemsOf, say, stringList, text, wholeNumber } from '../../functions/contracts/schema.ts';
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

  it('reports one problem per value, whatever fails first', () => {
    expect(problemsOf(request, { snapshotId: '', polls: 0.5, at: 'x', tables: [], note: null }, { label: 'event', prefix: '' })).toEqual([
      'snapshotId: "" is not a string matching /^[a-z][a-z0-9-]{0,254}$/',
      'polls: 0.5 is not an integer from 1 to 10',
      'at: "x" is not an ISO-8601 time with a zone',
    ]);
  });
});

describe('form-like objects and field defaults', () => {
  const event = fieldsOf({
    action: oneOf(['plan', 'copy'] as const),
    dryRun: flag(false),
    previous: orNull(text()),
    warnings: stringList(),
    request: fieldsOf({ id: text() }, { absent: 'required, an object' }),
    doc: fieldsOf({ key: text() }),
    items: listOf(fields({ n: wholeNumber(0, 9) })),
  });
  const place = { label: 'event', prefix: '' };

  it('applies the defaults of absent fields', () => {
    expect(parseWith(event, { action: 'plan', request: { id: 'r' }, doc: { key: 'k' }, items: [{ n: 1 }] }, place)).toEqual({ action: 'plan', dryRun: false, previous: null, warnings: [], request: { id: 'r' }, doc: { key: 'k' }, items: [{ n: 1 }] });
    expect(parseWith(event, { action: 'copy', dryRun: true, previous: null, warnings: null, request: { id: 'r' }, doc: { key: 'k' }, items: [] }, place)).toMatchObject({ dryRun: true, previous: null, warnings: [] });
  });

  it('a value that is not an object is one problem, and its required fields are still listed', () => {
    expect(problemsOf(event, 'x', place)).toEqual(['event: must be a JSON object, got string', 'action: required, one of plan, copy', 'request: required, an object', 'doc: must be a JSON object, got undefined', 'items: required, an array']);
    expect(problemsOf(event, null, place)[0]).toBe('event: must be a JSON object, got null');
    expect(problemsOf(event, [], place)[0]).toBe('event: must be a JSON object, got an array');
  });

  it('names nested problems by path; an absent object with its own message is reported alone', () => {
    expect(problemsOf(event, { action: 'plan', dryRun: null, warnings: ['a', 1], request: null, doc: [], items: [{ n: 10 }] }, place)).toEqual([
      'dryRun: null is not true or false',
      'warnings: ["a",1] is not an array of strings',
      'request: required, an object',
      'doc: must be a JSON object, got an array',
      'doc.key: required, a non-empty string',
      'items[0].n: 10 is not an integer from 0 to 9',
    ]);
  });

  it('reports a path under another name when the place renames it', () => {
    expect(problemsOf(event, { action: 'x', request: {}, doc: { key: 'k' }, items: [] }, { label: 'event', rename: (path) => path.replace(/^event\.action$/, 'action') })).toEqual(['action: "x" is not one of plan, copy', 'event.request.id: required, a non-empty string']);
  });
});

describe('absent fields', () => {
  it('absentAs gives its value for an absent field and reads a present one, null included', () => {
    const s = fields({ doc: absentAs(fields({ key: text() }), null), who: absentAs(text(), 'manual') });
    const place = { label: 'event', prefix: '' };
    expect(parseWith(s, {}, place)).toEqual({ doc: null, who: 'manual' });
    expect(parseWith(s, { doc: { key: 'k' }, who: 'x' }, place)).toEqual({ doc: { key: 'k' }, who: 'x' });
    expect(problemsOf(s, { doc: null, who: '' }, place)).toEqual(['doc: null is not a JSON object', 'who: "" is not a non-empty string']);
  });
});

describe('objects whose fields depend on each other', () => {
  const place = { label: 'event', prefix: '' };
  const s = fieldsOf({ id: optional(text()), name: optional(text()), at: orNull(text()) }, {}, (value): ObjectEntries => (value['id'] === undefined ? { name: text() } : {}));

  it('replaces the declared field for this value, in its place', () => {
    expect(problemsOf(s, { at: 5 }, place)).toEqual(['name: required, a non-empty string', 'at: 5 is not a non-empty string']);
    expect(problemsOf(s, { id: 'a' }, place)).toEqual([]);
    expect(problemsOf(s, 'x', place)).toEqual(['event: must be a JSON object, got string', 'name: required, a non-empty string']);
  });

  it('a value that is not an object can be one problem alone', () => {
    const outer = fields({ run: fieldsOf({ id: text() }, { absent: 'required, an object', alone: true }) });
    expect(problemsOf(outer, { run: 5 }, place)).toEqual(['run: must be a JSON object, got number']);
    expect(problemsOf(outer, {}, place)).toEqual(['run: required, an object']);
  });
});
