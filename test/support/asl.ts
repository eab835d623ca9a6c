/**
 * Runs the project's ASL files locally in aws-local-stepfunctions, as Step Functions
 * would run them after CDK's definition substitutions:
 *
 * - `${Key}` placeholders are replaced exactly as `definitionSubstitutions` would, and
 *   every placeholder must have a value (and every value a placeholder);
 * - `arn:aws:states:::lambda:invoke` tasks call the real handler bound to the
 *   FunctionName, returning `{ Payload, StatusCode }` as the optimized integration does,
 *   and a thrown error keeps its `name` (the errorType Step Functions matches on);
 * - `arn:aws:states:::aws-sdk:rds:*` tasks call the RDS fake;
 * - Wait states advance the virtual clock by their duration instead of sleeping
 *   (each Wait is run as a pass-through task, so time moves exactly when the real one would);
 * - Retry intervals are zero in real time;
 * - `$$.Execution.StartTime` reads the virtual clock's time at the start (the library
 *   always sets it to the real time, which would mix two clocks in one execution).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import type { FakeClock } from './rds-fake.ts';

/** Root of the repository. */
const ROOT = join(import.meta.dirname, '..', '..');

/** A local implementation of a Lambda function: receives the Payload, returns the result. */
export type LocalFunction = (payload: unknown) => Promise<unknown>;

/** The `${Key}` placeholders of an ASL text, sorted and unique. */
export function substitutionKeys(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? ''))].sort();
}

/** Reads `statemachines/<name>.asl.json` as text. */
export function aslText(name: string): string {
  return readFileSync(join(ROOT, 'statemachines', `${name}.asl.json`), 'utf8');
}

/**
 * Applies substitutions the way CDK does (plain text replacement of `${Key}`) and parses
 * the result. Throws when a placeholder has no value or a value has no placeholder.
 */
export function substitute(text: string, substitutions: Readonly<Record<string, string>>): Record<string, unknown> {
  const keys = substitutionKeys(text);
  const missing = keys.filter((k) => !(k in substitutions));
  const unused = Object.keys(substitutions).filter((k) => !keys.includes(k));
  if (missing.length > 0 || unused.length > 0) {
    throw new Error(`substitutions do not match the ASL: missing ${JSON.stringify(missing)}, unused ${JSON.stringify(unused)}`);
  }
  const replaced = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, key: string) => substitutions[key] ?? '');
  return JSON.parse(replaced) as Record<string, unknown>;
}

type States = Record<string, Record<string, unknown>>;

/** Every state of a definition, nested Parallel branches and Map processors included. */
export function allStates(definition: Record<string, unknown>): States {
  const out: States = {};
  const visit = (machine: Record<string, unknown>): void => {
    for (const [name, state] of Object.entries((machine.States ?? {}) as States)) {
      out[name] = state;
      for (const branch of (state.Branches ?? []) as Record<string, unknown>[]) visit(branch);
      const processor = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
      if (processor) visit(processor);
    }
  };
  visit(definition);
  return out;
}

/** Replaces every Wait state with a Task that advances the clock; returns the new definition. */
function virtualWaits(definition: Record<string, unknown>): { definition: Record<string, unknown>; waits: Record<string, number | string> } {
  const copy = structuredClone(definition);
  const waits: Record<string, number | string> = {};
  const visit = (machine: Record<string, unknown>): void => {
    const states = (machine.States ?? {}) as States;
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Wait') {
        if (typeof state.Seconds === 'number') waits[name] = state.Seconds;
        else if (typeof state.SecondsPath === 'string') waits[name] = state.SecondsPath;
        else throw new Error(`Wait state ${name}: only Seconds and SecondsPath are supported by the local runner`);
        const { Type: _type, Seconds: _s, SecondsPath: _sp, ...rest } = state;
        states[name] = { ...rest, Type: 'Task', Resource: 'arn:aws:states:::local:virtual-wait' };
      }
      for (const branch of (state.Branches ?? []) as Record<string, unknown>[]) visit(branch);
      const processor = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
      if (processor) visit(processor);
    }
  };
  visit(copy);
  return { definition: copy, waits };
}

