import { array, boolean, custom, nullable, number, optional, string } from 'valibot';
import type { ObjectEntries } from 'valibot';
import { describe, expect, it } from 'vitest';
import { absentAs, closed, entriesOf, fields, fieldsOf, findProblems, finiteNumber, flag, gatedBy, instantWithZone, isNot, listOf, members, must, oneOf, orNull, parseWith, problemsOf, reportedAs, say, stringList, text, unchecked, whenObject, wholeNumber, worded, yesNo } from '../../functions/contracts/schema.ts';
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
      emails: listOf(() => text(/@/, 'an email address'), worded('must be a list')),
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

  it('reports one problem per value, whatever fails first', () => {
    expect(problemsOf(request, { snapshotId: '', polls: 0.5, at: 'x', tables: [], note: null }, { label: 'event', prefix: '' })).toEqual([
      'snapshotId: "" is not a string matching /^[a-z][a-z0-9-]{0,254}$/',
      'polls: 0.5 is not an integer from 1 to 10',
      'at: "x" is not an ISO-8601 time with a zone',
    ]);
  });
});

describe('builders for documents checked field by field', () => {
  const reading = members(
    {
      version: custom<1>((value) => value === 1, (issue) => `must be 1, got ${String(issue.input)}`),
      name: string(must('a string')),
      note: optional(string(must('a string'))),
      counts: entriesOf(number(must('a number')), must('an object')),
      tallies: entriesOf(number(must('a number')), must('an object'), oneOf(['nulls', 'zeros'] as const)),
      items: listOf(() => members({ id: number(must('a number')) }, must('an object')), must('an array')),
      settle: reportedAs(members({ settled: boolean(), waited: number() }, must('an object')), 'must be { settled, waited }'),
      heartbeat: reportedAs(members({ latestAt: nullable(string()) }, must('an object')), 'must be a string or null', 'latestAt'),
      extra: unchecked<{ anything: unknown }>(),
    },
    must('an object'),
  );
  const place = { label: 'doc' };
  const good = { version: 1, name: 'a', counts: { 'shop.orders': 3 }, tallies: { nulls: 1 }, items: [{ id: 1 }], settle: { settled: true, waited: 0 }, heartbeat: { latestAt: null }, dropped: true };

  it('parses a good document, keeping what is declared and present and dropping unknown keys', () => {
    expect(parseWith(reading, good, place)).toEqual({ version: 1, name: 'a', counts: { 'shop.orders': 3 }, tallies: { nulls: 1 }, items: [{ id: 1 }], settle: { settled: true, waited: 0 }, heartbeat: { latestAt: null } });
    expect(Object.keys(parseWith(reading, good, place))).not.toContain('note');
  });

  it('checks an absent field as undefined, in the declared order, and words each part as declared', () => {
    const problems = problemsOf(reading, { version: 3, counts: { a: 'x', b: 2 }, tallies: { blanks: 'x', zeros: 'y' }, items: [{ id: 1 }, 'x', {}], settle: { settled: true }, heartbeat: 5 }, place);
    expect(problems).toEqual([
      'doc.version: must be 1, got 3',
      'doc.name: must be a string',
      'doc.counts.a: must be a number',
      'doc.tallies.blanks: "blanks" is not one of nulls, zeros',
      'doc.tallies.zeros: must be a number',
      'doc.items[1]: must be an object',
      'doc.items[2].id: must be a number',
      'doc.settle: must be { settled, waited }',
      'doc.heartbeat.latestAt: must be a string or null',
    ]);
    expect(problemsOf(reading, [], place)).toEqual(['doc: must be an object']);
    expect(problemsOf(reading, { ...good, counts: [], items: {} }, place)).toEqual(['doc.counts: must be an object', 'doc.items: must be an array']);
  });

  it('reports unknown keys first when asked, and gives each list item the whole list', () => {
    const item = (index: number, items: readonly unknown[]) =>
      members(
        { name: custom<string>((name) => typeof name === 'string' && !items.slice(0, index).some((other) => (other as { name?: unknown }).name === name), isNot('a free name')) },
        isNot('an object'),
        () => 'unknown field',
      );
    expect(problemsOf(listOf(item, isNot('a list')), [{ name: 'a' }, { extra: 1, name: 'a' }, 'x'], { label: 'list', prefix: 'list' })).toEqual([
      'list[1].extra: unknown field',
      'list[1].name: "a" is not a free name',
      'list[2]: "x" is not an object',
    ]);
    expect(problemsOf(listOf(item, isNot('a list')), undefined, { label: 'list', prefix: 'list' })).toEqual(['list: undefined is not a list']);
  });

  it('checks the rest only once a gating field passes', () => {
    const gated = gatedBy('version', custom((value) => value === 1, must('1')), members({ version: number(), body: string(must('a string')) }, must('an object')));
    expect(problemsOf(gated, { version: 2 }, place)).toEqual(['doc.version: must be 1']);
    expect(problemsOf(gated, { version: 1 }, place)).toEqual(['doc.body: must be a string']);
    expect(problemsOf(gated, 'x', place)).toEqual(['doc: must be an object']);
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
    items: listOf(() => fields({ n: wholeNumber(0, 9) }), say('an array')),
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
