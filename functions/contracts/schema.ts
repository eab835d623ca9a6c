/**
 * The house wrapper over valibot for structured input: handler events, the payloads the state
 * machines pass between steps, stored documents, the configuration and the CLI's arguments.
 * (Environment variables, which are strings, have their own wrapper: `env-schema.ts`.)
 *
 * A schema is plain valibot, built from the builders here or from valibot's own; what this module
 * adds is the project's way of reporting: every problem is one line `path: message`, all of them are
 * collected, and they are thrown together as one {@link ValidationError} (or another typed error) before
 * anything acts on the input. Messages are written per field with {@link say} or a message function,
 * so each boundary keeps the wording its users and tests know.
 *
 * Import valibot per function (`import { object, string } from 'valibot'`), never as a namespace:
 * esbuild then keeps only what a bundle uses (see env-schema.ts for the measured cost).
 */
import { check, custom, integer as isInteger, maxValue, minLength, minValue, number, object, picklist, pipe, rawCheck, rawTransform, regex, safeParse, string, transform } from 'valibot';
import type { BaseIssue, ErrorMessage, GenericSchema, InferOutput, IssuePathItem, ObjectEntries } from 'valibot';
import { ValidationError } from '../shared/errors.ts';

/** A schema from unknown input to `T`. */
export type Schema<T> = GenericSchema<unknown, T>;

/** The value type a schema produces. */
export type Output<S extends GenericSchema> = InferOutput<S>;

/** Where a document's problems are reported: its name alone, and the prefix of its fields' paths. */
export interface Place {
  /** The path reported for a problem with the whole value (e.g. `event`, `manifest`). */
  readonly label: string;
  /**
   * What goes before a field's path (e.g. `manifest.`; empty for handler events, whose fields are
   * named bare).
   * @default `${label}.`
   */
  readonly prefix?: string;
}

/** The path of one issue: `label` for the whole value, else the prefix and keys (`a.b`, `list[2]`). */
export function issuePath(issue: BaseIssue<unknown>, place: Place): string {
  const keys = issue.path ?? [];
  if (keys.length === 0) return place.label;
  let path = place.prefix ?? `${place.label}.`;
  for (const item of keys) {
    const key = String(item.key);
    if (item.type === 'array') path += `[${key}]`;
    else path += path === '' || path.endsWith('.') ? key : `.${key}`;
  }
  return path;
}

/** Every problem of `value` against `schema`, one `path: message` line each, in the order found. */
export function problemsOf(schema: GenericSchema, value: unknown, place: Place): string[] {
  const result = safeParse(schema, value);
  return result.success ? [] : result.issues.map((issue) => `${issuePath(issue, place)}: ${issue.message}`);
}

/**
 * Parses `value` by `schema`.
 *
 * @param toError the typed error to throw with the problems
 * @default toError a ValidationError listing the problems
 * @throws the typed error listing every problem; nothing has acted on the value at that point
 */
export function parseWith<S extends GenericSchema>(
  schema: S,
  value: unknown,
  place: Place,
  toError: (problems: string[]) => Error = (problems) => new ValidationError(problems),
): InferOutput<S> {
  const result = safeParse(schema, value);
  if (result.success) return result.output;
  throw toError(result.issues.map((issue) => `${issuePath(issue, place)}: ${issue.message}`));
}

/** How a value is shown in a message: JSON, with `undefined` spelled out. */
export function shown(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/**
 * The common message: `required, <what>` for an absent field, else `<value> is not <what>`
 * (e.g. `snapshotId: required, a non-empty string`, `tier: "hourly" is not one of daily, weekly`).
 */
export function say(what: string): ErrorMessage<BaseIssue<unknown>> {
  return (issue) => (issue.input === undefined ? `required, ${what}` : `${shown(issue.input)} is not ${what}`);
}

/** Non-empty text, optionally matching `pattern`; the message describes it as `what`. */
export function text(pattern?: RegExp, what = pattern ? `a string matching ${pattern}` : 'a non-empty string'): Schema<string> {
  const message = say(what);
  return pattern ? pipe(string(message), minLength(1, message), regex(pattern, message)) : pipe(string(message), minLength(1, message));
}

/** One of the listed words. */
export function oneOf<const T extends string>(allowed: readonly T[], what = `one of ${allowed.join(', ')}`): Schema<T> {
  return picklist(allowed, say(what)) as unknown as Schema<T>;
}

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number, what = `an integer from ${min} to ${max}`): Schema<number> {
  const message = say(what);
  return pipe(number(message), isInteger(message), minValue(min, message), maxValue(max, message));
}

