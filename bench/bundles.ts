/**
 * Section "bundles" of `npm run bench` (bench/run.ts), or alone with `node bench/bundles.ts`.
 *
 * Every Lambda handler (a file functions/handlers/<name>.ts, or a folder functions/handlers/<name>/
 * whose index.ts is the entry) bundled as infra/constructs/dr-function.ts ships it: esbuild, minified
 * ESM for node24, the AWS SDK bundled, `pg-native` external, the `createRequire` banner, a linked
 * source map. Printed per handler: the bundle's size and its cold import time (a fresh Node process
 * importing it with `--enable-source-maps`, as the functions' NODE_OPTIONS set it; median of
 * `BENCH_COLD_RUNS`, default 5), against:
 *
 * 1. a minimal middy + client-rds handler bundled the same way;
 * 2. the handlers at the git ref `BENCH_BASE_REF` (default 9da6797, the last commit before issue 12
 *    reshaped the code). That ref's functions/ tree is extracted with `git archive` into a git-ignored
 *    folder `.bench-base-*` under the repository root (so the project's node_modules resolve), bundled
 *    the same way in the same run (with today's node_modules), and removed afterwards. Handlers are
 *    matched by name (a file at one ref may be a folder at the other). The cold imports of a handler
 *    now and at the base alternate, so machine load hits both alike; printed are the ratio of the
 *    medians and the paired ratio (the median of each round's now/base ratio, steadier under load).
 *    For each handler that grew, the inputs whose bytes in the bundle changed most (esbuild metafile;
 *    a package's files summed, moved files followed through `git diff -M`) say why. The comparison
 *    covers everything merged since the ref, features as well as reshaping.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { HANDLER_ENV } from '../test/support/handler-env.ts';

const root = resolve(import.meta.dirname, '..');

/** The last commit before issue 12 ("One shape for the whole house") began reshaping the code. */
export const DEFAULT_BASE_REF = '9da6797';

/** A Lambda handler's entry: `name` is what infra/constructs/dr-function.ts calls it (`handler` prop). */
export interface HandlerEntry {
  readonly name: string;
  /** `<name>.ts` for a file, `<name>/` for a folder. */
  readonly label: string;
  readonly entry: string;
}

