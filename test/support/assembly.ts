/**
 * The cloud assembly `cdk deploy` would ship for the default configuration
 * (infra/config/swifteats.json), synthesized WITH bundling, and readers for what is in it:
 * each Lambda function's bundle and environment, each state machine's definition asset and
 * substitutions.
 *
 * `synthesizeAssembly()` runs in the vitest globalSetup of the `artifacts` project; the
 * outdir is keyed by a hash of everything that goes into the bundles and templates, so a
 * second run with unchanged sources reuses it. Test files read the outdir from the
 * `ARTIFACTS_ASSEMBLY` environment variable (`assemblyDir()`).
 */
import { App } from 'aws-cdk-lib';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildApp } from '../../infra/build-app.ts';
import { handlerEntry } from '../../infra/constructs/dr-function.ts';
import { loadConfigFile } from '../../infra/config/load.ts';

/** Root of the repository. */
export const ROOT = join(import.meta.dirname, '..', '..');
/** The configuration the artifacts are synthesized from. */
export const CONFIG_FILE = 'infra/config/swifteats.json';

type Json = Record<string, unknown>;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** A hash of the sources that decide the assembly (functions, infra, ASL files, lock file). */
export function sourceHash(): string {
  const hash = createHash('sha256');
  const files = ['functions', 'infra', 'statemachines'].flatMap((d) => filesUnder(join(ROOT, d))).concat(join(ROOT, 'package-lock.json')).sort();
  for (const file of files) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * Synthesizes the default configuration with bundling into `<tmp>/rds-dr-artifacts-<hash>` unless
 * that directory exists already; returns the directory.
 */
export function synthesizeAssembly(): string {
  const dir = join(tmpdir(), `rds-dr-artifacts-${sourceHash()}`);
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  // Assemblies of older sources (other worktrees may be using theirs: only those untouched for a day).
  for (const old of readdirSync(tmpdir()).filter((n) => /^rds-dr-artifacts-[0-9a-f]{16}$/.test(n))) {
    const path = join(tmpdir(), old);
    if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
  }
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // The same entry as infra/app.ts, bundling on (no `aws:cdk:bundling-stacks` context).
  const app = new App({ outdir: staging });
  buildApp(app, loadConfigFile(join(ROOT, CONFIG_FILE)));
  app.synth();
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

/** The assembly directory the globalSetup provided. */
export function assemblyDir(): string {
  const dir = process.env['ARTIFACTS_ASSEMBLY'];
  if (!dir || !existsSync(join(dir, 'manifest.json'))) throw new Error('ARTIFACTS_ASSEMBLY is not set: run the artifacts project (test/artifacts/global-setup.ts synthesizes it)');
  return dir;
}

/** One stack template of the assembly. */
export interface StackTemplate {
  readonly stackName: string;
  /** The stack's region (its environment in the manifest). */
  readonly region: string;
  readonly template: Json;
  readonly resources: Record<string, { Type: string; Properties?: Json; Metadata?: Json }>;
}

/** Every stack template of the assembly. */
export function templates(dir = assemblyDir()): StackTemplate[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; environment?: string; properties?: { templateFile?: string } }> };
  return Object.entries(manifest.artifacts)
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([stackName, a]) => {
      const template = JSON.parse(readFileSync(join(dir, a.properties?.templateFile ?? `${stackName}.template.json`), 'utf8')) as Json;
      const region = /^aws:\/\/[^/]+\/(.+)$/.exec(a.environment ?? '')?.[1];
      if (!region || region === 'unknown-region') throw new Error(`${stackName}: no region in its environment ${a.environment}`);
      return { stackName, region, template, resources: (template.Resources ?? {}) as StackTemplate['resources'] };
    });
}

/** A Lambda function of the templates, with its bundle. */
export interface BundledFunction {
  readonly stackName: string;
  readonly logicalId: string;
  /** The handler name (functions/handlers/<handler>.ts or <handler>/index.ts), from the function's description construct path. */
  readonly handler: string;
  /** The asset directory holding index.mjs. */
  readonly assetDir: string;
  readonly bundle: string;
  /** `Environment.Variables` as the template has them (values may be intrinsics). */
  readonly environment: Record<string, unknown>;
}

