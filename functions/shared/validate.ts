import type { Tier } from '../domain/snapshots/naming.ts';
import { TIERS } from '../domain/snapshots/naming.ts';
import { ValidationError } from './errors.ts';

/**
 * A small input reader for handler events: each getter records a problem naming the
 * field instead of throwing, and `done()` throws one ValidationError listing them all.
 */
export class EventReader {
  readonly problems: string[];
  readonly #event: Record<string, unknown>;
  readonly #prefix: string;

  /**
   * @param event the object to read
   * @param path its field path inside the event, for messages (`request`), or `event` for the root
   * @param problems a parent reader's list, so nested objects report into one list
   */
  constructor(event: unknown, path = 'event', problems: string[] = []) {
    this.problems = problems;
    this.#prefix = path === 'event' ? '' : `${path}.`;
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      this.problems.push(`${path}: must be a JSON object, got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}`);
      this.#event = {};
    } else {
      this.#event = event as Record<string, unknown>;
    }
  }

  /** A reader for a nested object field, reporting into this reader's problems. */
  object(field: string): EventReader {
    return new EventReader(this.#event[field], `${this.#prefix}${field}`, this.problems);
  }

  /** A stored document `{ key, sha256, versionId? }` (an archive reference), or null when absent. */
  storedDocument(field: string): { key: string; sha256: string; versionId: string | null } | null {
    if (!this.has(field)) return null;
    const doc = this.object(field);
    return { key: doc.string('key'), sha256: doc.string('sha256', /^[0-9a-f]{64}$/), versionId: doc.nullableString('versionId') };
  }

  /** An array of strings, or an empty array when the field is absent or null. */
  optionalStrings(field: string): string[] {
    const value = this.#event[field];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      this.#bad(field, value, 'an array of strings');
      return [];
    }
    return value as string[];
  }

  /** True when the field is present (not undefined). */
  has(field: string): boolean {
    return this.#event[field] !== undefined;
  }

  /** Records a problem: `required` when the field is absent, else the value and what it should be. */
  #bad(field: string, value: unknown, what: string): void {
    const name = `${this.#prefix}${field}`;
    this.problems.push(value === undefined ? `${name}: required, ${what}` : `${name}: ${JSON.stringify(value)} is not ${what}`);
  }

  /** Throws when any getter found a problem; nothing has been changed at that point. */
  done(): void {
    if (this.problems.length > 0) throw new ValidationError(this.problems);
  }

  string(field: string, pattern?: RegExp): string {
    const value = this.#event[field];
    if (typeof value !== 'string' || value === '' || (pattern && !pattern.test(value))) {
      this.#bad(field, value, pattern ? `a string matching ${pattern}` : 'a non-empty string');
      return '';
    }
    return value;
  }

  /** A string, or null when the field is absent or null. */
  nullableString(field: string): string | null {
    const value = this.#event[field];
    return value === undefined || value === null ? null : this.string(field);
  }

  optionalString(field: string, pattern?: RegExp): string | undefined {
    return this.#event[field] === undefined ? undefined : this.string(field, pattern);
  }

  oneOf<const T extends string>(field: string, allowed: readonly T[]): T {
    const value = this.#event[field];
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.#bad(field, value, `one of ${allowed.join(', ')}`);
      return allowed[0] as T;
    }
    return value as T;
  }

  integer(field: string, min: number, max: number): number {
    const value = this.#event[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.#bad(field, value, `an integer from ${min} to ${max}`);
      return min;
    }
    return value;
  }

  /** An integer, or null when the field is absent or null. */
  nullableInteger(field: string, min: number, max: number): number | null {
    const value = this.#event[field];
    return value === undefined || value === null ? null : this.integer(field, min, max);
  }

  boolean(field: string, fallback: boolean): boolean {
    const value = this.#event[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.#bad(field, value, 'true or false');
      return fallback;
    }
    return value;
  }

  /** An ISO-8601 instant with a zone (e.g. EventBridge Scheduler's `<aws.scheduler.scheduled-time>`). */
  instant(field: string): Date {
    const value = this.#event[field];
    const date = typeof value === 'string' && /(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : null;
    if (date === null || Number.isNaN(date.getTime())) {
      this.#bad(field, value, 'an ISO-8601 time with a zone');
      return new Date(0);
    }
    return date;
  }

  optionalTier(field: string): Tier | undefined {
    return this.#event[field] === undefined ? undefined : this.oneOf(field, TIERS);
  }
}
