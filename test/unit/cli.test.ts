import { DescribeExecutionCommand, SFNClient, SFNServiceException, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT, run, USAGE } from '../../cli/dr.ts';
import { readDoc } from '../support/docs.ts';
import type { Deps, Limits } from '../../cli/dr.ts';

const ACCOUNT = '123456789012';
const SM = (name: string): string => `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:${name}`;
const COMMON = ['--region', 'eu-west-1', '--account', ACCOUNT];

interface Ending {
  /** Milliseconds after the start at which the execution leaves RUNNING. */
  readonly afterMs: number;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/**
 * A small stateful Step Functions: StartExecution names an execution and remembers its input;
 * DescribeExecution says RUNNING until the fake clock passes the execution's end, then its ending.
 * The clock moves only when the CLI sleeps.
 */
function harness(ending: Ending) {
  const client = new SFNClient({ region: 'eu-west-1' });
  const sfn = mockClient(client);
  const clock = { ms: 1_000_000 };
  const sleeps: number[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const started: { stateMachineArn: string; input: unknown; at: number }[] = [];
  sfn.on(StartExecutionCommand).callsFake((req: { stateMachineArn: string; input: string }) => {
    started.push({ stateMachineArn: req.stateMachineArn, input: JSON.parse(req.input), at: clock.ms });
    const name = req.stateMachineArn.split(':').at(-1);
    return { executionArn: `arn:aws:states:eu-west-1:${ACCOUNT}:execution:${name}:run-${started.length}`, startDate: new Date(clock.ms) };
  });
  sfn.on(DescribeExecutionCommand).callsFake((): Partial<DescribeExecutionCommandOutput> => {
    const first = started[0];
    if (first === undefined) throw new Error('DescribeExecution before StartExecution');
    if (clock.ms - first.at < ending.afterMs) return { status: 'RUNNING' };
    return { status: ending.status, output: ending.output, error: ending.error, cause: ending.cause };
  });
  const deps: Deps = {
    client,
    now: () => clock.ms,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.ms += ms;
    },
    output: { out: (line) => out.push(line), err: (line) => err.push(line) },
    env: {},
  };
  return { sfn, deps, sleeps, out, err, started };
}

const SUCCEEDS = { afterMs: 60_000, status: 'SUCCEEDED', output: '{"snapshotId":"swifteats-monthly-202611291402"}' } as const;

describe('cli: the input each command sends', () => {
  it.each([
    ['backup', [], 'swifteats-backup', {}],
    ['backup --tier monthly', ['--tier', 'monthly'], 'swifteats-backup', { tier: 'monthly' }],
    ['verify', [], 'swifteats-verify', {}],
    ['verify --snapshot', ['--snapshot', 'swifteats-daily-202611280200'], 'swifteats-verify', { snapshotId: 'swifteats-daily-202611280200' }],
    [
      'pitr at a time',
      ['--time', '2026-11-29T14:02:00Z', '--name', 'swifteats-pitr-incident-4711'],
      'swifteats-pitr-restore',
      { targetTime: '2026-11-29T14:02:00Z', name: 'swifteats-pitr-incident-4711' },
    ],
    ['pitr latest', ['--time=latest', '--name=swifteats-pitr-1'], 'swifteats-pitr-restore', { targetTime: 'latest', name: 'swifteats-pitr-1' }],
    ['pitr with an offset zone', ['--time', '2026-11-29T15:02:00.5+01:00', '--name', 'swifteats-pitr-2'], 'swifteats-pitr-restore', { targetTime: '2026-11-29T15:02:00.5+01:00', name: 'swifteats-pitr-2' }],
    [
      'failover az',
      ['--mode', 'az', '--reason', 'writer hung in eu-west-1a, INC-4711'],
      'swifteats-failover',
      { mode: 'az', reason: 'writer hung in eu-west-1a, INC-4711', dryRun: false, force: false },
    ],
    [
      'failover region dry run forced',
      ['--mode', 'region', '--reason', 'drill', '--dry-run', '--force'],
      'swifteats-failover',
      { mode: 'region', reason: 'drill', dryRun: true, force: true },
    ],
  ])('%s', async (label, options, machine, input) => {
    // Prepare
    const h = harness(SUCCEEDS);
    const command = label.split(' ')[0] as string;
    // Act
    const code = await run([command, ...options, ...COMMON], h.deps);
    // Assess
    expect(code).toBe(0);
    expect(h.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: SM(machine), input: JSON.stringify(input) },
    ]);
  });

