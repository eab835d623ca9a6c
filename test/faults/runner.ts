/**
 * The local ASL runner of test/support/asl.ts, extended with what aws-local-stepfunctions leaves
 * out and the fault layer needs (everything on the one virtual clock):
 *
 * - **Retry back-off in virtual time.** The library's `retryIntervalOverrides` run every retry at
 *   once; it exposes no hook between attempts (its `StateRetried` event arrives asynchronously).
 *   So the task wrapper, when a task throws, finds the retrier Step Functions would pick (first
 *   `ErrorEquals` naming the error, `States.TaskFailed` or `States.ALL`), and if an attempt is
 *   left advances the clock by `IntervalSeconds × BackoffRate^n` (capped by `MaxDelaySeconds`)
 *   before the library retries. `JitterStrategy: FULL` is modelled as no jitter (the upper bound).
 * - **State machine timeout.** The definition's top-level `TimeoutSeconds` (or, while the ASL
 *   files carry none, the one docs/operations.md states per workflow) is checked in virtual time
 *   before every task and wait: past it the execution ends `TIMED_OUT` and runs nothing more.
 * - **Task timeouts and Lambda faults.** Per invocation a fault can be planned: an invocation
 *   frozen after its K-th AWS call (the K-th call takes effect or not, then nothing more happens:
 *   the handler never returns; the task fails after its `TimeoutSeconds` with `States.Timeout`, or
 *   after the Lambda timeout with `Lambda.Unknown`), a crash after the K-th call (`Lambda.Unknown`
 *   at once), or a Lambda service error before the handler runs (`Lambda.ServiceException`).
 * - **Stopped executions.** The execution is stopped before its N-th task (StopExecution): the
 *   library aborts it, no further state runs, nothing is recorded by the workflow.
 *
 * AWS calls are counted by {@link CALL_CONTEXT}: the world wraps every fake's entry point and the
 * archive, and reads the invocation's store from this AsyncLocalStorage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { StateMachine } from 'aws-local-stepfunctions';
import { allStates, type LocalFunction } from '../support/asl.ts';
import type { FakeClock } from '../support/rds-fake.ts';

/** Counters and armed faults shared by every invocation of one execution. */
export interface ExecutionCounters {
  /** AWS calls made so far by the execution's invocations. */
  calls: number;
  /** Of which calls that change state. */
  mutations: number;
  /** Calls per command name (`ArchivePut` for the archive). */
  readonly byCommand: Record<string, number>;
  /** The planned fault (consumed when it trips). */
  fault: ExecutionFault | null;
  /** An operator action to run just before the execution's `atCall`-th AWS call (consumed). */
  midRun: MidRun | null;
}

/** What an AWS call made inside an invocation sees. */
export interface CallStore {
  /** The execution name (`operator` for calls made by hand). */
  readonly actor: string;
  readonly exec: ExecutionCounters;
  /** Set once the invocation froze: every later call hangs. */
  tripped: boolean;
  /** Called when the fault trips; the invocation never returns. */
  trip: (fault: ExecutionFault) => void;
}

/** Per-invocation context for the fakes' wrappers. */
export const CALL_CONTEXT = new AsyncLocalStorage<CallStore>();

/**
 * A Lambda fault planned for one execution: the invocation making the execution's n-th AWS call
 * (or n-th state-changing call) freezes (never returns: a timeout) or crashes there, the call taking
 * effect or not; or the n-th invocation is refused by the Lambda service before it runs.
 */
export type ExecutionFault =
  | { readonly kind: 'freeze' | 'crash'; readonly on: 'call' | 'mutation'; readonly n: number; readonly effect: boolean }
  | { readonly kind: 'freeze' | 'crash'; readonly on: 'command'; readonly command: string; readonly n: number; readonly effect: boolean }
  | { readonly kind: 'service'; readonly n: number };

/** An operator action mid-run: before the execution's `atCall`-th AWS call, or its first call of `atCommand`. */
export interface MidRun {
  readonly atCall: number;
  readonly atCommand?: string;
  readonly action: () => Promise<void>;
}

/** Outcome of one local execution. */
export interface FaultExecution {
  readonly name: string;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  readonly output: unknown;
  readonly error: string | null;
  readonly cause: string | null;
  readonly path: string[];
  /** Task invocations, in order, with the fault applied to each. */
  readonly invocations: { state: string; payload: unknown }[];
  /** The fault that tripped, if any: state and how. */
  readonly tripped: string | null;
  /** Retries taken, with the virtual seconds waited. */
  readonly retries: { state: string; error: string; seconds: number }[];
  readonly startedAt: Date;
  readonly endedAt: Date;
}

