/**
 * The one middy wiring of every DR function: what each handler used to repeat, as middlewares.
 *
 * 1. Logger context injection (`clearState`: keys appended in one invocation never leak into the next).
 * 2. Metrics: the `Database` default dimension, set once per execution environment, and the EMF flush
 *    after each invocation, error or not (functions/shared/powertools.ts).
 * 3. The keys every log line of the invocation carries: `database`, and `executionArn` from the event
 *    (a default when absent, e.g. `manual` for a start by hand), plus the handler's own keys.
 * 4. On error: a typed error (a {@link DrError}) is logged once with its name and its structured fields
 *    (ValidationError's problems, SqlQueryError's sqlState, the cause), then the SAME object is rethrown:
 *    Step Functions matches Retry and Catch on its `name` (shared/errors.ts).
 *
 * No tracer: the functions run without X-Ray active tracing (docs/decisions.md, "X-Ray").
 */
import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { DrError } from './errors.ts';
import { logger, metrics, setDatabaseDimension } from './powertools.ts';

/** Options of {@link drHandler}. */
export interface DrHandlerOptions {
  /** The function's short name (`snapshot`, `failover`…), in the error log line. */
  readonly name: string;
  /** The protected database: the `database` log key and, with metrics, the `Database` dimension. */
  readonly database: string;
  /**
   * The `executionArn` key when the event carries none (a manual or scheduled start); null: no such key.
   * @default 'manual'
   */
  readonly executionArn?: string | null;
  /**
   * Keys of this handler read from the raw event (non-empty strings only), each with its value when
   * the event has none (null: no key then). @default none
   */
  readonly keys?: Readonly<Record<string, string | null>>;
  /**
   * Whether the function publishes metrics (the Database dimension and the EMF flush).
   * @default true
   */
  readonly metrics?: boolean;
}

/** A handler's core: the event and the invocation context in, a typed output out. */
export type HandlerCore<T> = (event: unknown, context: Context) => Promise<T>;

/** The fields of an error worth a log line: name, message, its own structured fields, its cause. */
export function errorFields(error: Error): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(error).filter(([key]) => key !== 'name' && key !== 'message' && key !== 'stack' && key !== 'cause'));
  const cause = error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message } : error.cause;
  return { name: error.name, message: error.message, ...own, ...(cause === undefined ? {} : { cause }) };
}

/** Appends the invocation's keys before the core runs; logs a thrown error on its way out. */
function invocationKeys(options: DrHandlerOptions): MiddlewareObj<unknown, unknown, Error, Context> {
  const fallback = options.executionArn === undefined ? 'manual' : options.executionArn;
  return {
    before: (request) => {
      const event = typeof request.event === 'object' && request.event !== null ? (request.event as Record<string, unknown>) : {};
      const given = (key: string): string | undefined => (typeof event[key] === 'string' && event[key] !== '' ? (event[key] as string) : undefined);
      const keys: Record<string, string> = { database: options.database };
      if (fallback !== null) keys['executionArn'] = given('executionArn') ?? fallback;
      for (const [key, otherwise] of Object.entries(options.keys ?? {})) {
        const value = given(key) ?? otherwise;
        if (value !== null) keys[key] = value;
      }
      logger.appendKeys(keys);
    },
    onError: (request) => {
      const { error } = request;
      if (error instanceof DrError) logger.error(`${options.name} λ: ${error.name}: ${error.message}`, { error: errorFields(error) });
      else if (error) logger.error(`${options.name} λ: untyped error`, error);
      // No response is set: middy rethrows request.error, the very object the core threw.
    },
  };
}

/**
 * The Lambda entry point of a DR function: `core` wrapped in the shared middlewares.
 * Call it at module scope, after the environment is read (it sets the metric dimension).
 */
export function drHandler<T>(options: DrHandlerOptions, core: HandlerCore<T>) {
  const publishes = options.metrics ?? true;
  if (publishes) setDatabaseDimension(options.database);
  const handler = middy<unknown, T, Error, Context>(core).use(injectLambdaContext(logger, { clearState: true }));
  if (publishes) handler.use(logMetrics(metrics));
  // Last registered, so its onError runs first: the error is logged with the invocation's keys still on.
  return handler.use(invocationKeys(options));
}
