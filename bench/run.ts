/**
 * Benchmarks, each printed against a baseline measured in the same run.
 *
 * 1. Synth time of the default and the cluster configuration (bundling skipped, as in
 *    the infra tests, and bundled when handlers exist), against a baseline app holding
 *    one empty stack.
 * 2. Per Lambda handler: bundle size and cold import time, against a minimal
 *    middy + client-rds handler bundled with the same esbuild options.
 *
 * 3. Retention planning, the restore test's check set against pg_dump (`verify`), the same under a
 *    live writer with the row-count bracket against the old exact rule (`verify-live`, about
 *    15 minutes at full size), and the failover timeline.
 *
 * Run: `npm run bench` for every section, or `npm run bench -- verify-live retention` for some
 * (names: synth, bundles, retention, verify, verify-live, failover). Numbers vary by machine; the
 * ratios are the result.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { build } from 'esbuild';
import { buildApp } from '../infra/build-app.ts';
import { loadConfigFile } from '../infra/config/load.ts';
import { HANDLER_ENV } from '../test/support/handler-env.ts';

const root = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'dr-bench-'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeMs(fn: () => void, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function synthOnce(configPath: string | null): void {
  const app = new App({ outdir: mkdtempSync(join(out, 'cdk-')), context: { 'aws:cdk:bundling-stacks': [] } });
  if (configPath === null) baselineStack(app);
  else buildApp(app, loadConfigFile(join(root, configPath)));
  app.synth();
}

/** What a first CDK user writes: one default VPC and one default PostgreSQL instance. */
function baselineStack(app: App): void {
  const stack = new Stack(app, 'Baseline', { env: { region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc');
  new rds.DatabaseInstance(stack, 'Db', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18_3 }), vpc });
}

/** Runs fn with CDK's validation report (about the baseline's defaults) kept off the screen. */
function quietly(fn: () => void): () => void {
  return () => {
    const [error, write] = [console.error, process.stderr.write];
    console.error = () => undefined;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      fn();
    } finally {
      console.error = error;
      process.stderr.write = write;
    }
  };
}

function benchSynth(): void {
  const runs = 3;
  quietly(() => synthOnce(null))(); // warm-up: module loading is not synth time
  const baseline = timeMs(quietly(() => synthOnce(null)), runs);
  console.log(`\n## synth (median of ${runs}, bundling skipped)`);
  console.log(`baseline (VPC + default RDS)  ${baseline.toFixed(0).padStart(6)} ms`);
  for (const config of ['infra/config/swifteats.json', 'infra/config/swifteats-cluster.json']) {
    const ms = timeMs(() => synthOnce(config), runs);
    console.log(`${config.padEnd(37)} ${ms.toFixed(0).padStart(6)} ms  ratio ${(ms / baseline).toFixed(1)}x baseline`);
  }
}

const BASELINE_HANDLER = `
import middy from '@middy/core';
import { RDSClient, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
const rds = new RDSClient({});
export const handler = middy(async () => (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances?.length ?? 0);
`;

async function bundle(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  return statSync(outfile).size;
}

/** Cold import: a fresh Node process importing the bundle, median of several. */
function coldImportMs(file: string, runs = 5): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      // The environment a deployed function gets, so module-load checks pass as in Lambda.
      env: {
        ...process.env,
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
      },
    });
    const ms = Number(run.stdout.trim().split('\n').pop());
    if (run.status !== 0 || Number.isNaN(ms)) throw new Error(`cold import of ${file} failed: ${run.stderr.trim().split('\n').slice(-6).join('\n').slice(0, 2000)}`);
    samples.push(ms);
  }
  return median(samples);
}

async function benchBundles(): Promise<void> {
  const dir = join(out, 'bundles');
  mkdirSync(dir, { recursive: true });
  const baselineEntry = join(root, 'bench', '.baseline-handler.ts');
  writeFileSync(baselineEntry, BASELINE_HANDLER);
  let baseSize: number;
  try {
    baseSize = await bundle(baselineEntry, join(dir, 'baseline.mjs'));
  } finally {
    rmSync(baselineEntry);
  }
  const baseCold = coldImportMs(join(dir, 'baseline.mjs'));
  console.log('\n## Lambda bundles (esbuild, minified ESM, SDK bundled; cold import median of 5)');
  console.log(`baseline middy + client-rds     ${(baseSize / 1024).toFixed(0).padStart(6)} KiB  ${baseCold.toFixed(0).padStart(4)} ms`);
  const handlersDir = join(root, 'functions', 'handlers');
  // A handler is a file, or a folder whose index.ts is its composition root (infra/constructs/dr-function.ts handlerEntry).
  const handlers = readdirSync(handlersDir, { withFileTypes: true }).flatMap((d) => {
    if (d.isFile() && d.name.endsWith('.ts')) return [{ label: d.name, name: d.name.replace(/\.ts$/, ''), entry: join(handlersDir, d.name) }];
    const index = join(handlersDir, d.name, 'index.ts');
    return d.isDirectory() && existsSync(index) ? [{ label: `${d.name}/`, name: d.name, entry: index }] : [];
  });
  if (handlers.length === 0) console.log('(no handlers in functions/handlers yet)');
  for (const { label, name, entry } of handlers) {
    const outfile = join(dir, `${name}.mjs`);
    const size = await bundle(entry, outfile);
    const cold = coldImportMs(outfile);
    console.log(
      `${label.padEnd(31)} ${(size / 1024).toFixed(0).padStart(6)} KiB  ${cold.toFixed(0).padStart(4)} ms  size ${(size / baseSize).toFixed(2)}x  cold ${(cold / baseCold).toFixed(2)}x baseline`,
    );
  }
}

/** Every section, in the order a full run prints them. */
const SECTIONS: Readonly<Record<string, () => unknown>> = {
  synth: benchSynth,
  bundles: benchBundles,
  retention: async () => (await import('./retention.ts')).benchRetention(),
  verify: async () => (await import('./verify.ts')).benchVerify(),
  'verify-live': async () => (await import('./verify-live.ts')).benchVerifyLive(),
  content: async () => (await import('./content.ts')).benchContent(),
  failover: async () => (await import('./failover.ts')).benchFailover(),
  ledger: async () => (await import('./ledger.ts')).benchLedger(),
};
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) {
  console.error(`unknown section ${unknown.join(', ')}: allowed are ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}
console.log(`# bench (${process.version}, ${new Date().toISOString()})`);
for (const [name, section] of Object.entries(SECTIONS)) {
  if (requested.length === 0 || requested.includes(name)) await section();
}