/** Options of {@link runWorkflow}. */
export interface RunOptions {
  readonly name: string;
  readonly definition: Record<string, unknown>;
  readonly input: unknown;
  readonly functions: Readonly<Record<string, LocalFunction>>;
  readonly clock: FakeClock;
  /** Used when the definition has no top-level TimeoutSeconds (docs/operations.md). */
  readonly documentedTimeoutSeconds: number;
  /** Lambda function timeout in seconds, by FunctionName. */
  readonly lambdaTimeoutSeconds: (functionName: string) => number;
  readonly fault?: ExecutionFault;
  readonly midRun?: MidRun;
  /** Stop the execution before its N-th task invocation (1-based). */
  readonly stopBeforeTask?: number;
}

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

function matches(retrier: Retrier, error: string): boolean {
  return retrier.ErrorEquals.some((e) => e === error || e === 'States.ALL' || (e === 'States.TaskFailed' && error !== 'States.Timeout'));
}

/** A named error as the Lambda integration reports it. */
export function namedError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

const NEVER = new Promise<never>(() => undefined);

function pathValue(input: unknown, path: string): unknown {
  let value: unknown = input;
  for (const part of path.replace(/^\$\.?/, '').split('.').filter(Boolean)) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

/** Runs one execution with faults, in virtual time. */
export async function runWorkflow(options: RunOptions): Promise<FaultExecution> {
  const { clock } = options;
  const startedAt = clock.now();
  const copy = structuredClone(options.definition);
  const machineTimeout = typeof copy.TimeoutSeconds === 'number' ? copy.TimeoutSeconds : options.documentedTimeoutSeconds;
  delete copy.TimeoutSeconds; // the library would enforce it in real time
  const waits: Record<string, number | string> = {};
  const taskTimeouts: Record<string, number> = {};
  const retriers: Record<string, Retrier[]> = {};
  const visit = (machine: Record<string, unknown>): void => {
    const states = (machine.States ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Wait') {
        waits[name] = typeof state.Seconds === 'number' ? state.Seconds : String(state.SecondsPath);
        const { Type: _t, Seconds: _s, SecondsPath: _sp, ...rest } = state;
        states[name] = { ...rest, Type: 'Task', Resource: 'arn:aws:states:::local:virtual-wait' };
      }
      if (state.Type === 'Task') {
        if (typeof state.TimeoutSeconds === 'number') taskTimeouts[name] = state.TimeoutSeconds;
        delete state.TimeoutSeconds; // enforced here, in virtual time
        if (Array.isArray(state.Retry)) retriers[name] = state.Retry as Retrier[];
      }
      for (const branch of (state.Branches ?? []) as Record<string, unknown>[]) visit(branch);
      const processor = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
      if (processor) visit(processor);
    }
  };
  visit(copy);
  const runnable = JSON.parse(JSON.stringify(copy).replaceAll('"$$.Execution.StartTime"', () => '"$$.Virtual.StartTime"')) as Record<string, unknown>;
  const executionArn = `arn:aws:states:eu-west-1:123456789012:execution:${options.name}`;
  const invocations: FaultExecution['invocations'] = [];
  const retries: FaultExecution['retries'] = [];
  const attempts = new Map<string, number[]>();
  let taskCount = 0;
  let tripped: string | null = null;
  const exec: ExecutionCounters = { calls: 0, mutations: 0, byCommand: {}, fault: options.fault ?? null, midRun: options.midRun ?? null };
  let ended: 'ABORTED' | 'TIMED_OUT' | null = null;
  let abort: () => void = () => undefined;

  /** Stops the execution from inside a task: nothing after it runs. */
  const end = (how: 'ABORTED' | 'TIMED_OUT'): Promise<never> => {
    ended = how;
    abort();
    return NEVER;
  };
  const overdue = (): boolean => clock.now().getTime() - startedAt.getTime() > machineTimeout * 1000;

  /** Advances the clock by the back-off of the retry Step Functions would take, if any. */
  const backOff = (state: string, error: string): void => {
    const list = retriers[state] ?? [];
    const index = list.findIndex((r) => matches(r, error));
    const counts = attempts.get(state) ?? list.map(() => 0);
    attempts.set(state, counts);
    if (index < 0) {
      attempts.delete(state);
      return;
    }
    const retrier = list[index] as Retrier;
    const n = counts[index] ?? 0;
    if (n >= (retrier.MaxAttempts ?? 3)) {
      attempts.delete(state);
      return;
    }
    counts[index] = n + 1;
    const seconds = Math.min((retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** n, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
    retries.push({ state, error, seconds });
    clock.advance(seconds * 1000);
  };

  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryOverrides: Record<string, number> = {};
  for (const [stateName, state] of Object.entries(allStates(runnable))) {
    if (state.Retry) retryOverrides[stateName] = 0;
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource);
    if (resource === 'arn:aws:states:::local:virtual-wait') {
      const wait = waits[stateName] ?? 0;
      handlers[stateName] = async (taskInput) => {
        if (overdue()) return end('TIMED_OUT');
        const seconds = typeof wait === 'number' ? wait : Number(pathValue(taskInput, wait));
        clock.advance(seconds * 1000);
        return taskInput;
      };
      continue;
    }
    if (resource !== 'arn:aws:states:::lambda:invoke') throw new Error(`state ${stateName}: resource ${resource} has no local binding`);
    handlers[stateName] = async (taskInput) => {
      if (overdue()) return end('TIMED_OUT');
      taskCount += 1;
      if (options.stopBeforeTask === taskCount) return end('ABORTED');
      const { FunctionName, Payload } = taskInput as { FunctionName: string; Payload: unknown };
      const fn = options.functions[FunctionName];
      if (!fn) throw new Error(`no local function bound to ${FunctionName} (state ${stateName})`);
      invocations.push({ state: stateName, payload: structuredClone(Payload) });
      const started = clock.now().getTime();
      try {
        if (exec.fault?.kind === 'service' && exec.fault.n === taskCount) {
          exec.fault = null;
          tripped = `${stateName}: Lambda.ServiceException`;
          throw namedError('Lambda.ServiceException', 'Lambda was unable to invoke the function (injected)');
        }
        let onTrip: (fault: ExecutionFault) => void = () => undefined;
        const trippedPromise = new Promise<ExecutionFault>((resolve) => {
          onTrip = resolve;
        });
        const store: CallStore = { actor: options.name, exec, tripped: false, trip: (f) => onTrip(f) };
        const outcome = await Promise.race([CALL_CONTEXT.run(store, () => fn(structuredClone(Payload)).then((value) => ({ value }))), trippedPromise]);
        const taskTimeout = taskTimeouts[stateName];
        const lambdaTimeout = options.lambdaTimeoutSeconds(FunctionName);
        if (!('value' in outcome)) {
          const fault = outcome;
          tripped = `${stateName}: ${fault.kind}`;
          if (fault.kind === 'crash') throw namedError('Lambda.Unknown', 'The function crashed (injected: Runtime.ExitError)');
          // Frozen: the task gives up at its own timeout, or the Lambda service at the function's.
          const waited = Math.min(taskTimeout ?? Number.POSITIVE_INFINITY, lambdaTimeout);
          clock.advance(Math.max(0, started + waited * 1000 - clock.now().getTime()));
          throw taskTimeout !== undefined && taskTimeout <= lambdaTimeout
            ? namedError('States.Timeout', `task ${stateName} timed out after ${taskTimeout} s (injected freeze)`)
            : namedError('Lambda.Unknown', `Task timed out after ${lambdaTimeout} seconds (injected freeze)`);
        }
        const elapsed = (clock.now().getTime() - started) / 1000;
        if (taskTimeout !== undefined && elapsed > taskTimeout) throw namedError('States.Timeout', `task ${stateName} ran ${elapsed} s > ${taskTimeout} s`);
        if (elapsed > lambdaTimeout) throw namedError('Lambda.Unknown', `Task timed out after ${lambdaTimeout} seconds`);
        attempts.delete(stateName);
        return { Payload: outcome.value ?? null, StatusCode: 200, ExecutedVersion: '$LATEST' };
      } catch (error) {
        backOff(stateName, (error as Error).name);
        throw error;
      }
    };
  }
  const machine = new StateMachine(runnable as never, { validationOptions: { checkArn: false } });
  const run = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: retryOverrides },
    context: { Execution: { Id: executionArn, Input: options.input as never, Name: options.name }, Virtual: { StartTime: startedAt.toISOString() } } as never,
  });
  abort = run.abort;
  const path: string[] = [];
  const collect = (async (): Promise<void> => {
    for await (const event of run.eventLogs) if (event.type === 'StateEntered') path.push(event.state.name);
  })();
  const base = { name: options.name, path, invocations, retries, startedAt, get tripped() { return tripped; } };
  try {
    const output = await run.result;
    await collect;
    return { ...base, status: 'SUCCEEDED', output, error: null, cause: null, endedAt: clock.now() };
  } catch (error) {
    if (ended === null) await collect.catch(() => undefined);
    if (ended !== null) return { ...base, status: ended, output: null, error: ended === 'TIMED_OUT' ? 'States.Timeout' : null, cause: null, endedAt: clock.now() };
    const failure = error as Error & { cause?: unknown };
    const inner = failure.cause instanceof Error ? failure.cause : failure;
    return { ...base, status: 'FAILED', output: null, error: inner.name, cause: inner.message, endedAt: clock.now() };
  }
}
