/**
 * The one base of every stateful AWS fake (RDS, DynamoDB, Route 53, EC2, SNS, Secrets Manager,
 * CloudWatch, S3): the virtual clock, the region of each call, a call log that marks the calls that
 * change state, fault injection by command, unreachable regions, throttle bursts and an account-wide
 * token bucket per region, and the SDK's error shape. {@link AwsFake.install} binds a fake to its SDK client with
 * aws-sdk-client-mock, so the adapters under test send real commands; commands a fake does not
 * implement fail loudly, without being recorded.
 */
import type { Client, MetadataBearer, ResponseMetadata } from '@smithy/types';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

/** The time source the fakes read; tests own it and move it forward. */
export interface FakeClock {
  /** Current virtual time. */
  now(): Date;
  /** Moves virtual time forward by `ms` milliseconds. */
  advance(ms: number): void;
}

/** A manually driven clock: time moves only when {@link VirtualClock.advance} is called. */
export class VirtualClock implements FakeClock {
  #ms: number;

  /** @param start the initial virtual time (default 2026-11-02T09:00:00Z, a fixed instant for reproducible tests). */
  constructor(start: Date | string = '2026-11-02T09:00:00.000Z') {
    this.#ms = new Date(start).getTime();
    if (Number.isNaN(this.#ms)) throw new RangeError(`VirtualClock: invalid start time ${String(start)}`);
  }

  /** @inheritdoc */
  now(): Date {
    return new Date(this.#ms);
  }

  /** @inheritdoc */
  advance(ms: number): void {
    // Time going backwards would let a finished snapshot become "creating" again: refuse it.
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`VirtualClock.advance: ms must be a finite number >= 0, got ${ms}`);
    this.#ms += ms;
  }
}

/** One recorded call. */
export interface FakeCall {
  /** Command name without `Command`, e.g. `PutItem`. */
  readonly command: string;
  /** Region of the calling client. */
  readonly region: string;
  /** Deep copy of the input at call time. */
  readonly input: Readonly<Record<string, unknown>>;
  /** Virtual time of the call. */
  readonly at: Date;
  /** True for commands that change state (whether or not they succeeded). */
  readonly mutating: boolean;
  /** `ok`, or the name of the error the call failed with. */
  outcome: string;
}

/** An error to inject, or a factory building it from the call's input and region. */
export type InjectedError = Error | ((input: Readonly<Record<string, unknown>>, region: string) => Error);

/** An error a fake threw, `injected` when it came from {@link AwsFake.failNext} or throttling rather than from the fake's model. */
export interface ThrownError {
  readonly command: string;
  readonly error: string;
  readonly injected: boolean;
}

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

/** `CreateDBSnapshotCommand`, Step Functions' `createDBSnapshot` and `CreateDBSnapshot` all name `CreateDBSnapshot`. */
export function normaliseCommand(name: string): string {
  const bare = name.endsWith('Command') ? name.slice(0, -'Command'.length) : name;
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

/** The command name of an SDK command instance (`PutItemCommand` → `PutItem`). */
export function commandName(command: unknown): string {
  return normaliseCommand((command as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? 'unknown');
}

/** An SDK client class (`RDSClient`), as aws-sdk-client-mock takes it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the config parameter differs per client
type ClientClass<C> = new (...args: any[]) => C;

/** A client whose region the fake reads; `config.region` is a string or a provider. */
interface RegionalClient {
  readonly config: { region?: unknown };
}

/** What every fake declares. */
export interface AwsFakeOptions<C> {
  /** The virtual clock. */
  readonly clock: FakeClock;
  /** The SDK client the fake stands in for. */
  readonly client: ClientClass<C>;
  /** The commands the fake implements (names without `Command`). */
  readonly operations: readonly string[];
  /** The commands that change state. */
  readonly mutating: readonly string[];
  /** The error the service returns when a caller is throttled. */
  readonly throttlingError: () => Error;
  /** The file that implements the fake, named when a command is missing (e.g. `test/support/sns-fake.ts`). */
  readonly source: string;
  /** Region assumed for clients without one, and for calls that name none. @default eu-west-1 */
  readonly defaultRegion?: string | undefined;
}

interface ThrottleBurst {
  remaining: number;
  commands: ReadonlySet<string> | undefined;
  region: string | undefined;
}

/**
 * Call log, regions, throttling and fault injection; a subclass implements `dispatch`, and may hook
 * {@link AwsFake.beforeCall} (apply due transitions), {@link AwsFake.validate} (check the request
 * against the service's model) and {@link AwsFake.checkError} (check what the model threw).
 */
export abstract class AwsFake<C = unknown> {
  /** The virtual clock the fake reads. */
  readonly clock: FakeClock;
  /** Region assumed for clients without one. */
  readonly defaultRegion: string;
  readonly #client: ClientClass<C>;
  readonly #source: string;
  readonly #operations: ReadonlySet<string>;
  readonly #mutating: ReadonlySet<string>;
  readonly #throttlingError: () => Error;
  readonly #calls: FakeCall[] = [];
  readonly #thrown: ThrownError[] = [];
  readonly #failures: { command: string; remaining: number; error: InjectedError }[] = [];
  readonly #throttles: ThrottleBurst[] = [];
  #rateLimit: { burst: number; refillPerSecond: number } | undefined;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #unreachable = new Map<string, Error>();

  constructor(options: AwsFakeOptions<C>) {
    this.clock = options.clock;
    this.defaultRegion = options.defaultRegion ?? 'eu-west-1';
    this.#client = options.client;
    this.#source = options.source;
    this.#operations = new Set(options.operations);
    this.#mutating = new Set(options.mutating);
    this.#throttlingError = options.throttlingError;
  }

  /** Executes one command against the fake's state, in the region of the calling client. */
  protected abstract dispatch(command: string, input: Record<string, unknown>, region: string): object;

  /** Runs first on every call, before faults (e.g. applies the transitions that are due). */
  protected beforeCall(): void {
    // nothing by default
  }

  /** Checks a request that passed the faults, before it runs. */
  protected validate(_command: string, _input: Readonly<Record<string, unknown>>): void {
    // nothing by default
  }

  /** Sees every error a call ends with; returns the error to throw (by default the same one). */
  protected checkError(_command: string, error: unknown, _injected: boolean): unknown {
    return error;
  }

  /**
   * Routes every client of the fake's SDK client class (any region) to {@link AwsFake.handle}.
   *
   * aws-sdk-client-mock hands the fake a `getClient` that returns the client whose `send` is running: it reads
   * the last `this` sinon recorded, as `mock.send.lastCall` is the running command, so both are read
   * synchronously, before any await, or concurrent calls from clients of different regions could swap.
   *
   * @param stub an existing `mockClient(...)` of the same class; one is created when omitted.
   * @returns the stub, so the test can `restore()` it.
   */
  install(stub?: AwsClientStub<C>): AwsClientStub<C> {
    const mock = stub ?? (mockClient(this.#client as never) as AwsClientStub<C>);
    const any = mock as unknown as AwsClientStub<Client<object, MetadataBearer, unknown>>;
    any.onAnyCommand().callsFake((input: object, getClient: () => unknown) => {
      const sent: unknown = any.send.lastCall?.args[0];
      const command = commandName(sent);
      if (!this.#operations.has(command)) throw new Error(`${this.constructor.name} does not implement ${(sent as object).constructor.name}; add it to ${this.#source}`);
      return this.#regionOf(getClient() as RegionalClient).then((region) => this.handle(command, input, region));
    });
    return mock;
  }

  async #regionOf(client: RegionalClient): Promise<string> {
    const provider: unknown = client.config.region;
    const region: unknown = typeof provider === 'function' ? await (provider as () => Promise<unknown>)() : provider;
    return typeof region === 'string' && region !== '' ? region : this.defaultRegion;
  }

  /**
   * The single entry point of the fake: records the call, fails it when its region is unreachable, applies
   * injected throttling, faults and the token bucket (before the command touches any state), then executes
   * the command.
   *
   * @param name `CreateDBSnapshot`, `CreateDBSnapshotCommand` or Step Functions' `createDBSnapshot`.
   * @param input the command input (PascalCase keys, as in the SDK and in Step Functions SDK integrations).
   * @param region the region of the calling client.
   * @returns the command output, with `$metadata` like the SDK's.
   */
  async handle(name: string, input: object, region: string = this.defaultRegion): Promise<object> {
    const command = normaliseCommand(name);
    const params = structuredClone(input) as Record<string, unknown>;
    const call: FakeCall = { command, region, input: structuredClone(params), at: this.clock.now(), mutating: this.#mutating.has(command), outcome: 'ok' };
    this.#calls.push(call);
    let injected = true;
    try {
      this.beforeCall();
      const dark = this.#unreachable.get(region);
      if (dark !== undefined) throw dark;
      this.#inject(command, params, region);
      this.#takeToken(region);
      injected = false;
      this.validate(command, params);
      return { ...structuredClone(this.dispatch(command, params, region)), $metadata: metadata(200) };
    } catch (error) {
      call.outcome = error instanceof Error ? error.name : 'unknown';
      if ((error as { $fault?: unknown } | null)?.$fault !== undefined) this.#thrown.push({ command, error: call.outcome, injected });
      throw this.checkError(command, error, injected);
    }
  }

  #inject(command: string, input: Readonly<Record<string, unknown>>, region: string): void {
    const burst = this.#throttles.find((t) => t.remaining > 0 && (t.commands === undefined || t.commands.has(command)) && (t.region === undefined || t.region === region));
    if (burst) {
      burst.remaining -= 1;
      if (burst.remaining === 0) this.#throttles.splice(this.#throttles.indexOf(burst), 1);
      throw this.#throttlingError();
    }
    const failure = this.#failures.find((f) => f.remaining > 0 && (f.command === '*' || f.command === command));
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining === 0) this.#failures.splice(this.#failures.indexOf(failure), 1);
      throw typeof failure.error === 'function' ? failure.error(input, region) : failure.error;
    }
  }

  #takeToken(region: string): void {
    const limit = this.#rateLimit;
    if (limit === undefined) return;
    const now = this.clock.now().getTime();
    const bucket = this.#buckets.get(region) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.refillPerSecond);
    bucket.at = now;
    this.#buckets.set(region, bucket);
    if (bucket.tokens < 1) throw this.#throttlingError();
    bucket.tokens -= 1;
  }

  // ------------------------------------------------------------------ call log

  /**
   * Recorded calls, oldest first, optionally of one command (a name) or filtered by command and region.
   */
  calls(filter: string | { command?: string; region?: string } = {}): readonly FakeCall[] {
    const { command: name, region } = typeof filter === 'string' ? { command: filter, region: undefined } : filter;
    const command = name === undefined ? undefined : normaliseCommand(name);
    return this.#calls.filter((c) => (command === undefined || c.command === command) && (region === undefined || c.region === region));
  }

  /** Number of recorded calls of `command` (all commands when omitted), optionally in one region. */
  callCount(command?: string, region?: string): number {
    return this.calls({ ...(command === undefined ? {} : { command }), ...(region === undefined ? {} : { region }) }).length;
  }

  /** Number of recorded calls per command name, for benchmarks that report API cost. */
  callCountsByCommand(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.#calls) counts[call.command] = (counts[call.command] ?? 0) + 1;
    return counts;
  }

  /** The calls of commands that change state, attempted or done. */
  mutatingCalls(): readonly FakeCall[] {
    return this.#calls.filter((c) => c.mutating);
  }

  /** Forgets the call log (state is kept). */
  clearCalls(): void {
    this.#calls.length = 0;
  }

  /** Every service error the fake threw, oldest first, with its operation and whether it was injected. */
  thrownErrors(): readonly ThrownError[] {
    return [...this.#thrown];
  }

  // ------------------------------------------------------------------ faults and throttling

  /**
   * Makes the next `times` calls of `command` fail with the given error (or the error the factory builds),
   * before the command touches any state. `'*'` matches every command. Injections are consumed in order.
   */
  failNext(command: string, error: InjectedError, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`failNext: times must be a positive integer, got ${times}`);
    this.#failures.push({ command: command === '*' ? '*' : normaliseCommand(command), remaining: times, error });
  }

  /**
   * Throttle mode: the next `burst` matching calls fail with the service's throttling error without
   * touching state, as a service does when the account's token bucket is empty.
   * @param options restrict the burst to some commands and/or one region.
   */
  throttle(burst: number, options: { commands?: readonly string[]; region?: string } = {}): void {
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`throttle: burst must be a positive integer, got ${burst}`);
    this.#throttles.push({ remaining: burst, commands: options.commands === undefined ? undefined : new Set(options.commands.map(normaliseCommand)), region: options.region });
  }

  /**
   * Turns on an account-wide token bucket per region, as AWS meters its APIs: each call takes a token, tokens
   * refill continuously with virtual time, and a call finding the bucket empty fails with the service's
   * throttling error (for RDS: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html,
   * with the bucket sizes and refill rates per API category). Off by default; `undefined` turns it off.
   */
  rateLimit(options: { burst: number; refillPerSecond: number } | undefined): void {
    if (options !== undefined && (!(options.burst > 0) || !(options.refillPerSecond > 0))) {
      throw new RangeError(`rateLimit: burst and refillPerSecond must be > 0, got ${JSON.stringify(options)}`);
    }
    this.#rateLimit = options;
    this.#buckets.clear();
  }

  /**
   * Makes a region unreachable: every call from a client of that region fails with `error` (by default
   * {@link networkError}, what the SDK throws when no HTTP response arrives) before it touches any state,
   * consumes any fault or token, until {@link AwsFake.makeReachable}. The call is still recorded.
   */
  makeUnreachable(region: string, error: Error = networkError()): void {
    this.#unreachable.set(region, error);
  }

  /** Ends {@link AwsFake.makeUnreachable} for a region. */
  makeReachable(region: string): void {
    this.#unreachable.delete(region);
  }

  /** Drops every pending injected failure and throttle burst. */
  clearFaults(): void {
    this.#failures.length = 0;
    this.#throttles.length = 0;
  }
}