  it('names the machine after --db, takes the account from AWS_ACCOUNT_ID and the region from AWS_REGION', async () => {
    // Prepare
    const h = harness(SUCCEEDS);
    const deps = { ...h.deps, env: { AWS_ACCOUNT_ID: '210987654321', AWS_REGION: 'eu-central-1' } };
    // Act
    const code = await run(['backup', '--db', 'orders', '--no-wait'], deps);
    // Assess
    expect(code).toBe(0);
    expect(h.started.map((s) => s.stateMachineArn)).toEqual(['arn:aws:states:eu-central-1:210987654321:stateMachine:orders-backup']);
  });

  it('starts the machine given by --state-machine-arn', async () => {
    // Prepare
    const h = harness(SUCCEEDS);
    const arn = 'arn:aws:states:eu-central-1:210987654321:stateMachine:swifteats-verify';
    // Act
    const code = await run(['verify', '--state-machine-arn', arn, '--no-wait'], h.deps);
    // Assess
    expect(code).toBe(0);
    expect(h.started).toEqual([{ stateMachineArn: arn, input: {}, at: 1_000_000 }]);
  });
});

describe('cli: waiting for the result', () => {
  it('prints the execution, one progress line per poll, then the output; exit 0', async () => {
    // Prepare
    const h = harness(SUCCEEDS);
    // Act
    const code = await run(['backup', '--tier', 'monthly', ...COMMON], h.deps);
    // Assess
    expect(code).toBe(0);
    expect(h.out).toEqual([
      `started arn:aws:states:eu-west-1:${ACCOUNT}:execution:swifteats-backup:run-1`,
      'input {"tier":"monthly"}',
      '[0:00:00] RUNNING',
      '[0:00:30] RUNNING',
      '[0:01:00] SUCCEEDED',
      '{\n  "snapshotId": "swifteats-monthly-202611291402"\n}',
    ]);
    expect(h.err).toEqual([]);
    expect(h.sleeps).toEqual([30_000, 30_000]);
    expect(h.sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input)).toEqual(
      Array(3).fill({ executionArn: `arn:aws:states:eu-west-1:${ACCOUNT}:execution:swifteats-backup:run-1` }),
    );
  });

  it.each([
    ['FAILED', 1],
    ['TIMED_OUT', 4],
    ['ABORTED', 5],
  ] as const)('%s: prints the error and the cause; exit %i', async (status, exit) => {
    // Prepare
    const h = harness({ afterMs: 10_000, status, error: 'FailoverLockedError', cause: '{"errorMessage":"held by run-0"}' });
    // Act
    const code = await run(['failover', '--mode', 'az', '--reason', 'INC-1', ...COMMON], h.deps);
    // Assess
    expect(code).toBe(exit);
    expect(h.out.slice(2)).toEqual(['[0:00:00] RUNNING', '[0:00:05] RUNNING', `[0:00:10] ${status}`]);
    expect(h.err).toEqual(['error: FailoverLockedError', 'cause: {\n  "errorMessage": "held by run-0"\n}']);
  });

  it('stops at the wait bound, says the execution goes on; exit 3', async () => {
    // Prepare: the execution outlives a 1-minute bound; polls every 5 s (failover).
    const h = harness({ afterMs: 3_600_000, status: 'SUCCEEDED', output: '{}' });
    // Act
    const code = await run(['failover', '--mode', 'observe', '--reason', 'RDS-EVENT-0049', '--timeout-minutes', '1', ...COMMON], h.deps);
    // Assess
    expect(code).toBe(3);
    expect(h.sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(13);
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBe(60_000);
    expect(h.out.at(-1)).toBe('[0:01:00] RUNNING');
    expect(h.err).toEqual([`still RUNNING after the 1-minute wait bound; the execution goes on: arn:aws:states:eu-west-1:${ACCOUNT}:execution:swifteats-failover:run-1`]);
  });

  it('the default bound is the state machine timeout: 8 h for pitr', async () => {
    // Prepare
    const h = harness({ afterMs: 9 * 3_600_000, status: 'SUCCEEDED', output: '{}' });
    // Act
    const code = await run(['pitr', '--time', 'latest', '--name', 'swifteats-pitr-1', ...COMMON], h.deps);
    // Assess
    expect(code).toBe(3);
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBe(8 * 3_600_000);
    expect(h.out.at(-1)).toBe('[8:00:00] RUNNING');
  });

  it('--no-wait prints the execution ARN and never polls; exit 0', async () => {
    // Prepare
    const h = harness(SUCCEEDS);
    // Act
    const code = await run(['verify', '--no-wait', ...COMMON], h.deps);
    // Assess
    expect(code).toBe(0);
    expect(h.out).toEqual([`started arn:aws:states:eu-west-1:${ACCOUNT}:execution:swifteats-verify:run-1`, 'input {}']);
    expect(h.sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    expect(h.sleeps).toEqual([]);
  });

  it('an AWS error on start is printed by name, nothing started; exit 6', async () => {
    // Prepare
    const h = harness(SUCCEEDS);
    h.sfn.on(StartExecutionCommand).rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
    // Act
    const code = await run(['backup', ...COMMON], h.deps);
    // Assess
    expect(code).toBe(6);
    expect(h.err).toEqual(['dr: StateMachineDoesNotExist: State Machine Does Not Exist', 'dr: nothing was started']);
  });

  it('an AWS error while polling: the execution goes on, its ARN printed; exit 7', async () => {
    // Prepare
    const h = harness(SUCCEEDS);
    h.sfn.on(DescribeExecutionCommand).rejects(new SFNServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized to perform states:DescribeExecution', $metadata: {} }));
    // Act
    const code = await run(['backup', ...COMMON], h.deps);
    // Assess
    expect(code).toBe(7);
    expect(h.err).toEqual([
      'dr: AccessDeniedException: not authorized to perform states:DescribeExecution',
      `dr: lost track of the execution; it goes on: arn:aws:states:eu-west-1:${ACCOUNT}:execution:swifteats-backup:run-1`,
    ]);
  });
});

describe('cli: bad usage starts nothing; exit 2', () => {
  it.each([
    ['no command', [], ['a command is required: backup, verify, pitr, failover']],
    ['unknown command', ['restore', ...COMMON], ['unknown command "restore"; allowed: backup, verify, pitr, failover']],
    ['bad tier', ['backup', '--tier', 'hourly', ...COMMON], ['--tier: "hourly" is not one of daily, weekly, monthly, yearly']],
    [
      'option of another command',
      ['backup', '--mode', 'az', ...COMMON],
      ['--mode: unknown option for backup; allowed: --tier, --db, --region, --account, --state-machine-arn, --no-wait, --timeout-minutes'],
    ],
    ['bad snapshot id', ['verify', '--snapshot', 'Swift_1', ...COMMON], ['--snapshot: "Swift_1" is not a snapshot id (lower-case letters, digits, hyphens, starting with a letter)']],
    [
      'time without a zone, name of production',
      ['pitr', '--time', '2026-11-29T14:02:00', '--name', 'swifteats', ...COMMON],
      ['--time: "2026-11-29T14:02:00" is not latest or an ISO-8601 time with a zone (2026-11-29T14:02:00Z)', '--name: must start with "swifteats-" (a restore never replaces swifteats)'],
    ],
    [
      'pitr without its inputs',
      ['pitr', ...COMMON],
      ['--time: required, an ISO-8601 time with a zone (2026-11-29T14:02:00Z) or latest', '--name: required, a new DB identifier starting with "swifteats-"'],
    ],
    [
      'failover: misspelt mode, blank reason',
      ['failover', '--mode', 'AZ', '--reason', '  ', ...COMMON],
      ['--mode: "AZ" is not one of az, region, observe', '--reason: required, free text kept in the audit record and the notification'],
    ],
    ['failover: observe forced', ['failover', '--mode', 'observe', '--reason', 'x', '--force', ...COMMON], ['--force: only for modes az and region; observe never acts']],
    [
      'failover: observe forced without a reason',
      ['failover', '--mode', 'observe', '--force', ...COMMON],
      ['--reason: required, free text kept in the audit record and the notification', '--force: only for modes az and region; observe never acts'],
    ],
    ['failover: flag with a value', ['failover', '--mode', 'az', '--reason', 'x', '--dry-run=false', ...COMMON], ['--dry-run: a flag, takes no value']],
    ['option without a value', ['backup', '--tier', ...COMMON.slice(0, 2), '--account'], ['--tier: needs a value', '--account: needs a value', '--account: required (or AWS_ACCOUNT_ID, or --state-machine-arn), the 12-digit account id']],
    ['repeated option', ['backup', '--tier', 'daily', '--tier', 'weekly', ...COMMON], ['--tier: given more than once']],
    [
      'no region, bad account',
      ['backup', '--account', '1234'],
      ['--region: required (or AWS_REGION), the region of the state machine, e.g. eu-west-1', '--account: "1234" is not a 12-digit account id'],
    ],
    ['bad wait bound', ['backup', '--timeout-minutes', '0', ...COMMON], ['--timeout-minutes: "0" is not a whole number of minutes from 1 to 1440']],
    [
      'ARN of another workflow',
      ['failover', '--mode', 'az', '--reason', 'x', '--state-machine-arn', SM('swifteats-backup')],
      ['--state-machine-arn: "swifteats-backup" is not a failover state machine (<db>-failover)'],
    ],
    ['bad --db', ['backup', '--db', 'Swift--Eats', ...COMMON], ['--db: "Swift--Eats" is not a DB identifier (lower-case letters, digits, single hyphens, starting with a letter)']],
  ])('%s', async (_label, argv, problems) => {
    // Prepare
    const h = harness(SUCCEEDS);
    // Act
    const code = await run(argv, h.deps);
    // Assess
    expect(code).toBe(2);
    expect(h.err).toEqual([...problems.map((p) => `dr: ${p}`), USAGE]);
    expect(h.out).toEqual([]);
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

/**
 * A local endpoint that accepts TCP connections and never answers (a black-holed load balancer,
 * a proxy that stalls), unless `answer` replies to a request's X-Amz-Target. Counts connections
 * and notices when the client closes them.
 */
async function silentEndpoint(answer: (target: string) => string | null = () => null) {
  const sockets: Socket[] = [];
  let closed = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('close', () => closed++);
    socket.on('error', () => {});
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      const target = /x-amz-target:\s*(\S+)/i.exec(buffer)?.[1];
      if (target === undefined || !buffer.includes('\r\n\r\n')) return;
      const body = answer(target);
      buffer = '';
      if (body !== null) socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => sockets.length,
    closed: () => closed,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('cli: an endpoint that accepts the connection and never answers', () => {
  let endpoint: Awaited<ReturnType<typeof silentEndpoint>>;
  const out: string[] = [];
  const err: string[] = [];
  /** The real client (sfnClient, from the CLI's environment) against the silent endpoint, real clock. */
  const deps = (limits: Limits): Deps => {
    // The SDK reads AWS_ENDPOINT_URL_SFN from process.env too: a CLI that ignored `env` would still land here.
    vi.stubEnv('AWS_ENDPOINT_URL_SFN', endpoint.url);
    return {
    limits,
    now: () => performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    output: { out: (line) => out.push(line), err: (line) => err.push(line) },
    env: { AWS_ENDPOINT_URL_SFN: endpoint.url },
    };
  };
  beforeEach(() => {
    out.length = 0;
    err.length = 0;
    // Static credentials: the default chain must not go looking for an instance role.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await endpoint.close();
  });

  it('each attempt times out, the attempts are bounded: exit 7, and says the execution may have started', async () => {
    // Prepare
    endpoint = await silentEndpoint();
    const started = performance.now();
    // Act
    const code = await run(['failover', '--mode', 'observe', '--reason', 'x', '--timeout-minutes', '1', ...COMMON], deps({ connectMs: 1_000, requestMs: 300, maxAttempts: 2, callMs: 20_000, graceMs: 20_000 }));
    // Assess
    const tookMs = performance.now() - started;
    expect(code).toBe(7);
    expect(out).toEqual([]);
    expect(err).toEqual([
      'dr: TimeoutError: @smithy/node-http-handler - [ERROR] a request has exceeded the configured 300 ms requestTimeout.',
      `dr: no answer from Step Functions: the execution may have started; look for it with aws stepfunctions list-executions --state-machine-arn ${SM('swifteats-failover')}`,
    ]);
    expect(endpoint.connections()).toBe(2);
    expect(tookMs).toBeGreaterThanOrEqual(600);
    expect(tookMs).toBeLessThan(10_000);
  }, 30_000);

  it('a call that outlasts its abort bound ends with the call: exit 7', async () => {
    endpoint = await silentEndpoint();
    const started = performance.now();
    const code = await run(['backup', '--no-wait', ...COMMON], deps({ connectMs: 1_000, requestMs: 60_000, maxAttempts: 3, callMs: 500, graceMs: 20_000 }));
    expect(code).toBe(7);
    expect(err[0]).toBe('dr: TimeoutError: StartExecution did not answer within 500 ms (3 attempts)');
    expect(performance.now() - started).toBeLessThan(10_000);
    // The aborted request's connection is closed, not left hanging.
    await vi.waitFor(() => expect(endpoint.closed()).toBe(1), { timeout: 5_000, interval: 20 });
  }, 30_000);

  it('the overall deadline ends the run whatever the call limits: exit 7 and one message', async () => {
    endpoint = await silentEndpoint();
    const started = performance.now();
    const code = await run(['backup', '--no-wait', ...COMMON], deps({ connectMs: 60_000, requestMs: 60_000, maxAttempts: 3, callMs: 60_000, graceMs: 400 }));
    expect(code).toBe(7);
    expect(err).toEqual([`dr: no answer from Step Functions within the 0.4-second deadline: the execution may have started; look for it with aws stepfunctions list-executions --state-machine-arn ${SM('swifteats-backup')}`]);
    expect(performance.now() - started).toBeLessThan(10_000);
    await vi.waitFor(() => expect(endpoint.closed()).toBe(1), { timeout: 5_000, interval: 20 });
  }, 30_000);

  it('started, then the polls never answer: exit 7 with the execution ARN', async () => {
    // Prepare: StartExecution answers; DescribeExecution never does.
    const arn = `arn:aws:states:eu-west-1:${ACCOUNT}:execution:swifteats-verify:run-1`;
    endpoint = await silentEndpoint((target) => (target === 'AWSStepFunctions.StartExecution' ? JSON.stringify({ executionArn: arn, startDate: 1_796_000_000 }) : null));
    // Act
    const code = await run(['verify', ...COMMON], deps({ connectMs: 1_000, requestMs: 200, maxAttempts: 2, callMs: 20_000, graceMs: 20_000 }));
    // Assess
    expect(code).toBe(7);
    expect(out).toEqual([`started ${arn}`, 'input {}']);
    expect(err).toEqual(['dr: TimeoutError: @smithy/node-http-handler - [ERROR] a request has exceeded the configured 200 ms requestTimeout.', `dr: lost track of the execution; it goes on: ${arn}`]);
  }, 30_000);
});

describe('cli: docs/operations.md', () => {
  /** The rows of the "CLI exit codes" table: code → outcome text. */
  function documentedExitCodes(): Map<number, string> {
    const text = readDoc('docs/operations.md');
    const start = text.indexOf('### CLI exit codes');
    expect(start).toBeGreaterThan(-1);
    const rows = text
      .slice(start)
      .split('\n')
      .filter((line) => /^\| \d+ \|/.test(line));
    return new Map(rows.map((row) => [Number(row.split('|')[1]), (row.split('|')[2] as string).trim()]));
  }

  it('documents every exit code, each with its own outcome, and no other', () => {
    const table = documentedExitCodes();
    const words: Record<keyof typeof EXIT, string> = {
      succeeded: 'the execution SUCCEEDED',
      failed: 'the execution FAILED',
      usage: 'bad usage',
      stillRunning: 'still RUNNING',
      timedOut: 'the execution TIMED_OUT',
      aborted: 'the execution was ABORTED',
      notStarted: 'not started',
      unknown: 'unknown',
    };
    expect([...table.keys()].sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
    for (const [name, code] of Object.entries(EXIT) as [keyof typeof EXIT, number][]) {
      expect({ code, outcome: table.get(code)?.startsWith(words[name]) }).toEqual({ code, outcome: true });
    }
  });

  it('the usage line names npm run dr --, the way the docs run it', () => {
    expect(USAGE.split('\n')[0]).toBe('usage: npm run dr -- <command> [options]');
    expect(readDoc('docs/operations.md')).toContain(USAGE.split('\n')[0]);
  });
});