/** A file asset of a stack: the S3 object key the template names, the assembly path and the construct's display name. */
interface FileAsset {
  readonly objectKey: string;
  readonly path: string;
  readonly displayName: string;
}

/** The file assets of a stack (`<stack>.assets.json`), by S3 object key. */
function fileAssets(dir: string, stackName: string): Map<string, FileAsset> {
  const manifest = JSON.parse(readFileSync(join(dir, `${stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { displayName?: string; source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const out = new Map<string, FileAsset>();
  for (const asset of Object.values(manifest.files)) {
    for (const destination of Object.values(asset.destinations)) {
      out.set(destination.objectKey, { objectKey: destination.objectKey, path: join(dir, asset.source.path), displayName: asset.displayName ?? '' });
    }
  }
  return out;
}

/** The handler of a function asset, from its display name (`Snapshot/Function/Code`, `Monitoring/RpoMonitor/Function/Code`, `Failover/Function/Function/Code`). */
function handlerOf(displayName: string): string {
  const name = displayName.split('/').filter((s) => !['Monitoring', 'Function', 'Code'].includes(s)).at(-1) ?? '';
  const handler = name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  if (!existsSync(handlerEntry(handler))) throw new Error(`asset ${displayName}: no functions/handlers/${handler}.ts nor ${handler}/index.ts`);
  return handler;
}

/**
 * Every bundled function (AWS::Lambda::Function whose code asset holds an `index.mjs`); CDK's own
 * helper functions are left out.
 */
export function bundledFunctions(dir = assemblyDir()): BundledFunction[] {
  return templates(dir).flatMap(({ stackName, resources }) => {
    const assets = fileAssets(dir, stackName);
    return Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .flatMap(([logicalId, r]) => {
        const key = (r.Properties?.Code as Json | undefined)?.['S3Key'];
        const asset = typeof key === 'string' ? assets.get(key) : undefined;
        if (!asset || !existsSync(join(asset.path, 'index.mjs'))) return [];
        return [
          {
            stackName,
            logicalId,
            handler: handlerOf(asset.displayName),
            assetDir: asset.path,
            bundle: join(asset.path, 'index.mjs'),
            environment: ((r.Properties?.Environment as Json | undefined)?.['Variables'] ?? {}) as Record<string, unknown>,
          },
        ];
      });
  });
}

/** A state machine of the templates, with its definition asset. */
export interface DeployedStateMachine {
  readonly stackName: string;
  readonly logicalId: string;
  /** `StateMachineName` (e.g. `swifteats-backup`). */
  readonly name: string;
  /** The definition file as shipped (before substitutions). */
  readonly definitionText: string;
  /** `DefinitionSubstitutions` as the template has them (values are intrinsics). */
  readonly substitutions: Record<string, unknown>;
}

/** Every state machine, its definition read from the asset its `DefinitionS3Location` points to. */
export function stateMachines(dir = assemblyDir()): DeployedStateMachine[] {
  return templates(dir).flatMap(({ stackName, resources }) =>
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
      .map(([logicalId, r]) => {
        const props = r.Properties ?? {};
        if (props.DefinitionS3Location === undefined) throw new Error(`${logicalId}: no DefinitionS3Location (inline definitions are not expected)`);
        const key = (props.DefinitionS3Location as Json)['Key'];
        const asset = typeof key === 'string' ? fileAssets(dir, stackName).get(key) : undefined;
        if (!asset) throw new Error(`${logicalId}: DefinitionS3Location ${JSON.stringify(key)} names no asset of ${stackName}`);
        const definitionText = readFileSync(asset.path, 'utf8');
        return { stackName, logicalId, name: String(props.StateMachineName), definitionText, substitutions: (props.DefinitionSubstitutions ?? {}) as Record<string, unknown> };
      }),
  );
}
