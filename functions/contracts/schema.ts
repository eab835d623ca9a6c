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
 * Three object builders, because the boundaries word a missing or malformed object three ways and
 * their readers (operators, tests, stored documents) rely on that wording:
 * - {@link fields}: valibot's object; a missing field is reported with its own message
 *   (the configuration, the CLI, nested parts of events);
 * - {@link fieldsOf}: a handler event read like a form: a value that is not an object is one problem
 *   (`event: must be a JSON object, got an array`) and the fields it lacks are still listed;
 * - {@link members}: a stored document checked field by field in declared order, an absent field
 *   checked as `undefined` (the manifest, reading B, the assertions).
 * Messages come from {@link say} (`"x" is not <what>`), {@link worded} (the configuration's
 * `<value> must …`), {@link must} and {@link isNot} (the stored documents').
 *
 * Import valibot per function (`import { object, string } from 'valibot'`), never as a namespace:
 * esbuild then keeps only what a bundle uses (see env-schema.ts for the measured cost).
 */
import { array, boolean, check, custom, getGlobalConfig, integer as isInteger, lazy, maxValue, minLength, minValue, nullish, number, object, optional, picklist, pipe, rawCheck, rawTransform, regex, safeParse, string, transform, unknown } from 'valibot';
import type { BaseIssue, Config, ErrorMessage, GenericSchema, InferOutput, IssuePathItem, ObjectEntries, OutputDataset } from 'valibot';
import { ValidationError } from '../shared/errors.ts';

/** A schema from unknown input to `T`. */
export type Schema<T> = GenericSchema<unknown, T>;

/** The value type a schema produces. */
export type Output<S extends GenericSchema> = InferOutput<S>;

/** Where a document's problems are reported: its name alone, and the prefix of its fields' paths. */
export interface Place {
  /**
   * The path reported for a problem with the whole value (e.g. `event`, `manifest`); empty: such a
   * problem is its message alone (an environment variable's document, named by the variable).
   */
  readonly label: string;
  /**
   * What goes before a field's path (e.g. `manifest.`; empty for handler events, whose fields are
   * named bare; `--` for the CLI's options).
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
  keys.forEach((item, index) => {
    const key = String(item.key);
    if (item.type === 'array') path += `[${key}]`;
    else path += index === 0 || path === '' || path.endsWith('.') ? key : `.${key}`;
  });
  return path;
}

/** One issue as a line: `path: message`, or the message alone for the whole value of a place labelled ''. */
function lineOf(issue: BaseIssue<unknown>, place: Place): string {
  const path = issuePath(issue, place);
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/** Every problem of `value` against `schema`, one `path: message` line each, in the order found. */
export function problemsOf(schema: GenericSchema, value: unknown, place: Place): string[] {
  const result = safeParse(schema, value);
  return result.success ? [] : result.issues.map((issue) => lineOf(issue, place));
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
  throw toError(result.issues.map((issue) => lineOf(issue, place)));
}

/** How a value is shown in a message: JSON, with `undefined` spelled out. */
export function shown(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** A message for every issue of one field: a fixed text, or one made from the issue (its `input` is the value). */
export type Message = ErrorMessage<BaseIssue<unknown>>;

/**
 * The common message: `required, <what>` for an absent field, else `<value> is not <what>`
 * (e.g. `snapshotId: required, a non-empty string`, `tier: "hourly" is not one of daily, weekly`).
 *
 * @param absent the message for an absent field, when it says more than `required, <what>`
 * (e.g. where else the value may come from)
 */
export function say(what: string, absent = `required, ${what}`): Message {
  return (issue) => (issue.input === undefined ? absent : `${shown(issue.input)} is not ${what}`);
}

/**
 * A message in another house's wording: `<value> <rest>`, the value shown as JSON and an absent one
 * as `missing` (e.g. the configuration's `80 must be an integer from 1150 to 65535`,
 * `missing value must be true or false`).
 */
export function worded(rest: string, missing = 'missing value'): Message {
  return (issue) => `${issue.input === undefined ? missing : shown(issue.input)} ${rest}`;
}

/**
 * Non-empty text, optionally matching `pattern`; the message describes it as `what`.
 * @param message how a bad value is reported @default say(what)
 */
export function text(pattern?: RegExp, what = pattern ? `a string matching ${pattern}` : 'a non-empty string', message: Message = say(what)): Schema<string> {
  // One check, so a bad value is reported once (not once per failed requirement).
  return pipe(string(message), check((value) => value.length > 0 && (pattern === undefined || pattern.test(value)), message));
}

/** One of the listed words. @param message how a bad value is reported @default say(what) */
export function oneOf<const T extends string>(allowed: readonly T[], what = `one of ${allowed.join(', ')}`, message: Message = say(what)): Schema<T> {
  return picklist(allowed, message) as unknown as Schema<T>;
}

/** A whole number from `min` to `max`. @param message how a bad value is reported @default say(what) */
export function wholeNumber(min: number, max: number, what = `an integer from ${min} to ${max}`, message: Message = say(what)): Schema<number> {
  return pipe(number(message), check((value) => Number.isInteger(value) && value >= min && value <= max, message));
}

/** A finite number from `min` to `max`. @param message how a bad value is reported @default say(what) */
export function finiteNumber(min: number, max: number, what = `a number from ${min} to ${max}`, message: Message = say(what)): Schema<number> {
  return pipe(number(message), check((value) => Number.isFinite(value) && value >= min && value <= max, message));
}

/** true or false. @param message how a bad value is reported @default say(what) */
export function yesNo(what = 'true or false', message: Message = say(what)): Schema<boolean> {
  return boolean(message);
}

/**
 * `schema` for a JSON object, anything else passed through unchecked: for a field whose other
 * values a later rule judges with knowledge the schema lacks (e.g. the configuration's objectives,
 * where what a null or a scalar means depends on the recovery paths the rest of the file sets up).
 */
export function whenObject<T>(schema: Schema<T>): Schema<T> {
  return lazy((value) => (isPlainObject(value) ? schema : unknown())) as unknown as Schema<T>;
}

/** The issue type of a key an object does not allow (see {@link closed}). */
export const UNKNOWN_KEY = 'unknown_key';

/**
 * `schema` (an object) that also refuses keys outside `allowed`, each reported as `path.key: message`
 * before the fields' own problems (a misspelt key is named first, not silently dropped).
 */
export function closed<S extends GenericSchema>(schema: S, allowed: readonly string[], message: string): S {
  const run = schema['~run'].bind(schema);
  const wrapped = {
    ...schema,
    '~run'(dataset: { value: unknown }, config: Config<BaseIssue<unknown>>): OutputDataset<unknown, BaseIssue<unknown>> {
      const input = dataset.value;
      const unknownKeys = isPlainObject(input) ? Object.keys(input).filter((key) => !allowed.includes(key)) : [];
      const out = run(dataset as never, config) as OutputDataset<unknown, BaseIssue<unknown>>;
      if (unknownKeys.length === 0 || !isPlainObject(input)) return out;
      const issues: BaseIssue<unknown>[] = unknownKeys.map((key) => ({
        kind: 'schema',
        type: UNKNOWN_KEY,
        input: input[key],
        expected: 'never',
        received: JSON.stringify(key),
        message,
        path: [{ type: 'object', origin: 'key', input, key, value: input[key] }],
      }) as BaseIssue<unknown>);
      return { typed: false, value: out.value, issues: [...issues, ...(out.issues ?? [])] } as OutputDataset<unknown, BaseIssue<unknown>>;
    },
  };
  (wrapped as { '~standard': unknown })['~standard'] = { version: 1, vendor: 'valibot', validate: (value: unknown) => wrapped['~run']({ value }, getGlobalConfig()) };
  return wrapped as unknown as S;
}

/** One problem found: where, what, and whether it is a key the object does not allow. */
export interface Problem {
  /** The field's path as {@link issuePath} spells it. */
  readonly path: string;
  readonly message: string;
  /** True for a key outside a {@link closed} object's allowed keys. */
  readonly unknownKey: boolean;
}

/** Every problem of `value` against `schema`, as records, in the order found. */
export function findProblems(schema: GenericSchema, value: unknown, place: Place): Problem[] {
  const result = safeParse(schema, value);
  return result.success ? [] : result.issues.map((issue) => ({ path: issuePath(issue, place), message: issue.message, unknownKey: issue.type === UNKNOWN_KEY }));
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
 * (null, an array, a scalar) with `what` (or `message`).
 */
export function fields<const E extends ObjectEntries>(entries: E, what = 'a JSON object', message: Message = say(what)) {
  const whole = message;
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
