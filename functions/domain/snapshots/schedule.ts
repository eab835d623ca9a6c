/**
 * EventBridge Scheduler schedule expressions: parsing with exact error messages, and
 * the longest gap between two runs (the floor of any RPO that a scheduled job bounds).
 *
 * Syntax follows the Scheduler user guide, "Schedule types on EventBridge Scheduler"
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
 * `cron(minutes hours day-of-month month day-of-week year)` with one of day-of-month /
 * day-of-week set to `?`, and `rate(value unit)` with unit minute(s) | hour(s) | day(s).
 * One-time `at(...)` expressions are refused: every job here recurs.
 */

/** A parsed recurring schedule. */
export type Schedule =
  | { readonly kind: 'rate'; readonly seconds: number }
  | { readonly kind: 'cron'; readonly fields: CronFields };

/** Each cron field reduced to a predicate over a calendar value. */
export interface CronFields {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly years: ReadonlySet<number> | null;
  /** Matches a UTC date (day-of-month and day-of-week rules, `?` meaning "any"). */
  readonly day: (date: Date) => boolean;
}

/** Result of {@link parseSchedule}: the schedule, or the problems with it. */
export type ParseResult = { readonly ok: true; readonly schedule: Schedule } | { readonly ok: false; readonly problems: string[] };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const RATE_UNITS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };

/**
 * Parses a recurring schedule expression. Problems are phrased without the field
 * path; the caller prefixes it.
 */
export function parseSchedule(expression: string): ParseResult {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) return parseRate(rate[1] ?? '');
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return parseCron(cron[1] ?? '');
  if (expression.startsWith('at(')) {
    return { ok: false, problems: ['one-time at(...) expressions are not allowed: the job must recur; use cron(...) or rate(...)'] };
  }
  return { ok: false, problems: [`"${expression}" is not a schedule expression; use cron(min hour day-of-month month day-of-week year) or rate(value unit)`] };
}

function parseRate(body: string): ParseResult {
  const match = /^(\d+) ([a-z]+)$/.exec(body.trim());
  if (!match) return { ok: false, problems: [`rate(${body}) must be rate(value unit), e.g. rate(5 minutes)`] };
  const value = Number(match[1]);
  const unit = match[2] ?? '';
  const unitSeconds = RATE_UNITS[unit];
  if (unitSeconds === undefined) return { ok: false, problems: [`rate unit "${unit}" is not one of minute, minutes, hour, hours, day, days`] };
  if (value < 1) return { ok: false, problems: ['rate value must be a positive integer'] };
  const singular = !unit.endsWith('s');
  if ((value === 1) !== singular) {
    return { ok: false, problems: [`rate(${body}): use the singular unit for 1 and the plural otherwise`] };
  }
  return { ok: true, schedule: { kind: 'rate', seconds: value * unitSeconds } };
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Offset added to a name's index (months are 1-based, days of week SUN=1). */
  readonly nameBase?: number;
}

const MINUTE: FieldSpec = { name: 'minutes', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hours', min: 0, max: 23 };
const DOM: FieldSpec = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 };
const DOW: FieldSpec = { name: 'day-of-week', min: 1, max: 7, names: DAYS, nameBase: 1 };
const YEAR: FieldSpec = { name: 'year', min: 1970, max: 2199 };

function parseCron(body: string): ParseResult {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    return { ok: false, problems: [`cron(${body}) has ${parts.length} fields; it needs 6: minutes hours day-of-month month day-of-week year`] };
  }
  const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  const problems: string[] = [];
  const minutes = parseSet(min, MINUTE, problems);
  const hours = parseSet(hour, HOUR, problems);
  const months = parseSet(month, MONTH, problems);
  const years = year === '*' ? null : parseSet(year, YEAR, problems);
  if ((dom === '?') === (dow === '?')) {
    problems.push('exactly one of day-of-month and day-of-week must be "?"');
    return { ok: false, problems };
  }
  const day = dom === '?' ? parseDayOfWeek(dow, problems) : parseDayOfMonth(dom, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, schedule: { kind: 'cron', fields: { minutes, hours, months, years, day } } };
}

function parseValue(token: string, spec: FieldSpec, problems: string[]): number | null {
  const upper = token.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (spec.nameBase ?? 0);
  if (!/^\d+$/.test(token)) {
    problems.push(`${spec.name} value "${token}" is not a number${spec.names ? ` or one of ${spec.names.join(',')}` : ''}`);
    return null;
  }
  const value = Number(token);
  if (value < spec.min || value > spec.max) {
    problems.push(`${spec.name} value ${value} is outside ${spec.min}-${spec.max}`);
    return null;
  }
  return value;
}