/** The handlers under a functions/handlers folder, by name (infra/constructs/dr-function.ts handlerEntry). */
export function listHandlers(handlersDir: string): HandlerEntry[] {
  return readdirSync(handlersDir, { withFileTypes: true })
    .flatMap((d): HandlerEntry[] => {
      if (d.isFile() && d.name.endsWith('.ts')) return [{ label: d.name, name: d.name.replace(/\.ts$/, ''), entry: join(handlersDir, d.name) }];
      const index = join(handlersDir, d.name, 'index.ts');
      return d.isDirectory() && existsSync(index) ? [{ label: `${d.name}/`, name: d.name, entry: index }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A handler now and at the base ref, matched by name; one side is missing when the handler is new or gone. */
export interface HandlerPair {
  readonly name: string;
  readonly now?: HandlerEntry;
  readonly base?: HandlerEntry;
}

/** Pairs handlers by name: every handler of `now` in its order, then those only at the base. */
export function pairHandlers(now: readonly HandlerEntry[], base: readonly HandlerEntry[]): HandlerPair[] {
  const byName = new Map(base.map((h) => [h.name, h]));
  const pairs: HandlerPair[] = now.map((h) => {
    const old = byName.get(h.name);
    return old === undefined ? { name: h.name, now: h } : { name: h.name, now: h, base: old };
  });
  const names = new Set(now.map((h) => h.name));
  return [...pairs, ...base.filter((h) => !names.has(h.name)).map((h) => ({ name: h.name, base: h }))];
}

/** How a pair is printed: `failover/ ← failover.ts` when the handler changed shape, `(new)` or `(gone)` when one side is missing. */
export function pairLabel(pair: HandlerPair): string {
  if (pair.now !== undefined && pair.base !== undefined) return pair.now.label === pair.base.label ? pair.now.label : `${pair.now.label} ← ${pair.base.label}`;
  if (pair.now !== undefined) return `${pair.now.label} (new)`;
  return pair.base !== undefined ? `${pair.base.label} (gone)` : pair.name;
}

/**
 * What an input of a bundle is counted as: its package for a file under node_modules (`valibot`,
 * `@middy/core`); for a project file its path, with the `strip` prefix (the base tree's folder)
 * removed and a base path mapped to where `renamed` says it lives now. A handler's own files
 * (functions/handlers/<name>.ts, or all of functions/handlers/<name>/) count as one,
 * `functions/handlers/<name>*`, so a file that became a folder compares with itself.
 */
export function contributionKey(input: string, strip = '', renamed: ReadonlyMap<string, string> = new Map()): string {
  const at = input.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = input.slice(at + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? input);
  }
  const path = strip !== '' && input.startsWith(strip) ? input.slice(strip.length) : input;
  const now = renamed.get(path) ?? path;
  const own = /^functions\/handlers\/([^/]+?)(\.ts$|\/)/.exec(now);
  return own === null ? now : `functions/handlers/${own[1] ?? ''}*`;
}

/** Bytes in the bundle per {@link contributionKey}, from an esbuild metafile output's inputs. */
export function contributions(inputs: Readonly<Record<string, { readonly bytesInOutput: number }>>, strip = '', renamed: ReadonlyMap<string, string> = new Map()): Map<string, number> {
  const sums = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const key = contributionKey(input, strip, renamed);
    sums.set(key, (sums.get(key) ?? 0) + bytesInOutput);
  }
  return sums;
}

/** One input's bytes now and at the base. */
export interface Difference {
  readonly key: string;
  readonly now: number;
  readonly base: number;
}

/** The `count` inputs whose bytes differ most (largest absolute change first; ties by key); equal ones left out. */
export function largestDifferences(now: ReadonlyMap<string, number>, base: ReadonlyMap<string, number>, count: number): Difference[] {
  const keys = [...new Set([...now.keys(), ...base.keys()])];
  return keys
    .map((key) => ({ key, now: now.get(key) ?? 0, base: base.get(key) ?? 0 }))
    .filter((d) => d.now !== d.base)
    .sort((a, b) => Math.abs(b.now - b.base) - Math.abs(a.now - a.base) || a.key.localeCompare(b.key))
    .slice(0, count);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * `runs` samples of `a` and of `b`, taken alternately and each round in turn order
 * (a b, b a, a b, …), so a change of machine load during the run hits both alike.
 */
export function alternatingSamples(runs: number, a: () => number, b: () => number): [number[], number[]] {
  const [as, bs]: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i += 1) {
    if (i % 2 === 0) {
      as.push(a());
      bs.push(b());
    } else {
      bs.push(b());
      as.push(a());
    }
  }
  return [as, bs];
}

/** The median of the per-round ratios a[i] / b[i]: samples taken side by side compared with each other, load drift cancelled. */
export function pairedRatio(as: readonly number[], bs: readonly number[]): number {
  return median(as.map((x, i) => x / (bs[i] ?? Number.NaN)));
}

const BASELINE_HANDLER = `
import middy from '@middy/core';
import { RDSClient, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
const rds = new RDSClient({});
export const handler = middy(async () => (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances?.length ?? 0);
`;

interface Bundle {
  readonly file: string;
  readonly bytes: number;
  /** Bytes in the bundle per input path (relative to the repository root). */
  readonly inputs: Readonly<Record<string, { readonly bytesInOutput: number }>>;
}

/** Bundles `entry` with the options of infra/constructs/dr-function.ts (`bundling`, as NodejsFunction passes them to esbuild). */
async function bundle(entry: string, outfile: string): Promise<Bundle> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    sourcemap: true,
    external: ['pg-native'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('.mjs'))?.[1];
  if (output === undefined) throw new Error(`bundling ${entry}: esbuild reported no .mjs output`);
  return { file: outfile, bytes: statSync(outfile).size, inputs: output.inputs };
}

/** The environment a deployed function gets, so module-load checks pass as in Lambda. */
const COLD_ENV: Readonly<Record<string, string>> = {
  ...HANDLER_ENV,
  RETENTION_POLICY: JSON.stringify({ daily: 7, weekly: 5, monthly: 12, yearly: 3, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: 2, maxVerifiedAgeHours: 72 }),
  // The failover λ's variables (values as the construct sets them).
  DATABASE_REGION: 'eu-west-1',
  REPLICA_ID: 'swifteats-dr',
  LOCK_TABLE: 'swifteats-failover-lock',
  HOSTED_ZONE_ID: 'Z0123456789ABCDEFGHIJ',
  RECORD_NAME: 'writer.swifteats.dr.internal',
  RECORD_TTL_SECONDS: '10',
  CONNECTION_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:swifteats-connection-AbCdEf',
  FENCE_SECURITY_GROUP_ID: 'sg-0123456789abcdef0',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:swifteats-dr-alarms',
  MAX_LAG_SECONDS: '60',
  COOLDOWN_SECONDS: '1800',
  LOCK_LEASE_SECONDS: '3600',
  POWERTOOLS_TRACE_ENABLED: 'false',
};

/** One cold import: a fresh Node process (source maps on, as NODE_OPTIONS sets them in Lambda) importing the bundle, in ms. */
function coldImportOnce(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t);`;
  const run = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...COLD_ENV } });
  const ms = Number(run.stdout.trim().split('\n').pop());
  if (run.status !== 0 || Number.isNaN(ms)) throw new Error(`cold import of ${file} failed: ${run.stderr.trim().split('\n').slice(-6).join('\n').slice(0, 2000)}`);
  return ms;
}

/** The base ref's commit and subject, e.g. `9da6797 Exact mode (issue 11 item 6): …`. */
function describeRef(ref: string): string {
  const log = spawnSync('git', ['log', '-1', '--format=%h %s', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' });
  if (log.status !== 0) throw new Error(`BENCH_BASE_REF=${ref}: not a commit here (${log.stderr.trim()})`);
  const line = log.stdout.trim();
  return line.length > 72 ? `${line.slice(0, 71)}…` : line;
}

/** Files of functions/ that git sees as moved since `ref` (`git diff -M`, the work tree against the ref): old path → new path. */
function renamedSince(ref: string): Map<string, string> {
  const diff = spawnSync('git', ['diff', '-M', '--name-status', '-z', ref, '--', 'functions/'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (diff.status !== 0) throw new Error(`git diff -M ${ref}: ${diff.stderr.trim()}`);
  const fields = diff.stdout.split('\0');
  const renamed = new Map<string, string>();
  for (let i = 0; i < fields.length; ) {
    const status = fields[i] ?? '';
    if (status.startsWith('R') || status.startsWith('C')) {
      renamed.set(fields[i + 1] ?? '', fields[i + 2] ?? '');
      i += 3;
    } else i += status === '' ? 1 : 2;
  }
  return renamed;
}

/**
 * Removes `dir` when the run is interrupted (SIGINT, SIGTERM; the signal is then raised again);
 * the returned function removes it at once and stops listening.
 */
function removedOnInterrupt(dir: string): () => void {
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const interrupted = (signal: NodeJS.Signals): void => {
    remove();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return () => {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    remove();
  };
}

/**
 * Runs fn with `ref`'s functions/ tree in a fresh git-ignored `.bench-base-*` folder under the
 * repository root (so bare imports resolve to its node_modules), removed afterwards, also when fn
 * fails or the run is interrupted.
 */
async function withBaseTree<T>(ref: string, fn: (baseRoot: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(root, '.bench-base-'));
  const release = removedOnInterrupt(dir);
  try {
    const archive = spawnSync('git', ['archive', '--format=tar', ref, 'functions'], { cwd: root, maxBuffer: 1 << 30 });
    if (archive.status !== 0) throw new Error(`git archive ${ref} functions: ${archive.stderr.toString().trim()}`);
    const tar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    if (tar.status !== 0) throw new Error(`extracting ${ref}'s functions/: ${tar.stderr.toString().trim()}`);
    return await fn(dir);
  } finally {
    release();
  }
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name}: ${raw} is not a positive integer`);
  return value;
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const signedKib = (bytes: number): string => `${bytes >= 0 ? '+' : '−'}${(Math.abs(bytes) / 1024).toFixed(1)}`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(3)}x`;

