/**
 * Operator CLI: starts the deployed DR state machines with validated input and waits, bounded, for
 * the result. Run as `node cli/dr.ts <command> [options]` (docs/operations.md).
 *
 * 1. Parse and validate the arguments; any problem is bad usage (exit 2) and nothing is started.
 * 2. Build the state machine ARN (`<db>-<workflow>` in `--region` / `--account`), or take `--state-machine-arn`.
 * 3. StartExecution with the command's input, as the console would send it.
 * 4. Unless `--no-wait`: poll DescribeExecution until a terminal status or the wait bound, printing
 *    one progress line per poll; print the output, or the error and cause.
 *
 * Exit codes: 0 SUCCEEDED (or started, with `--no-wait`); 1 FAILED, TIMED_OUT, ABORTED, or an AWS error;
 * 2 bad usage; 3 still running when the wait bound ran out (the execution goes on; its ARN is printed).
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/** Exit codes of {@link run}. */
export const EXIT = { succeeded: 0, failed: 1, usage: 2, stillRunning: 3 } as const;

/** Where the CLI writes: progress and results to `out`, problems to `err`; one line per call. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** What {@link run} needs from the outside world; tests replace all of it. */
export interface Deps {
  /** The Step Functions client; default: one created for the resolved region. */
  readonly client?: SFNClient;
  /** Milliseconds on a clock that only moves forward (elapsed time and the wait bound). */
  readonly now: () => number;
  /** Waits between polls. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly output: Output;
  /** Environment: `AWS_ACCOUNT_ID`, `AWS_REGION`, `AWS_DEFAULT_REGION`. */
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
/** RDS identifier rules, as functions/domain/restore-test.ts applies them. */
const IDENTIFIER = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,62}$/;
/** Snapshot ids the restore λ accepts (functions/handlers/restore.ts). */
const SNAPSHOT_ID = /^[a-z][a-z0-9-]{0,254}$/;
/** A full ISO-8601 date-time with a zone: a time without one would be read in the operator's local zone. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const ACCOUNT = /^\d{12}$/;
const SM_ARN = /^arn:aws[a-z-]*:states:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:stateMachine:([A-Za-z0-9_-]{1,80})$/;
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
const MAX_TIMEOUT_MINUTES = 1440;

/** The usage text, printed by `help` and after bad usage. */
export const USAGE = [
  'usage: node cli/dr.ts <command> [options]',
  '  backup   [--tier daily|weekly|monthly|yearly]',
  '  verify   [--snapshot <id>]',
  '  pitr     --time <ISO time with zone|latest> --name <db>-...',
  '  failover --mode az|region|observe --reason "<text>" [--dry-run] [--force]',
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
 * Parses and validates the arguments after `node cli/dr.ts`. Collects every problem rather than
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
 * @param argv the arguments after `node cli/dr.ts`
 */
export async function run(argv: readonly string[], deps: Deps): Promise<number> {
  const { output } = deps;
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
  const client = deps.client ?? new SFNClient({ region: inv.region });
  const started = deps.now();
  try {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: inv.stateMachineArn, input: JSON.stringify(inv.input) }));
    if (executionArn === undefined) throw new Error('StartExecution returned no executionArn');
    output.out(`started ${executionArn}`);
    output.out(`input ${JSON.stringify(inv.input)}`);
    if (!inv.wait) return EXIT.succeeded;

    const deadline = started + inv.timeoutMinutes * 60_000;
    for (;;) {
      const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
      const status = execution.status ?? 'UNKNOWN';
      const now = deps.now();
      output.out(`${elapsed(now - started)} ${status}`);
      if (status === 'SUCCEEDED') {
        output.out(show(execution.output ?? 'null'));
        return EXIT.succeeded;
      }
      if (TERMINAL.has(status)) {
        output.err(`error: ${execution.error ?? '(none)'}`);
        output.err(`cause: ${show(execution.cause ?? '(none)')}`);
        return EXIT.failed;
      }
      if (now >= deadline) {
        output.err(`still ${status} after the ${inv.timeoutMinutes}-minute wait bound; the execution goes on: ${executionArn}`);
        return EXIT.stillRunning;
      }
      await deps.sleep(Math.min(inv.pollSeconds * 1000, deadline - now));
    }
  } catch (error) {
    const e = error as Error;
    output.err(`dr: ${e.name}: ${e.message}`);
    return EXIT.failed;
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
}