/** Parses `*`, `a`, `a-b`, `a/step`, `*\/step`, `a-b/step` and comma lists into a set. */
function parseSet(field: string, spec: FieldSpec, problems: string[]): Set<number> {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    const [range = '', stepText] = item.split('/');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
        problems.push(`${spec.name} step "${stepText}" must be a positive integer`);
        continue;
      }
      step = Number(stepText);
    }
    let low: number | null;
    let high: number | null;
    if (range === '*') {
      low = spec.min;
      high = spec.max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      low = parseValue(a, spec, problems);
      high = parseValue(b, spec, problems);
    } else {
      low = parseValue(range, spec, problems);
      high = stepText === undefined ? low : spec.max;
    }
    if (low === null || high === null) continue;
    if (low > high) {
      problems.push(`${spec.name} range ${range} runs backwards`);
      continue;
    }
    for (let v = low; v <= high; v += step) out.add(v);
  }
  return out;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Day-of-month with `L` (last day), `nW` (weekday nearest n) and `LW`. */
function parseDayOfMonth(field: string, problems: string[]): (date: Date) => boolean {
  if (field === 'L') return (d) => d.getUTCDate() === daysInMonth(d.getUTCFullYear(), d.getUTCMonth() + 1);
  const weekday = /^(\d+|L)W$/.exec(field);
  if (weekday) {
    const target = weekday[1] === 'L' ? null : parseValue(weekday[1] ?? '', DOM, problems);
    return (d) => d.getUTCDate() === nearestWeekday(d.getUTCFullYear(), d.getUTCMonth() + 1, target);
  }
  const set = parseSet(field, DOM, problems);
  return (d) => set.has(d.getUTCDate());
}

function nearestWeekday(year: number, month: number, target: number | null): number {
  const last = daysInMonth(year, month);
  const day = Math.min(target ?? last, last);
  const dow = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (dow === 6) return day === 1 ? 3 : day - 1; // Saturday: Friday, or Monday when that leaves the month
  if (dow === 0) return day === last ? day - 2 : day + 1; // Sunday: Monday, or Friday at month end
  return day;
}

/** Day-of-week (1 = SUN) with `nL` (last n-day of the month) and `n#k` (k-th n-day). */
function parseDayOfWeek(field: string, problems: string[]): (date: Date) => boolean {
  const lastOf = /^(\w+)L$/.exec(field);
  if (lastOf && field !== 'L') {
    const dow = parseValue(lastOf[1] ?? '', DOW, problems);
    return (d) => d.getUTCDay() + 1 === dow && d.getUTCDate() + 7 > daysInMonth(d.getUTCFullYear(), d.getUTCMonth() + 1);
  }
  const nth = /^(\w+)#(\d)$/.exec(field);
  if (nth) {
    const dow = parseValue(nth[1] ?? '', DOW, problems);
    const k = Number(nth[2]);
    if (k < 1 || k > 5) problems.push(`day-of-week "${field}": the week number after # must be 1-5`);
    return (d) => d.getUTCDay() + 1 === dow && Math.ceil(d.getUTCDate() / 7) === k;
  }
  if (field === 'L') return (d) => d.getUTCDay() === 6;
  const set = parseSet(field, DOW, problems);
  return (d) => set.has(d.getUTCDay() + 1);
}

/** True when the schedule fires at this minute (UTC fields of `date`). */
export function firesAt(fields: CronFields, date: Date): boolean {
  return (
    fields.minutes.has(date.getUTCMinutes()) &&
    fields.hours.has(date.getUTCHours()) &&
    fields.months.has(date.getUTCMonth() + 1) &&
    (fields.years === null || fields.years.has(date.getUTCFullYear())) &&
    fields.day(date)
  );
}

/**
 * The longest time between two consecutive runs, in seconds, over two years from
 * `from`, in the schedule's own clock (a DST change shifts a real gap by up to an hour).
 * Returns `Infinity` when the schedule fires fewer than twice in that span.
 */
export function longestGapSeconds(schedule: Schedule, from: Date = new Date(Date.UTC(2026, 0, 1))): number {
  if (schedule.kind === 'rate') return schedule.seconds;
  const { fields } = schedule;
  const minutes = [...fields.minutes].sort((a, b) => a - b);
  const hours = [...fields.hours].sort((a, b) => a - b);
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  let previous: number | null = null;
  let longest = 0;
  const dayMs = 86_400_000;
  for (let day = 0; day < 731; day += 1) {
    const midnight = new Date(start + day * dayMs);
    const monthOk = fields.months.has(midnight.getUTCMonth() + 1);
    const yearOk = fields.years === null || fields.years.has(midnight.getUTCFullYear());
    if (!monthOk || !yearOk || !fields.day(midnight)) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const t = midnight.getTime() + (h * 60 + m) * 60_000;
        if (previous !== null) longest = Math.max(longest, (t - previous) / 1000);
        previous = t;
      }
    }
  }
  return longest === 0 ? Infinity : longest;
}
