/**
 * What the stateful AWS fakes of the failover tests share (DynamoDB, Route 53, EC2, SNS, Secrets
 * Manager): a call log that marks the calls that change state, fault injection by command, and the
 * SDK's error shape. Each fake is bound to its SDK client with aws-sdk-client-mock (`install()`),
 * so the adapters under test send real commands; commands a fake does not implement fail loudly.
 */
import type { ResponseMetadata } from '@smithy/types';
import type { FakeClock } from './rds-fake.ts';

/** One recorded call. */
export interface FakeCall {
  /** Command name without `Command`, e.g. `PutItem`. */
  readonly command: string;
  /** Deep copy of the input at call time. */
  readonly input: Readonly<Record<string, unknown>>;
  /** Virtual time of the call. */
  readonly at: Date;
  /** True for commands that change state (whether or not they succeeded). */
  readonly mutating: boolean;
  /** `ok`, or the name of the error the call failed with. */
  outcome: string;
}

/** An error to inject, or a factory building it from the call's input. */
export type InjectedError = Error | ((input: Readonly<Record<string, unknown>>) => Error);

let requestCounter = 0;

/** `$metadata` as the SDK attaches it to responses and service errors. */
export function metadata(httpStatusCode: number): ResponseMetadata {
  requestCounter += 1;
  return { httpStatusCode, requestId: `fake-${String(requestCounter).padStart(8, '0')}`, attempts: 1, totalRetryDelay: 0 };
}

/**
 * An error as the SDK throws it when no HTTP response arrived (connection refused, timeout): no
 * `$metadata.httpStatusCode`, the Node error code as `code`. What an unreachable region looks like.
 */
export function networkError(message = 'connect ETIMEDOUT 52.94.0.1:443'): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

/** Call log and fault injection; subclasses implement `dispatch`. */
export abstract class AwsFake {
  /** The virtual clock the fake reads. */
  readonly clock: FakeClock;
  readonly #mutating: ReadonlySet<string>;
  readonly #calls: FakeCall[] = [];
  readonly #failures: { command: string; remaining: number; error: InjectedError }[] = [];

  /** @param mutating names of the commands that change state */
  constructor(clock: FakeClock, mutating: readonly string[]) {
    this.clock = clock;
    this.#mutating = new Set(mutating);
  }

  /** Executes one command against the fake's state. */
  protected abstract dispatch(command: string, input: Record<string, unknown>): object;

  /** Records the call, applies injected faults, then runs the command; returns its output with `$metadata`. */
  async handle(command: string, input: object): Promise<object> {
    const params = structuredClone(input) as Record<string, unknown>;
    const call: FakeCall = { command, input: params, at: this.clock.now(), mutating: this.#mutating.has(command), outcome: 'ok' };
    this.#calls.push(call);
    try {
      const failure = this.#failures.find((f) => f.remaining > 0 && (f.command === '*' || f.command === command));
      if (failure) {
        failure.remaining -= 1;
        if (failure.remaining === 0) this.#failures.splice(this.#failures.indexOf(failure), 1);
        throw typeof failure.error === 'function' ? failure.error(params) : failure.error;
      }
      return { ...structuredClone(this.dispatch(command, params)), $metadata: metadata(200) };
    } catch (error) {
      call.outcome = error instanceof Error ? error.name : 'unknown';
      throw error;
    }
  }

  /** Recorded calls, oldest first, optionally of one command. */
  calls(command?: string): readonly FakeCall[] {
    return this.#calls.filter((c) => command === undefined || c.command === command);
  }

  /** Number of calls of `command` (all when omitted). */
  callCount(command?: string): number {
    return this.calls(command).length;
  }

  /** The calls of commands that change state, attempted or done. */
  mutatingCalls(): readonly FakeCall[] {
    return this.#calls.filter((c) => c.mutating);
  }

  /** Forgets the call log (state is kept). */
  clearCalls(): void {
    this.#calls.length = 0;
  }

  /** Makes the next `times` calls of `command` (`*`: any) fail with this error, before touching state. */
  failNext(command: string, error: InjectedError, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`failNext: times must be a positive integer, got ${times}`);
    this.#failures.push({ command, remaining: times, error });
  }

  /** Drops every pending injected failure. */
  clearFaults(): void {
    this.#failures.length = 0;
  }
}

/** The command name of an SDK command instance (`PutItemCommand` → `PutItem`). */
export function commandName(command: unknown): string {
  const name = (command as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? 'unknown';
  return name.endsWith('Command') ? name.slice(0, -'Command'.length) : name;
}