/** An ISO-8601 instant with a zone (`Z` or `±hh:mm`), as a Date. */
export function instantWithZone(what = 'an ISO-8601 time with a zone'): Schema<Date> {
  const message = say(what);
  return pipe(
    string(message),
    check((value) => /(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(new Date(value).getTime()), message),
    transform((value) => new Date(value)),
  );
}

/** True for a JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The message a field's schema reports with (looking through `nullable`/`optional` wrappers). */
function messageOf(schema: unknown): ErrorMessage<BaseIssue<unknown>> | undefined {
  const s = schema as { message?: ErrorMessage<BaseIssue<unknown>>; wrapped?: unknown } | undefined;
  return s?.message ?? (s?.wrapped === undefined ? undefined : messageOf(s.wrapped));
}

/**
 * An object of named fields (unknown keys are dropped from the output). A missing required field is
 * reported with that field's own message (`name: required, …`); a value that is not a JSON object
 * (null, an array, a scalar) with `what`.
 */
export function fields<const E extends ObjectEntries>(entries: E, what = 'a JSON object') {
  const whole = say(what);
  const wholeMessage = (issue: BaseIssue<unknown>): string => (typeof whole === 'function' ? whole(issue) : whole);
  return pipe(
    custom<Record<string, unknown>>(isPlainObject, wholeMessage),
    object(entries, (issue) => {
      const missing = issue.path?.at(-1);
      if (missing === undefined || missing.type !== 'object') return wholeMessage(issue);
      const message = messageOf(entries[String(missing.key)]);
      if (typeof message === 'function') return message({ ...issue, input: undefined });
      return message ?? 'required';
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Builders for documents checked field by field (stored documents, user lists): every field's own
// schema words its problem, an absent field included, and the problems come in the order declared.

/** The message `must be <what>`, whatever the value (the wording of the stored documents). */
export function must(what: string): ErrorMessage<BaseIssue<unknown>> {
  return () => `must be ${what}`;
}

/** The message `<value> is not <what>`, an absent value shown as `undefined` (compare {@link say}). */
export function isNot(what: string): ErrorMessage<BaseIssue<unknown>> {
  return (issue) => `${shown(issue.input)} is not ${what}`;
}

/** Accepts any value as a `T`: a part of a document the reading does not check (say why where used). */
export function unchecked<T>(): Schema<T> {
  return custom<T>(() => true);
}

type AddIssue = (info: { message: string; input?: unknown; path?: [IssuePathItem, ...IssuePathItem[]] }) => void;

/** The path item of `key` (an object's field or an array's index) in `input`. */
function step(input: unknown, key: string | number): IssuePathItem {
  if (typeof key === 'number') return { type: 'array', origin: 'value', input: input as unknown[], key, value: (input as unknown[])[key] };
  const record = isPlainObject(input) ? input : {};
  return { type: 'object', origin: 'value', input: record, key, value: record[key] };
}

/** Runs `schema` on `value` and reports its problems under `at` (nothing when `at` is empty); returns the outcome. */
function relay(schema: GenericSchema, value: unknown, at: readonly IssuePathItem[], addIssue: AddIssue): { ok: boolean; output: unknown } {
  const result = safeParse(schema, value);
  if (result.success) return { ok: true, output: result.output };
  for (const issue of result.issues) {
    const path = [...at, ...(issue.path ?? [])];
    addIssue({ message: issue.message, input: issue.input, ...(path.length === 0 ? {} : { path: path as [IssuePathItem, ...IssuePathItem[]] }) });
  }
  return { ok: false, output: undefined };
}

/**
 * A JSON object whose fields are each checked by their schema, an absent field as `undefined`, in the
 * order declared; `message` words a value that is not a JSON object. Unknown keys are dropped from
 * the output, or, with `unknown`, reported first (in the input's order), each at its own path.
 */
export function members<const E extends ObjectEntries>(entries: E, message: ErrorMessage<BaseIssue<unknown>>, unknown?: ErrorMessage<BaseIssue<unknown>>) {
  const whole = object(entries);
  const names = Object.keys(entries);
  return pipe(
    custom<Record<string, unknown>>(isPlainObject, message),
    rawTransform(({ dataset, addIssue, NEVER }) => {
      const input = dataset.value;
      if (unknown !== undefined) {
        for (const key of Object.keys(input).filter((name) => !Object.hasOwn(entries, name))) {
          addIssue({ message: unknown, input: input[key], path: [step(input, key)] });
        }
      }
      // Spread, not Object.assign: an own `__proto__` key of parsed JSON stays a plain key.
      const filled: Record<string, unknown> = { ...Object.fromEntries(names.map((name) => [name, undefined])), ...input };
      const { ok, output } = relay(whole, filled, [], addIssue as AddIssue);
      if (!ok || dataset.issues !== undefined) return NEVER;
      const kept = output as Record<string, unknown>;
      for (const name of names) if (kept[name] === undefined && !Object.hasOwn(input, name)) delete kept[name];
      return kept as InferOutput<typeof whole>;
    }),
  );
}

/**
 * A JSON object used as a map (`Record<string, T>`), each value checked by `value` and reported by
 * its key, in the input's order; with `key`, a key it refuses is reported (at that key) instead of
 * its value.
 */
export function entriesOf<T>(value: Schema<T>, message: ErrorMessage<BaseIssue<unknown>>, key?: Schema<string>): Schema<Record<string, T>> {
  return pipe(
    custom<Record<string, unknown>>(isPlainObject, message),
    rawTransform(({ dataset, addIssue, NEVER }) => {
      const input = dataset.value;
      const output: Record<string, T> = {};
      for (const name of Object.keys(input)) {
        const at = [step(input, name)];
        if (key !== undefined && !relay(key, name, at, addIssue as AddIssue).ok) continue;
        const checked = relay(value, input[name], at, addIssue as AddIssue);
        if (checked.ok) output[name] = checked.output as T;
      }
      return dataset.issues === undefined ? output : NEVER;
    }),
  );
}

/**
 * A JSON array whose item at each index is checked by `itemAt(index, items)`: an item's schema may
 * depend on the others (e.g. a name already used by an earlier item), and its problems still come in
 * the item's order.
 */
export function listOf<T>(itemAt: (index: number, items: readonly unknown[]) => Schema<T>, message: ErrorMessage<BaseIssue<unknown>>): Schema<T[]> {
  return pipe(
    custom<unknown[]>(Array.isArray, message),
    rawTransform(({ dataset, addIssue, NEVER }) => {
      const items = dataset.value;
      const output = items.map((item, index) => relay(itemAt(index, items), item, [step(items, index)], addIssue as AddIssue).output as T);
      return dataset.issues === undefined ? output : NEVER;
    }),
  );
}

/**
 * `schema`, any of whose problems is reported as the one line `message`, at the value itself or, with
 * `key`, at that field of it (for a document whose readers know one wording for a whole part).
 */
export function reportedAs<T>(schema: Schema<T>, message: string, key?: string): Schema<T> {
  return pipe(
    unchecked<unknown>(),
    rawTransform(({ dataset, addIssue, NEVER }) => {
      const result = safeParse(schema, dataset.value);
      if (result.success) return result.output;
      addIssue({ message, ...(key === undefined ? {} : { path: [step(dataset.value, key)] }) });
      return NEVER;
    }),
  );
}

/**
 * `rest`, checked only once the field `key` passes `field` (e.g. a format version that decides what
 * the rest may be): a bad `key` is the one problem reported. A value that is not an object is left
 * to `rest` to word.
 */
export function gatedBy<T>(key: string, field: GenericSchema, rest: Schema<T>): Schema<T> {
  return pipe(
    unchecked<unknown>(),
    rawCheck(({ dataset, addIssue }) => {
      const input = dataset.value;
      if (isPlainObject(input)) relay(field, input[key], [step(input, key)], addIssue as AddIssue);
    }),
    rest,
  );
}
