/**
 * What every judge of a restore test shares: the verdict a rule returns, and the formatting of
 * the numbers its evidence quotes (seconds to the microsecond, plurals, heartbeat times).
 */
import type { CheckId, CheckStatus, CheckVerdict } from './report-model.ts';

/** A check's verdict; `passed` follows from the status. */
export function verdict(id: CheckId, status: CheckStatus, evidence: string, details: readonly string[] = []): CheckVerdict {
  return { id, status, passed: status === 'passed', evidence, details };
}

/** UTF-16 code-unit order of two strings: independent of the locale, so sorted details read alike everywhere. */
export function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Seconds to the microsecond (the heartbeat's resolution) without trailing zeros: `42`, `0.5`,
 * `120.000001`. Rounding to milliseconds would print "120 s (allowed 120 s)" for a failure.
 */
export function formatSeconds(seconds: number): string {
  return String(Number(seconds.toFixed(6)));
}

/**
 * Microseconds since the epoch of an ISO 8601 time with a zone. Heartbeats carry microseconds,
 * which `Date` would drop; comparing a restored heartbeat with the manifest's must be exact.
 */
export function epochMicros(iso: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (match === null) return null;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return null;
  return seconds * 1000 + Number((match[2] ?? '').padEnd(6, '0'));
}

/** `1 table`, `2 tables` (or `many` for an irregular plural). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