export async function benchBundles(): Promise<void> {
  const runs = positiveInteger('BENCH_COLD_RUNS', 5);
  const ref = process.env['BENCH_BASE_REF'] || DEFAULT_BASE_REF;
  const refLine = describeRef(ref);
  const dir = mkdtempSync(join(tmpdir(), 'dr-bench-bundles-'));
  const release = removedOnInterrupt(dir);
  try {
    mkdirSync(join(dir, 'now'));
    mkdirSync(join(dir, 'base'));
    const baselineEntry = join(root, 'bench', '.baseline-handler.ts');
    writeFileSync(baselineEntry, BASELINE_HANDLER);
    let baseline: Bundle;
    try {
      baseline = await bundle(baselineEntry, join(dir, 'baseline.mjs'));
    } finally {
      rmSync(baselineEntry);
    }
    const now = new Map<string, Bundle>();
    const handlers = listHandlers(join(root, 'functions', 'handlers'));
    for (const h of handlers) now.set(h.name, await bundle(h.entry, join(dir, 'now', `${h.name}.mjs`)));
    const { baseHandlers, base, strip } = await withBaseTree(ref, async (baseRoot) => {
      const list = listHandlers(join(baseRoot, 'functions', 'handlers'));
      const built = new Map<string, Bundle>();
      for (const h of list) built.set(h.name, await bundle(h.entry, join(dir, 'base', `${h.name}.mjs`)));
      return { baseHandlers: list, base: built, strip: `${baseRoot.slice(root.length + 1)}/` };
    });

    // Cold imports: the baseline, then each handler now and at the base, alternating.
    const coldSamples = (file: string): number[] => Array.from({ length: runs }, () => coldImportOnce(file));
    const baselineCold = median(coldSamples(baseline.file));
    const pairs = pairHandlers(handlers, baseHandlers);
    const cold = new Map<string, { now?: number[]; base?: number[] }>();
    for (const pair of pairs) {
      const [n, b] = [now.get(pair.name), base.get(pair.name)];
      if (n !== undefined && b !== undefined) {
        const [samplesNow, samplesBase] = alternatingSamples(runs, () => coldImportOnce(n.file), () => coldImportOnce(b.file));
        cold.set(pair.name, { now: samplesNow, base: samplesBase });
      } else if (n !== undefined) cold.set(pair.name, { now: coldSamples(n.file) });
      else if (b !== undefined) cold.set(pair.name, { base: coldSamples(b.file) });
    }
    const coldMedian = (samples: readonly number[] | undefined): number | undefined => (samples === undefined ? undefined : median(samples));

    console.log(`\n## Lambda bundles (esbuild as DrFunction ships them: minified ESM, SDK bundled, source map; cold import median of ${runs})`);
    console.log(`baseline middy + client-rds     ${(baseline.bytes / 1024).toFixed(0).padStart(6)} KiB  ${baselineCold.toFixed(0).padStart(4)} ms`);
    if (handlers.length === 0) console.log('(no handlers in functions/handlers yet)');
    for (const { label, name } of handlers) {
      const [size, ms] = [now.get(name)?.bytes ?? Number.NaN, coldMedian(cold.get(name)?.now) ?? Number.NaN];
      console.log(
        `${label.padEnd(31)} ${(size / 1024).toFixed(0).padStart(6)} KiB  ${ms.toFixed(0).padStart(4)} ms  size ${(size / baseline.bytes).toFixed(2)}x  cold ${(ms / baselineCold).toFixed(2)}x baseline`,
      );
    }

    console.log(`\n## Lambda bundles now against BENCH_BASE_REF=${ref} (${refLine}), built the same way in this run`);
    console.log(`(cold import: median of ${runs}, now and base alternating; paired = median of the ${runs} rounds' now/base ratios)`);
    const head = (text: string, width: number): string => text.padStart(width);
    console.log(`${'handler (now ← base)'.padEnd(31)} ${head('size now', 12)} ${head('at base', 12)} ${head('change', 7)} ${head('ratio', 7)}  ${head('cold now', 8)} ${head('at base', 8)} ${head('ratio', 7)} ${head('paired', 7)}`);
    const cell = (v: number | undefined, f: (x: number) => string, width: number): string => (v === undefined ? '—' : f(v)).padStart(width);
    const ms = (x: number): string => `${x.toFixed(0)} ms`;
    const total = { now: 0, base: 0, coldNow: 0, coldBase: 0, both: 0, roundsNow: Array<number>(runs).fill(0), roundsBase: Array<number>(runs).fill(0) };
    for (const pair of pairs) {
      const [n, b, c] = [now.get(pair.name), base.get(pair.name), cold.get(pair.name) ?? {}];
      const [coldNow, coldBase] = [coldMedian(c.now), coldMedian(c.base)];
      const both = n !== undefined && b !== undefined && c.now !== undefined && c.base !== undefined;
      if (both) {
        total.now += n.bytes;
        total.base += b.bytes;
        total.coldNow += coldNow ?? 0;
        total.coldBase += coldBase ?? 0;
        total.both += 1;
        c.now?.forEach((x, i) => (total.roundsNow[i] = (total.roundsNow[i] ?? 0) + x));
        c.base?.forEach((x, i) => (total.roundsBase[i] = (total.roundsBase[i] ?? 0) + x));
      }
      const sizeCells = both ? `${signedKib(n.bytes - b.bytes).padStart(7)} ${ratio(n.bytes, b.bytes).padStart(7)}` : `${'—'.padStart(7)} ${'—'.padStart(7)}`;
      const coldCells = both ? `${ratio(coldNow ?? 0, coldBase ?? 1).padStart(7)} ${`${pairedRatio(c.now ?? [], c.base ?? []).toFixed(3)}x`.padStart(7)}` : `${'—'.padStart(7)} ${'—'.padStart(7)}`;
      console.log(`${pairLabel(pair).padEnd(31)} ${cell(n?.bytes, kib, 12)} ${cell(b?.bytes, kib, 12)} ${sizeCells}  ${cell(coldNow, ms, 8)} ${cell(coldBase, ms, 8)} ${coldCells}`);
    }
    console.log(
      `${`total (${total.both} in both)`.padEnd(31)} ${kib(total.now).padStart(12)} ${kib(total.base).padStart(12)} ${signedKib(total.now - total.base).padStart(7)} ${ratio(total.now, total.base).padStart(7)}  ${ms(total.coldNow).padStart(8)} ${ms(total.coldBase).padStart(8)} ${ratio(total.coldNow, total.coldBase).padStart(7)} ${`${pairedRatio(total.roundsNow, total.roundsBase).toFixed(3)}x`.padStart(7)}`,
    );

    const renamed = renamedSince(ref);
    const was = new Map([...renamed].map(([old, moved]) => [moved, old.replace(/^functions\//, '')]));
    const grown = pairs.filter((p) => (now.get(p.name)?.bytes ?? 0) > (base.get(p.name)?.bytes ?? Number.POSITIVE_INFINITY));
    if (grown.length > 0) console.log('\nwhere the growth comes from (esbuild metafile: bytes in the bundle now − at base, KiB, largest 8; packages summed, moves (git diff -M) followed; (new): not in the base bundle):');
    for (const pair of grown) {
      const [n, b] = [now.get(pair.name), base.get(pair.name)];
      if (n === undefined || b === undefined) continue;
      const diffs = largestDifferences(contributions(n.inputs), contributions(b.inputs, strip, renamed), 8);
      console.log(`${pair.name.padEnd(14)} ${signedKib(n.bytes - b.bytes)}: ${diffs.map((d) => `${d.key}${d.base === 0 ? ' (new)' : d.now === 0 ? ' (gone)' : was.has(d.key) ? ` (was ${was.get(d.key) ?? ''})` : ''} ${signedKib(d.now - d.base)}`).join(', ')}`);
    }
  } finally {
    release();
  }
}

if (import.meta.main) await benchBundles();
