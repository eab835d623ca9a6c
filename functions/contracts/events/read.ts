/**
 * What every handler event shares: where its problems are reported, how it is read, and the
 * builders the functions' event schemas (the other files of this folder, one per function) use.
 *
 * Every handler reads its event with {@link readEvent} and its function's schema, and nothing acts
 * before the whole event is read. Functions with an `action` read it first ({@link actionOf}: without
 * a valid action the other fields cannot be judged), then the action's own schema. The field names of
 * problems are bare (`snapshotId: required, …`), a nested object's prefixed (`request.tier: …`), and a
 * value that is not a JSON object is `event: must be a JSON object, got <kind>`, followed by the
 * fields it lacks.
 *
 * The payloads one step of a workflow hands the next, which several events carry whole, are in
 * `../payloads.ts`.
 */
import { check, custom, optional, pipe, transform, unknown } from 'valibot';
import type { BaseIssue, ErrorMessage, GenericSchema } from 'valibot';
import { absentAs, fieldsOf, oneOf, orNull, parseWith, say, text } from '../schema.ts';
import type { Output, Place, Schema } from '../schema.ts';

/** Where a handler event's problems are reported: its fields bare, the whole value as `event`. */
export const EVENT: Place = { label: 'event', prefix: '' };

/**
 * Reads an event by its schema.
 * @throws ValidationError listing every problem; nothing has acted on the event at that point
 */
export function readEvent<S extends GenericSchema>(schema: S, event: unknown, place: Place = EVENT): Output<S> {
  return parseWith(schema, event, place);
}

/** The `action` of an event, one of the keys of `actions` in their order; other fields are not read. */
export function actionOf<const A extends string>(actions: readonly A[], event: unknown): A {
  return readEvent(fieldsOf({ action: oneOf(actions) }), event).action;
}

/**
 * A value checked by each rule in turn, each failing rule one problem, as the hand-written readers
 * reported them (`"" is not a non-empty string`, then `"" is not an ISO-8601 time with a zone`).
 */
export function eachOf<T>(...rules: [test: (value: unknown) => boolean, message: ErrorMessage<BaseIssue<unknown>>][]): Schema<T> {
  return pipe(unknown(), ...rules.map(([test, message]) => check(test, message))) as unknown as Schema<T>;
}

/** Non-empty text. */
export const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
/** An ISO-8601 instant with a zone (`Z` or `±hh:mm`), as text. */
export const isInstant = (value: unknown): boolean => typeof value === 'string' && /(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(new Date(value).getTime());

/** An instant given as text, or null: text first, then an instant (both reported, as before). */
export function textInstantOrNull(): Schema<Date | null> {
  const rules = eachOf<string>([isText, say('a non-empty string')], [isInstant, say('an ISO-8601 time with a zone')]);
  return orNull(pipe(rules, transform((value: string) => new Date(value))));
}

/** The execution that sent the event (the Step Functions execution ARN), when there is one. */
export const executionArn = () => optional(text());

/** An archive reference `{ key, sha256, versionId? }`, or null when the field is absent. */
export const storedDocument = () => absentAs(fieldsOf({ key: text(), sha256: text(/^[0-9a-f]{64}$/), versionId: orNull(text()) }), null);

/** Read when absent too (so a missing value reports each of its rules). */
export function readAbsent<T>(schema: Schema<T>): Schema<T> {
  return { ...optional(schema), default: () => undefined, '~run': schema['~run'] } as unknown as Schema<T>;
}

/** True or false, required. */
export function flagRequired(): Schema<boolean> {
  return custom<boolean>((value) => typeof value === 'boolean', say('true or false'));
}

/** The execution that sent the event, `otherwise` when it names none (a manual or scheduled start). */
export const executionOr = (otherwise: string) => absentAs(text(), otherwise);