/** What to bind the tasks to. */
export interface Bindings {
  /** Lambda functions by their FunctionName (the substituted ARN). */
  readonly functions: Readonly<Record<string, LocalFunction>>;
  /** RDS fake entry point for `aws-sdk:rds:*` tasks. */
  readonly rds?: (action: string, input: object) => Promise<object>;
  readonly clock: FakeClock;
}

/** Outcome of one local execution. */
export interface Execution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output: unknown;
  readonly error: string | null;
  readonly cause: string | null;
  /** Names of the states entered, in order. */
  readonly path: string[];
  /** Payloads sent to each function, in call order. */
  readonly invocations: { state: string; functionName: string; payload: unknown }[];
}

function pathValue(input: unknown, path: string): unknown {
  let value: unknown = input;
  for (const part of path.replace(/^\$\.?/, '').split('.').filter(Boolean)) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

/**
 * Executes a definition locally with the given bindings. The execution id is
 * `arn:aws:states:eu-west-1:123456789012:execution:<name>:local`.
 */
export async function execute(name: string, definition: Record<string, unknown>, input: unknown, bindings: Bindings): Promise<Execution> {
  const startTime = bindings.clock.now().toISOString();
  const { definition: withWaits, waits } = virtualWaits(definition);
  const runnable = JSON.parse(JSON.stringify(withWaits).replaceAll('"$$.Execution.StartTime"', () => '"$$.Virtual.StartTime"')) as Record<string, unknown>;
  const states = allStates(runnable);
  const invocations: Execution['invocations'] = [];
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryOverrides: Record<string, number> = {};
  for (const [stateName, state] of Object.entries(states)) {
    if (state.Retry) retryOverrides[stateName] = 0;
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource);
    if (resource === 'arn:aws:states:::local:virtual-wait') {
      const wait = waits[stateName] ?? 0;
      handlers[stateName] = async (taskInput) => {
        const seconds = typeof wait === 'number' ? wait : Number(pathValue(taskInput, wait));
        bindings.clock.advance(seconds * 1000);
        return taskInput;
      };
    } else if (resource === 'arn:aws:states:::lambda:invoke') {
      handlers[stateName] = async (taskInput) => {
        const { FunctionName, Payload } = taskInput as { FunctionName: string; Payload: unknown };
        const fn = bindings.functions[FunctionName];
        if (!fn) throw new Error(`no local function bound to ${FunctionName} (state ${stateName})`);
        invocations.push({ state: stateName, functionName: FunctionName, payload: structuredClone(Payload) });
        const result = await fn(structuredClone(Payload));
        return { Payload: result ?? null, StatusCode: 200, ExecutedVersion: '$LATEST' };
      };
    } else if (resource.startsWith('arn:aws:states:::aws-sdk:rds:')) {
      const action = resource.slice('arn:aws:states:::aws-sdk:rds:'.length);
      handlers[stateName] = async (taskInput) => {
        if (!bindings.rds) throw new Error(`state ${stateName} calls RDS but no RDS fake is bound`);
        return bindings.rds(action, taskInput as object);
      };
    } else {
      throw new Error(`state ${stateName}: resource ${resource} has no local binding`);
    }
  }
  const machine = new StateMachine(runnable as never, { validationOptions: { checkArn: false } });
  const executionArn = `arn:aws:states:eu-west-1:123456789012:execution:${name}:local`;
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: retryOverrides },
    context: { Execution: { Id: executionArn, Input: input as never, Name: 'local' }, Virtual: { StartTime: startTime } } as never,
  });
  const path: string[] = [];
  const collect = (async (): Promise<void> => {
    for await (const event of run.eventLogs) {
      if (event.type === 'StateEntered') path.push(event.state.name);
    }
  })();
  try {
    const output = await run.result;
    await collect;
    return { status: 'SUCCEEDED', output, error: null, cause: null, path, invocations };
  } catch (error) {
    await collect.catch(() => undefined);
    const failure = error as Error & { cause?: unknown };
    const inner = failure.cause instanceof Error ? failure.cause : failure;
    return { status: 'FAILED', output: null, error: inner.name, cause: inner.message, path, invocations };
  }
}
