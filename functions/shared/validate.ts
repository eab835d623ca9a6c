import { ValidationError } from './errors.ts';

/**
 * A small field reader, left for one user: the failover's manual start
 * (`parseFailoverInput`, functions/domain/failover/rules.ts), which the domain reads itself because
 * the domain imports nothing from `functions/contracts`. Every handler event and every payload between
 * steps is read through its schema instead (functions/contracts/events/, payloads.ts); this file
 * goes when that parsing moves to the contracts.
 *
 * Each getter records a problem naming the field instead of throwing, and `done()` throws one
 * ValidationError listing them all.
 */
export class EventReader {
  readonly problems: string[] = [];
  readonly #event: Record<string, unknown>;

  constructor(event: unknown) {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      this.problems.push(`event: must be a JSON object, got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}`);
      this.#event = {};
    } else {
      this.#event = event as Record<string, unknown>;
    }
  }

  /** True when the field is present (not undefined). */
  has(field: string): boolean {
    return this.#event[field] !== undefined;
  }

  /** Records a problem: `required` when the field is absent, else the value and what it should be. */
  #bad(field: string, value: unknown, what: string): void {
    this.problems.push(value === undefined ? `${field}: required, ${what}` : `${field}: ${JSON.stringify(value)} is not ${what}`);
  }

  /** Throws when any getter found a problem; nothing has been changed at that point. */
  done(): void {
    if (this.problems.length > 0) throw new ValidationError(this.problems);
  }

  string(field: string): string {
    const value = this.#event[field];
    if (typeof value !== 'string' || value === '') {
      this.#bad(field, value, 'a non-empty string');
      return '';
    }
    return value;
  }

  oneOf<const T extends string>(field: string, allowed: readonly T[]): T {
    const value = this.#event[field];
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.#bad(field, value, `one of ${allowed.join(', ')}`);
      return allowed[0] as T;
    }
    return value as T;
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

  /** An ISO-8601 instant with a zone. */
  instant(field: string): Date {
    const value = this.#event[field];
    const date = typeof value === 'string' && /(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : null;
    if (date === null || Number.isNaN(date.getTime())) {
      this.#bad(field, value, 'an ISO-8601 time with a zone');
      return new Date(0);
    }
    return date;
  }
}
