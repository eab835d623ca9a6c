/**
 * Benchmarks, each printed against a baseline measured in the same run.
 *
 * 1. Synth time of the default and the cluster configuration (bundling skipped, as in
 *    the infra tests, and bundled when handlers exist), against a baseline app holding
 *    one empty stack.
 * 2. Per Lambda handler (bench/bundles.ts): bundle size and cold import time, against a minimal
 *    middy + client-rds handler bundled with the same esbuild options, and against the same
 *    handlers at the git ref `BENCH_BASE_REF` (default 9da6797, before issue 12's reshaping), built
 *    and measured in the same run. `BENCH_COLD_RUNS` (default 5) sets the cold-import samples.
 * 3. Retention planning, the restore test's check set against pg_dump (`verify`), the same under a
 *    live writer with the row-count bracket against the old exact rule (`verify-live`, about
 *    15 minutes at full size), and the failover timeline.
 *
 * Run: `npm run bench` for every section, or `npm run bench -- verify-live retention` for some
 * (names: synth, bundles, retention, verify, verify-live, content, failover, ledger). Numbers vary by machine; the
 * ratios are the result.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { buildApp } from '../infra/build-app.ts';
import { loadConfigFile } from '../infra/config/load.ts';

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

/** Every section, in the order a full run prints them. */
const SECTIONS: Readonly<Record<string, () => unknown>> = {
  synth: benchSynth,
  bundles: async () => (await import('./bundles.ts')).benchBundles(),
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
