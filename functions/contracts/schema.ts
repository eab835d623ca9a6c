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
import { array, boolean, check, custom, nullish, number, object, optional, picklist, pipe, safeParse, string, transform } from 'valibot';
import type { BaseIssue, ErrorMessage, GenericSchema, InferOutput, ObjectEntries, OutputDataset } from 'valibot';
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
  /**
   * How a path is reported, when a boundary's users know its fields by other names than their
   * place in the value (applied to the path built from `label` and `prefix`).
   * @default the path as built
   */
  readonly rename?: (path: string) => string;
}

/** The path of one issue: `label` for the whole value, else the prefix and keys (`a.b`, `list[2]`). */
export function issuePath(issue: BaseIssue<unknown>, place: Place): string {
  const path = builtPath(issue, place);
  return place.rename === undefined ? path : place.rename(path);
}

function builtPath(issue: BaseIssue<unknown>, place: Place): string {
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

/** Non-empty text, optionally matching `pattern`; the message describes it as `what` (one problem per value). */
export function text(pattern?: RegExp, what = pattern ? `a string matching ${pattern}` : 'a non-empty string'): Schema<string> {
  const message = say(what);
  return pipe(string(message), check((value) => value !== '' && (pattern === undefined || pattern.test(value)), message));
}

/** One of the listed words. */
export function oneOf<const T extends string>(allowed: readonly T[], what = `one of ${allowed.join(', ')}`): Schema<T> {
  return picklist(allowed, say(what)) as unknown as Schema<T>;
}

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number, what = `an integer from ${min} to ${max}`): Schema<number> {
  const message = say(what);
  return pipe(number(message), check((value) => Number.isInteger(value) && value >= min && value <= max, message));
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

/** How a value that is not a JSON object is described: `null`, `an array` or its type. */
export function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** What {@link fieldsOf} reports for a value that is not a JSON object. */
export interface NotAnObject {
  /**
   * The message for a value that is not a JSON object; the fields are then read from an empty object,
   * so every required field is reported too.
   * @default `must be a JSON object, got <kind>`
   */
  readonly message?: (input: unknown) => string;
  /**
   * The one message for an absent value (undefined or null), reported alone; otherwise it is not an
   * object like any other.
   */
  readonly absent?: string;
  /** A value that is not a JSON object is one problem alone: its fields are not listed. */
  readonly alone?: boolean;
}

/**
 * An object of named fields, read the way a form is read: a value that is not a JSON object is one
 * problem (`event: must be a JSON object, got an array`) and every required field is still reported
 * (`action: required, …`), so one answer lists all that is missing. With `absent`, a missing object is
 * one problem alone (`request: required, an object`).
 *
 * @param when for fields that depend on each other: the entries that replace declared ones for this
 *   value (e.g. a field required unless another is given), each in the declared field's place; the
 *   output keeps the declared types
 */
export function fieldsOf<const E extends ObjectEntries>(entries: E, notAnObject: NotAnObject = {}, when?: (fields: Record<string, unknown>) => ObjectEntries) {
  const inner = fields(entries);
  const describe = notAnObject.message ?? ((input: unknown) => `must be a JSON object, got ${kindOf(input)}`);
  const message = (issue: BaseIssue<unknown>): string => (notAnObject.absent !== undefined && issue.input == null ? notAnObject.absent : describe(issue.input));
  const whole = custom<Record<string, unknown>>(isPlainObject, message);
  type Out = OutputDataset<InferOutput<typeof inner>, BaseIssue<unknown>>;
  type Config = Parameters<typeof inner['~run']>[1];
  const read = (value: Record<string, unknown>, config: Config): Out => (when === undefined ? inner : fields({ ...entries, ...when(value) }))['~run']({ value }, config) as Out;
  return {
    ...inner,
    // What a parent's `fields` reports when this object is missing (one problem: its fields are not listed).
    message,
    '~run'(dataset: { value: unknown }, config: Config): Out {
      if (isPlainObject(dataset.value)) return read(dataset.value, config);
      const input = dataset.value;
      const first = whole['~run']({ value: input }, config) as { issues?: BaseIssue<unknown>[] };
      const rest = notAnObject.alone === true || (notAnObject.absent !== undefined && input == null) ? {} : (read({}, config) as { issues?: BaseIssue<unknown>[] });
      return { typed: false, value: input, issues: [...(first.issues ?? []), ...(rest.issues ?? [])] } as unknown as Out;
    },
  } as typeof inner;
}

/** True or false, `fallback` when absent (null is not absent: it is reported). */
export function flag(fallback: boolean, what = 'true or false'): Schema<boolean> {
  return optional(boolean(say(what)), fallback) as unknown as Schema<boolean>;
}

/** `schema`'s value, or null when the field is absent or null. */
export function orNull<T>(schema: Schema<T>): Schema<T | null> {
  return nullish(schema, null) as unknown as Schema<T | null>;
}

/** A list of strings, empty when the field is absent or null; a wrong list is one problem naming it whole. */
export function stringList(what = 'an array of strings'): Schema<string[]> {
  const isList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');
  return nullish(custom<string[]>(isList, say(what)), () => []) as unknown as Schema<string[]>;
}

/** A list whose items are each checked by `item` (problems name the item, `list[2].name`). */
export function listOf<T>(item: Schema<T>, what = 'an array'): Schema<T[]> {
  return array(item, say(what)) as unknown as Schema<T[]>;
}

/** `schema`'s value, or `value` when the field is absent (null is not absent: `schema` reads it). */
export function absentAs<T, const D>(schema: Schema<T>, value: D): Schema<T | D> {
  return {
    ...optional(schema),
    // A default, so that an object runs this schema for a missing key (valibot reads the value through it).
    default: () => undefined,
    '~run'(dataset: { value: unknown }, config: Parameters<Schema<T>['~run']>[1]) {
      return dataset.value === undefined ? { typed: true, value } : schema['~run'](dataset, config);
    },
  } as unknown as Schema<T | D>;
}
