import { describe, expect, it } from 'vitest';
import { firesAt, longestGapSeconds, parseSchedule, type Schedule } from '../../functions/domain/snapshots/schedule.ts';

function parsed(expression: string): Schedule {
  const result = parseSchedule(expression);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.schedule;
}

function cronFires(expression: string, iso: string): boolean {
  const schedule = parsed(expression);
  if (schedule.kind !== 'cron') throw new Error('not cron');
  return firesAt(schedule.fields, new Date(iso));
}

describe('schedule expressions', () => {
  it.each([
    ['rate(5 minutes)', 300],
    ['rate(1 hour)', 3600],
    ['rate(2 days)', 172800],
    ['cron(0 2 * * ? *)', 86400],
    ['cron(*/15 * * * ? *)', 900],
    ['cron(0 2 ? * SUN *)', 604800],
    ['cron(0 2 ? * MON-FRI *)', 3 * 86400],
    ['cron(0 0,12 * * ? *)', 43200],
  ])('%s runs at most every %i s', (expression, seconds) => {
    expect(longestGapSeconds(parsed(expression))).toBe(seconds);
  });

  it('measures the longest month for a monthly schedule and the gap across a leap year for a yearly one', () => {
    expect(longestGapSeconds(parsed('cron(0 2 1 * ? *)'))).toBe(31 * 86400);
    expect(longestGapSeconds(parsed('cron(0 2 1 1 ? *)'), new Date('2027-06-01T00:00:00Z'))).toBe(366 * 86400);
  });

  it('returns Infinity when a schedule fires at most once in two years', () => {
    expect(longestGapSeconds(parsed('cron(0 2 1 1 ? 2026)'))).toBe(Infinity);
  });

  it('matches L, W and # day rules', () => {
    expect(cronFires('cron(0 2 L * ? *)', '2028-02-29T02:00:00Z')).toBe(true);
    expect(cronFires('cron(0 2 L * ? *)', '2028-02-28T02:00:00Z')).toBe(false);
    // 2026-11-15 is a Sunday: the nearest weekday is Monday the 16th.
    expect(cronFires('cron(0 2 15W * ? *)', '2026-11-16T02:00:00Z')).toBe(true);
    expect(cronFires('cron(0 2 15W * ? *)', '2026-11-15T02:00:00Z')).toBe(false);
    // Second Tuesday of December 2026 is the 8th; last Friday of November 2026 is the 27th.
    expect(cronFires('cron(0 2 ? * 3#2 *)', '2026-12-08T02:00:00Z')).toBe(true);
    expect(cronFires('cron(0 2 ? * 6L *)', '2026-11-27T02:00:00Z')).toBe(true);
    expect(cronFires('cron(0 2 ? * 6L *)', '2026-11-20T02:00:00Z')).toBe(false);
  });

  it.each([
    ['cron(0 2 * * *)', 'cron(0 2 * * *) has 5 fields; it needs 6: minutes hours day-of-month month day-of-week year'],
    ['cron(0 2 * * ? *', '"cron(0 2 * * ? *" is not a schedule expression; use cron(min hour day-of-month month day-of-week year) or rate(value unit)'],
    ['cron(61 2 * * ? *)', 'minutes value 61 is outside 0-59'],
    ['cron(0 2 * FOO ? *)', 'month value "FOO" is not a number or one of JAN,FEB,MAR,APR,MAY,JUN,JUL,AUG,SEP,OCT,NOV,DEC'],
    ['cron(0 2 ? * ? *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 5-2 * * ? *)', 'hours range 5-2 runs backwards'],
    ['cron(0/0 2 * * ? *)', 'minutes step "0" must be a positive integer'],
    ['rate(5 weeks)', 'rate unit "weeks" is not one of minute, minutes, hour, hours, day, days'],
    ['rate(five minutes)', 'rate(five minutes) must be rate(value unit), e.g. rate(5 minutes)'],
    ['rate(0 minutes)', 'rate value must be a positive integer'],
  ])('refuses %s', (expression, message) => {
    expect(parseSchedule(expression)).toEqual({ ok: false, problems: [message] });
  });
});
