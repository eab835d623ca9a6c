/**
 * Hosts one shipped bundle in its own Node process, as the Lambda runtime would: imports
 * `index.mjs` (its module scope runs here, with this process's environment), reports `ready`
 * or `load-error`, then invokes `handler(event, context)` for each `{ id, event }` message and
 * answers `{ id, result }` or `{ id, error: { name, message } }` (Lambda reports a thrown error's
 * `name` as its errorType, which Step Functions matches `ErrorEquals` against).
 *
 * Run with `node test/support/bundle-host.ts <bundle> <functionName>` over an IPC channel
 * (test/support/bundles.ts).
 */
import { randomUUID } from 'node:crypto';
import dns from 'node:dns';
import { pathToFileURL } from 'node:url';

const [bundle, functionName = 'function'] = process.argv.slice(2);

// `BUNDLE_HOST_RESOLVE` (JSON `{ "<host suffix>": "<ip>" }`) plays /etc/hosts for this process, e.g.
// the endpoints the RDS fake hands out (`*.rds.amazonaws.com`) pointing at the test server.
const resolve = JSON.parse(process.env['BUNDLE_HOST_RESOLVE'] ?? '{}') as Record<string, string>;
if (Object.keys(resolve).length > 0) {
  const lookup = dns.lookup;
  const patched = (host: string, options: unknown, callback?: unknown): void => {
    const [opts, cb] = (typeof options === 'function' ? [{}, options] : [options ?? {}, callback]) as [{ all?: boolean }, (...args: unknown[]) => void];
    const ip = Object.entries(resolve).find(([suffix]) => host === suffix || host.endsWith(suffix))?.[1];
    if (ip === undefined) return void (lookup as (...args: unknown[]) => void)(host, opts, cb);
    const family = ip.includes(':') ? 6 : 4;
    process.nextTick(() => (opts.all ? cb(null, [{ address: ip, family }]) : cb(null, ip, family)));
  };
  (dns as { lookup: unknown }).lookup = patched;
}
const send = (message: unknown): void => {
  process.send?.(message);
};
const describe = (error: unknown): { name: string; message: string } =>
  error instanceof Error ? { name: error.name, message: error.message } : { name: typeof error, message: String(error) };

let handler: (event: unknown, context: unknown) => Promise<unknown>;
try {
  const module = (await import(pathToFileURL(bundle ?? '').href)) as { handler?: typeof handler };
  if (typeof module.handler !== 'function') throw new TypeError(`${bundle} exports no handler function`);
  handler = module.handler;
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'load-error', error: describe(error) });
  process.disconnect?.();
  process.exitCode = 1;
}

process.on('message', (message: { id: number; event: unknown; timeoutMs?: number }) => {
  const started = Date.now();
  const timeoutMs = message.timeoutMs ?? 300_000;
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env['AWS_REGION'] ?? 'eu-west-1'}:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  handler(message.event, context).then(
    (result) => send({ id: message.id, result: result ?? null }),
    (error: unknown) => send({ id: message.id, error: describe(error) }),
  );
});
