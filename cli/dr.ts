/**
 * Operator CLI: starts the deployed DR state machines with validated input and waits, bounded, for
 * the result. Run as `npm run dr -- <command> [options]` (docs/operations.md): npm runs it on the
 * project's pinned Node 24, which runs TypeScript; the machines' own Node 20 does not.
 *
 * 1. Parse and validate the arguments; any problem is bad usage (exit 2) and nothing is started.
 * 2. Build the state machine ARN (`<db>-<workflow>` in `--region` / `--account`), or take `--state-machine-arn`.
 * 3. StartExecution with the command's input, as the console would send it.
 * 4. Unless `--no-wait`: poll DescribeExecution until a terminal status or the wait bound, printing
 *    one progress line per poll; print the output, or the error and cause.
 *
 * Every AWS call has a per-attempt request timeout and a per-call abort, and the whole run an
 * overall deadline (the wait bound plus {@link LIMITS}.graceMs): an endpoint that accepts a
 * connection and never answers cannot keep the CLI waiting for ever.
 *
 * Exit codes ({@link EXIT}; the table in docs/operations.md): each outcome its own.
 */
import { DescribeExecutionCommand, SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { connectPg, runLedger, type LedgerDeps } from './ledger.ts';
import { SNAPSHOT_ID } from '../functions/domain/snapshots/naming.ts';

/**
 * Exit codes of {@link run}, one per outcome (docs/operations.md, "CLI exit codes").
 * - `succeeded` 0: the execution SUCCEEDED (or, with `--no-wait`, was started).
 * - `failed` 1: the execution FAILED (its error and cause are printed).
 * - `usage` 2: bad usage; nothing was started.
 * - `stillRunning` 3: still RUNNING when the wait bound ran out; the execution goes on.
 * - `timedOut` 4: the execution TIMED_OUT (its state machine's TimeoutSeconds).
 * - `aborted` 5: the execution was ABORTED (stopped by someone or something).
 * - `notStarted` 6: StartExecution was refused by the service or no connection could be made: nothing started.
 * - `unknown` 7: Step Functions stopped answering (timeout, deadline, lost connection, or an error while
 *   polling): the execution may have started, or may still be running; the CLI says what it knows.
 */
export const EXIT = { succeeded: 0, failed: 1, usage: 2, stillRunning: 3, timedOut: 4, aborted: 5, notStarted: 6, unknown: 7 } as const;

/** Time limits on AWS calls; tests shorten them. */
export interface Limits {
  /** Connection phase of one attempt. */
  readonly connectMs: number;
  /** One attempt, request and response (thrown as TimeoutError: `throwOnRequestTimeout`). */
  readonly requestMs: number;
  /** Attempts per call (the SDK retries timeouts and throttling). */
  readonly maxAttempts: number;
  /** One call, every attempt and back-off included: aborted after this. */
  readonly callMs: number;
  /** Added to the wait bound (zero with `--no-wait`) to make the overall deadline of the run. */
  readonly graceMs: number;
}

/**
 * The production limits. A call ends within `callMs` (30 s) whatever the endpoint does; the run
 * within the wait bound plus 2 minutes, enough for the last poll and the start.
 */
export const LIMITS: Limits = { connectMs: 5_000, requestMs: 10_000, maxAttempts: 3, callMs: 30_000, graceMs: 120_000 };

/** Where the CLI writes: progress and results to `out`, problems to `err`; one line per call. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** What {@link run} needs from the outside world; tests replace all of it. */
export interface Deps {
  /** The Step Functions client; default: {@link sfnClient} for the resolved region. */
  readonly client?: SFNClient;
  /** Time limits on AWS calls and the run; default {@link LIMITS}. */
  readonly limits?: Limits;
  /** Milliseconds on a clock that only moves forward (elapsed time and the wait bound). */
  readonly now: () => number;
  /** Waits between polls. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly output: Output;
  /** Environment: `AWS_ACCOUNT_ID`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL_SFN` / `AWS_ENDPOINT_URL`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The commands, the state machine each starts, its wait bound and poll interval. */
export const COMMANDS = {
  // Bounds are the state machines' own timeouts (TimeoutSeconds in statemachines/*.asl.json, tied by
  // test/artifacts/timeouts.test.ts): waiting longer can only see TIMED_OUT.
  backup: { workflow: 'backup', timeoutMinutes: 1440, pollSeconds: 30, options: ['tier'] },
  verify: { workflow: 'verify', timeoutMinutes: 360, pollSeconds: 30, options: ['snapshot'] },
  pitr: { workflow: 'pitr-restore', timeoutMinutes: 480, pollSeconds: 30, options: ['time', 'name'] },
  failover: { workflow: 'failover', timeoutMinutes: 60, pollSeconds: 5, options: ['mode', 'reason', 'dry-run', 'force'] },
} as const;

/** A command of the CLI. */
export type CommandName = keyof typeof COMMANDS;

const COMMON = ['db', 'region', 'account', 'state-machine-arn', 'no-wait', 'timeout-minutes'] as const;
const FLAGS = new Set(['dry-run', 'force', 'no-wait']);
const TIERS = ['daily', 'weekly', 'monthly', 'yearly'] as const;
const MODES = ['az', 'region', 'observe'] as const;
/** RDS identifier rules, as functions/domain/verification/point-in-time.ts applies them. */
const IDENTIFIER = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,62}$/;
/** A full ISO-8601 date-time with a zone: a time without one would be read in the operator's local zone. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const ACCOUNT = /^\d{12}$/;
const SM_ARN = /^arn:aws[a-z-]*:states:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:stateMachine:([A-Za-z0-9_-]{1,80})$/;
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
const MAX_TIMEOUT_MINUTES = 1440;

/** The usage text, printed by `help` and after bad usage. */
export const USAGE = [
  'usage: npm run dr -- <command> [options]',
  '  backup   [--tier daily|weekly|monthly|yearly]',
  '  verify   [--snapshot <id>]',
  '  pitr     --time <ISO time with zone|latest> --name <db>-...',
  '  failover --mode az|region|observe --reason "<text>" [--dry-run] [--force]',
  '  ledger   install|uninstall|status|compact [--tables ...] [--dry-run] (SQL on the database, not a workflow)',
  'common: --db <name> (default swifteats) --region <region> --account <12 digits> (or AWS_ACCOUNT_ID)',
  '        --state-machine-arn <arn> --no-wait --timeout-minutes <1-1440>',
].join('\n');

/** A validated invocation: where to start, with what, and how long to wait. */
export interface Invocation {
  readonly command: CommandName;
  readonly stateMachineArn: string;
  readonly region: string;
  readonly input: Record<string, unknown>;
  readonly wait: boolean;
  readonly timeoutMinutes: number;
  readonly pollSeconds: number;
}

/** Parsed arguments, or every problem found in them. */
export type Parsed = { readonly ok: true; readonly invocation: Invocation } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Parses and validates the arguments after `npm run dr --`. Collects every problem rather than
 * stopping at the first, so one correction fixes the command line.
 */
export function parse(argv: readonly string[], env: Deps['env']): Parsed {
  const [command, ...rest] = argv;
  if (command === undefined) return { ok: false, problems: [`a command is required: ${Object.keys(COMMANDS).join(', ')}`] };
  if (!Object.hasOwn(COMMANDS, command)) return { ok: false, problems: [`unknown command ${JSON.stringify(command)}; allowed: ${Object.keys(COMMANDS).join(', ')}`] };
  const name = command as CommandName;
  const spec = COMMANDS[name];
  const allowed: readonly string[] = [...spec.options, ...COMMON];
  const problems: string[] = [];
  const values = new Map<string, string | true>();

  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument ${JSON.stringify(arg)}; options start with --`);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq === -1 ? undefined : eq);
    if (!allowed.includes(key)) {
      problems.push(`--${key}: unknown option for ${name}; allowed: ${allowed.map((o) => `--${o}`).join(', ')}`);
      // Its value, if any, belongs to it: one mistake, one message.
      if (eq === -1 && rest[i + 1] !== undefined && !(rest[i + 1] as string).startsWith('--')) i++;
      continue;
    }
    if (values.has(key)) problems.push(`--${key}: given more than once`);
    if (FLAGS.has(key)) {
      if (eq !== -1) problems.push(`--${key}: a flag, takes no value`);
      values.set(key, true);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (rest[i + 1] !== undefined && !(rest[i + 1] as string).startsWith('--')) value = rest[++i];
    if (value === undefined) {
      problems.push(`--${key}: needs a value`);
      continue;
    }
    values.set(key, value);
  }
  const get = (key: string): string | undefined => {
    const v = values.get(key);
    return typeof v === 'string' ? v : undefined;
  };

  const db = get('db') ?? 'swifteats';
  if (!IDENTIFIER.test(db)) problems.push(`--db: ${JSON.stringify(db)} is not a DB identifier (lower-case letters, digits, single hyphens, starting with a letter)`);

  const input = commandInput(name, get, values, db, problems);

  let timeoutMinutes: number = spec.timeoutMinutes;
  const timeout = get('timeout-minutes');
  if (timeout !== undefined) {
    timeoutMinutes = /^\d+$/.test(timeout) ? Number(timeout) : Number.NaN;
    if (!(timeoutMinutes >= 1 && timeoutMinutes <= MAX_TIMEOUT_MINUTES)) problems.push(`--timeout-minutes: ${JSON.stringify(timeout)} is not a whole number of minutes from 1 to ${MAX_TIMEOUT_MINUTES}`);
  }

  const target = stateMachine(spec.workflow, db, get, values, env, problems);
  if (problems.length > 0 || target === null) return { ok: false, problems };
  return {
    ok: true,
    invocation: { command: name, ...target, input, wait: !values.has('no-wait'), timeoutMinutes, pollSeconds: spec.pollSeconds },
  };
}

/** The execution input of a command, shaped as the state machine's Comment and the docs describe it. */
function commandInput(
  name: CommandName,
  get: (key: string) => string | undefined,
  values: ReadonlyMap<string, string | true>,
  db: string,
  problems: string[],
): Record<string, unknown> {
  switch (name) {
    case 'backup': {
      const tier = get('tier');
      if (tier === undefined) return {};
      if (!(TIERS as readonly string[]).includes(tier)) problems.push(`--tier: ${JSON.stringify(tier)} is not one of ${TIERS.join(', ')}`);
      return { tier };
    }
    case 'verify': {
      const snapshot = get('snapshot');
      if (snapshot === undefined) return {};
      if (!SNAPSHOT_ID.test(snapshot)) problems.push(`--snapshot: ${JSON.stringify(snapshot)} is not a snapshot id (lower-case letters, digits, hyphens, starting with a letter)`);
      return { snapshotId: snapshot };
    }
    case 'pitr': {
      const time = get('time');
      const target = get('name');
      if (time === undefined) problems.push('--time: required, an ISO-8601 time with a zone (2026-11-29T14:02:00Z) or latest');
      else if (time !== 'latest' && (!ISO_WITH_ZONE.test(time) || Number.isNaN(Date.parse(time)))) {
        problems.push(`--time: ${JSON.stringify(time)} is not latest or an ISO-8601 time with a zone (2026-11-29T14:02:00Z)`);
      }
      if (target === undefined) problems.push(`--name: required, a new DB identifier starting with "${db}-"`);
      else if (!IDENTIFIER.test(target)) problems.push(`--name: ${JSON.stringify(target)} is not a DB identifier (1-63 lower-case letters, digits, single hyphens, starting with a letter)`);
      else if (!target.startsWith(`${db}-`)) problems.push(`--name: must start with "${db}-" (a restore never replaces ${db})`);
      return { targetTime: time, name: target };
    }
    case 'failover': {
      const mode = get('mode');
      const reason = get('reason');
      const force = values.has('force');
      if (mode === undefined) problems.push(`--mode: required, one of ${MODES.join(', ')}`);
      else if (!(MODES as readonly string[]).includes(mode)) problems.push(`--mode: ${JSON.stringify(mode)} is not one of ${MODES.join(', ')}`);
      if (reason === undefined || reason.trim() === '') problems.push('--reason: required, free text kept in the audit record and the notification');
      if (mode === 'observe' && force) problems.push('--force: only for modes az and region; observe never acts');
      return { mode, reason, dryRun: values.has('dry-run'), force };
    }
  }
}

/** The ARN to start and the region of its client, from `--state-machine-arn` or region + account. */
function stateMachine(
  workflow: string,
  db: string,
  get: (key: string) => string | undefined,
  values: ReadonlyMap<string, string | true>,
  env: Deps['env'],
  problems: string[],
): { stateMachineArn: string; region: string } | null {
  const arn = get('state-machine-arn');
  if (arn !== undefined) {
    for (const key of ['region', 'account']) if (values.has(key)) problems.push(`--${key}: not with --state-machine-arn, which names the region and account`);
    const match = SM_ARN.exec(arn);
    if (match === null) {
      problems.push(`--state-machine-arn: ${JSON.stringify(arn)} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`);
      return null;
    }
    // A failover input sent to the backup machine (or the reverse) must not start anything.
    if (!(match[2] as string).endsWith(`-${workflow}`)) {
      problems.push(`--state-machine-arn: ${JSON.stringify(match[2])} is not a ${workflow} state machine (<db>-${workflow})`);
      return null;
    }
    return { stateMachineArn: arn, region: match[1] as string };
  }
  const region = get('region') ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  const account = get('account') ?? env['AWS_ACCOUNT_ID'];
  if (region === undefined) problems.push('--region: required (or AWS_REGION), the region of the state machine, e.g. eu-west-1');
  else if (!REGION.test(region)) problems.push(`--region: ${JSON.stringify(region)} is not a region name (e.g. eu-west-1)`);
  if (account === undefined) problems.push('--account: required (or AWS_ACCOUNT_ID, or --state-machine-arn), the 12-digit account id');
  else if (!ACCOUNT.test(account)) problems.push(`--account: ${JSON.stringify(account)} is not a 12-digit account id`);
  if (region === undefined || account === undefined) return null;
  return { stateMachineArn: `arn:aws:states:${region}:${account}:stateMachine:${db}-${workflow}`, region };
}

/** Elapsed time as `[h:mm:ss]`. */
export function elapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `[${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}]`;
}

/** Pretty JSON when the text is JSON, the text itself otherwise. */
function show(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * Runs one CLI invocation and returns its exit code (see {@link EXIT}); never calls `process.exit`.
 *
 * @param argv the arguments after `npm run dr --`
 */
export async function run(argv: readonly string[], deps: Deps & { readonly ledger?: LedgerDeps['connect'] }): Promise<number> {
  const { output } = deps;
  // The exact mode's ledger is SQL run by the operator on the database (cli/ledger.ts), not a workflow.
  if (argv[0] === 'ledger') return runLedger(argv.slice(1), { output, connect: deps.ledger ?? connectPg });
  if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    output.out(USAGE);
    return EXIT.succeeded;
  }
  const parsed = parse(argv, deps.env);
  if (!parsed.ok) {
    for (const problem of parsed.problems) output.err(`dr: ${problem}`);
    output.err(USAGE);
    return EXIT.usage;
  }
  const inv = parsed.invocation;
  const limits = deps.limits ?? LIMITS;
  const client = deps.client ?? sfnClient(inv.region, deps.env, limits);
  const run = new Run(inv, deps, limits, client);
  // The overall deadline is wall-clock time (a hung call does not advance the poll loop's clock).
  const overallMs = (inv.wait ? inv.timeoutMinutes * 60_000 : 0) + limits.graceMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<number>((resolve) => {
    timer = setTimeout(() => resolve(run.deadlineReached(overallMs)), overallMs);
  });
  try {
    return await Promise.race([run.execute(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A Step Functions client whose calls always end: a connection and a request timeout per attempt
 * (`throwOnRequestTimeout`: without it @smithy/node-http-handler only logs a warning when
 * `requestTimeout` is exceeded and keeps waiting), a bounded number of attempts, and the endpoint
 * of `AWS_ENDPOINT_URL_SFN` / `AWS_ENDPOINT_URL` when set (the SDK's own variables, read from `env`).
 */
export function sfnClient(region: string, env: Deps['env'], limits: Limits = LIMITS): SFNClient {
  const endpoint = env['AWS_ENDPOINT_URL_SFN'] ?? env['AWS_ENDPOINT_URL'];
  return new SFNClient({
    region,
    maxAttempts: limits.maxAttempts,
    requestHandler: { connectionTimeout: limits.connectMs, requestTimeout: limits.requestMs, throwOnRequestTimeout: true },
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}

/** Error codes of a connection that was never made: the request cannot have reached Step Functions. */
const NO_CONNECTION = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** One invocation's calls and what it knows so far (for the deadline's message). */
class Run {
  private executionArn: string | undefined;
  private lastStatus: string | undefined;
  /** Set when the deadline wins: nothing more is printed by the losing side. */
  private over = false;
  /** Aborts the call in flight when the deadline is reached. */
  private readonly abort = new AbortController();

  private readonly inv: Invocation;
  private readonly deps: Deps;
  private readonly limits: Limits;
  private readonly client: SFNClient;

  constructor(inv: Invocation, deps: Deps, limits: Limits, client: SFNClient) {
    this.inv = inv;
    this.deps = deps;
    this.limits = limits;
    this.client = client;
  }

  async execute(): Promise<number> {
    const { inv, deps } = this;
    const output = this.output();
    const started = deps.now();
    let executionArn: string;
    try {
      const result = await this.call('StartExecution', (abortSignal) =>
        this.client.send(new StartExecutionCommand({ stateMachineArn: inv.stateMachineArn, input: JSON.stringify(inv.input) }), { abortSignal }),
      );
      if (result.executionArn === undefined) throw new Error('StartExecution returned no executionArn');
      executionArn = result.executionArn;
    } catch (error) {
      const e = error as Error & { code?: string };
      output.err(`dr: ${e.name}: ${e.message}`);
      if (error instanceof SFNServiceException || NO_CONNECTION.has(e.code ?? '')) {
        output.err('dr: nothing was started');
        return EXIT.notStarted;
      }
      output.err(`dr: no answer from Step Functions: the execution may have started; look for it with aws stepfunctions list-executions --state-machine-arn ${inv.stateMachineArn}`);
      return EXIT.unknown;
    }
    this.executionArn = executionArn;
    output.out(`started ${executionArn}`);
    output.out(`input ${JSON.stringify(inv.input)}`);
    if (!inv.wait) return EXIT.succeeded;

    const deadline = started + inv.timeoutMinutes * 60_000;
    for (;;) {
      let execution;
      try {
        execution = await this.call('DescribeExecution', (abortSignal) => this.client.send(new DescribeExecutionCommand({ executionArn }), { abortSignal }));
      } catch (error) {
        const e = error as Error;
        output.err(`dr: ${e.name}: ${e.message}`);
        output.err(`dr: lost track of the execution${this.lastStatus === undefined ? '' : ` (last seen ${this.lastStatus})`}; it goes on: ${executionArn}`);
        return EXIT.unknown;
      }
      const status = execution.status ?? 'UNKNOWN';
      this.lastStatus = status;
      const now = deps.now();
      output.out(`${elapsed(now - started)} ${status}`);
      if (status === 'SUCCEEDED') {
        output.out(show(execution.output ?? 'null'));
        return EXIT.succeeded;
      }
      if (TERMINAL.has(status)) {
        output.err(`error: ${execution.error ?? '(none)'}`);
        output.err(`cause: ${show(execution.cause ?? '(none)')}`);
        return status === 'FAILED' ? EXIT.failed : status === 'TIMED_OUT' ? EXIT.timedOut : EXIT.aborted;
      }
      if (now >= deadline) {
        output.err(`still ${status} after the ${inv.timeoutMinutes}-minute wait bound; the execution goes on: ${executionArn}`);
        return EXIT.stillRunning;
      }
      await deps.sleep(Math.min(inv.pollSeconds * 1000, deadline - now));
    }
  }

  /** Prints why the run ends at its overall deadline, aborts the call in flight, and returns the code. */
  deadlineReached(overallMs: number): number {
    this.over = true;
    this.abort.abort(new Error(`overall deadline of ${overallMs} ms reached`));
    const { err } = this.deps.output;
    const bound = overallMs % 60_000 === 0 ? `${overallMs / 60_000}-minute` : `${overallMs / 1000}-second`;
    if (this.executionArn === undefined) {
      err(`dr: no answer from Step Functions within the ${bound} deadline: the execution may have started; look for it with aws stepfunctions list-executions --state-machine-arn ${this.inv.stateMachineArn}`);
    } else {
      err(`dr: no answer from Step Functions within the ${bound} deadline${this.lastStatus === undefined ? '' : ` (last seen ${this.lastStatus})`}; the execution goes on: ${this.executionArn}`);
    }
    return EXIT.unknown;
  }

  /** One SDK call, aborted after `callMs` or at the overall deadline, whichever comes first. */
  private async call<T>(name: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.limits.callMs)]);
    try {
      return await send(signal);
    } catch (error) {
      if (signal.aborted && !this.abort.signal.aborted) {
        throw Object.assign(new Error(`${name} did not answer within ${this.limits.callMs} ms (${this.limits.maxAttempts} attempts)`), { name: 'TimeoutError', cause: error });
      }
      throw error;
    }
  }

  /** The CLI's output until the deadline has spoken; silent afterwards. */
  private output(): Output {
    return {
      out: (line) => {
        if (!this.over) this.deps.output.out(line);
      },
      err: (line) => {
        if (!this.over) this.deps.output.err(line);
      },
    };
  }
}

if (import.meta.main) {
  const code = await run(process.argv.slice(2), {
    now: () => performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    output: { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
    env: process.env,
  });
  process.exitCode = code;
  // Whatever a cancelled request may have left open, the CLI ends (unref: never delays a clean exit).
  setTimeout(() => process.exit(code), 1_000).unref();
}
