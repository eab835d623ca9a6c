/**
 * Runs shipped bundles in child processes (test/support/bundle-host.ts): each with the
 * environment its template gives it (intrinsics resolved by test/support/intrinsics.ts) plus
 * what the test adds, e.g. `AWS_ENDPOINT_URL_*` pointing at a local wire fake.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { substitute } from './asl.ts';
import { bundledFunctions, ROOT, stateMachines, templates, type BundledFunction } from './assembly.ts';
import { IntrinsicResolver } from './intrinsics.ts';

const HOST = join(ROOT, 'test', 'support', 'bundle-host.ts');

/** A function's template environment with every intrinsic resolved to a concrete string. */
export function resolvedEnvironment(fn: BundledFunction, dir?: string): Record<string, string> {
  const resolver = new IntrinsicResolver(templates(dir));
  return Object.fromEntries(Object.entries(fn.environment).map(([key, value]) => [key, resolver.string(value, fn.stackName)]));
}

/** The bundled function of a handler (exactly one). */
export function bundleOf(handler: string, dir?: string): BundledFunction {
  const found = bundledFunctions(dir).filter((f) => f.handler === handler);
  if (found.length !== 1) throw new Error(`expected one bundled ${handler} function, found ${found.length}`);
  return found[0] as BundledFunction;
}

/**
 * What the Lambda runtime sets besides the function's own variables
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * with dummy credentials.
 */
export function runtimeEnvironment(fn: BundledFunction, region: string): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    AWS_SESSION_TOKEN: 'local-test-token',
    LAMBDA_TASK_ROOT: fn.assetDir,
    TZ: ':UTC',
    PATH: process.env['PATH'] ?? '',
  };
}

/** A failed invocation, as Lambda reports it. */
export class InvocationError extends Error {
  override readonly name: string;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A bundle loaded in a child process. */
export interface HostedBundle {
  readonly fn: BundledFunction;
  /** Invokes the handler; rejects with an {@link InvocationError} carrying the thrown error's name. */
  invoke(event: unknown): Promise<unknown>;
  /** What the process wrote (Powertools logs go to stdout). */
  output(): string;
  stop(): Promise<void>;
}

/** The outcome of loading a bundle: ready, or the error its module scope threw. */
export type LoadResult = { readonly ok: true; readonly bundle: HostedBundle } | { readonly ok: false; readonly error: { name: string; message: string }; readonly output: string };

/** Starts a bundle with exactly `env` as its environment (nothing inherited but what is passed). */
export function loadBundle(fn: BundledFunction, env: Record<string, string>): Promise<LoadResult> {
  const child: ChildProcess = fork(HOST, [fn.bundle, fn.logicalId], { env, execPath: process.execPath, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const bundle: HostedBundle = {
    fn,
    invoke(event) {
      next += 1;
      const id = next;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, event });
      });
    },
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
  return new Promise((resolve) => {
    child.on('message', (message: { type?: string; id?: number; result?: unknown; error?: { name: string; message: string } }) => {
      if (message.type === 'ready') resolve({ ok: true, bundle });
      else if (message.type === 'load-error') resolve({ ok: false, error: message.error ?? { name: 'unknown', message: '' }, output });
      else if (message.id !== undefined) {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) waiter?.reject(new InvocationError(message.error.name, message.error.message));
        else waiter?.resolve(message.result);
      }
    });
    child.on('exit', (code, signal) => {
      for (const waiter of pending.values()) waiter.reject(new Error(`${fn.handler} process exited (${code ?? signal}) during an invocation:\n${output}`));
      pending.clear();
      resolve({ ok: false, error: { name: 'ProcessExit', message: `exited ${code ?? signal} before loading:\n${output}` }, output });
    });
  });
}

/** A deployed state machine: its definition after the template's substitutions, and the bundle behind each Lambda ARN in it. */
export interface ResolvedStateMachine {
  readonly name: string;
  readonly definition: Record<string, unknown>;
  readonly substitutions: Record<string, string>;
  /** Bundled functions by their resolved ARN. */
  readonly functionsByArn: ReadonlyMap<string, BundledFunction>;
}

/** Every state machine of the assembly, resolved. */
export function resolvedStateMachines(dir?: string): ResolvedStateMachine[] {
  const resolver = new IntrinsicResolver(templates(dir));
  const functions = bundledFunctions(dir);
  const functionsByArn = new Map(functions.map((f) => [resolver.string({ 'Fn::GetAtt': [f.logicalId, 'Arn'] }, f.stackName), f]));
  return stateMachines(dir).map((machine) => {
    const substitutions = Object.fromEntries(Object.entries(machine.substitutions).map(([k, v]) => [k, resolver.string(v, machine.stackName)]));
    return { name: machine.name, definition: substitute(machine.definitionText, substitutions), substitutions, functionsByArn };
  });
}

/**
 * Loads the bundles of `handlers` (each with its template environment, the runtime's variables,
 * Powertools tracing off, and `overrides[handler]`); throws naming the first that fails to load.
 */
export async function hostBundles(handlers: Readonly<Record<string, Record<string, string>>>, region = 'eu-west-1'): Promise<Map<string, HostedBundle>> {
  const hosted = new Map<string, HostedBundle>();
  const results = await Promise.all(
    Object.entries(handlers).map(async ([handler, overrides]) => {
      const fn = bundleOf(handler);
      return [handler, await loadBundle(fn, { ...runtimeEnvironment(fn, region), ...resolvedEnvironment(fn), POWERTOOLS_TRACE_ENABLED: 'false', ...overrides })] as const;
    }),
  );
  for (const [handler, loaded] of results) if (loaded.ok) hosted.set(handler, loaded.bundle);
  const failed = results.find(([, loaded]) => !loaded.ok);
  if (failed && !failed[1].ok) {
    await Promise.all([...hosted.values()].map((b) => b.stop()));
    throw new Error(`${failed[0]} did not load: ${failed[1].error.name}: ${failed[1].error.message}`);
  }
  return hosted;
}

/** The hosted bundles bound to the Lambda ARNs of a deployed definition, for test/support/asl.ts. */
export function boundFunctions(machine: ResolvedStateMachine, hosted: ReadonlyMap<string, HostedBundle>): Record<string, (payload: unknown) => Promise<unknown>> {
  return Object.fromEntries(
    [...machine.functionsByArn.entries()].flatMap(([arn, fn]) => {
      const bundle = hosted.get(fn.handler);
      return bundle ? [[arn, (payload: unknown) => bundle.invoke(payload)] as const] : [];
    }),
  );
}
