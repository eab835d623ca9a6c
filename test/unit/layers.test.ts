import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importGraph, sourceFiles } from '../support/import-graph.ts';

/**
 * The layers of functions/ (docs/architecture.md, "The code"): the domain by capability, with a
 * model per capability that every other layer may depend on; ports that depend only on models;
 * a domain free of packages (no AWS SDK, no pg: only `node:` builtins) and of files too long to read.
 *
 * A **model file** is `functions/domain/<capability>/model.ts` or
 * `functions/domain/<capability>/<topic>-model.ts` (e.g. `verification/bracket-model.ts`): types and
 * constants only, importing nothing but other model files.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The shared modules a port may import: vocabularies that import nothing themselves (checked below). */
const PORT_SHARED_IMPORTS: readonly string[] = [
  'functions/shared/errors.ts',
  // The metric names the metric-source port reads by; one module shared with infra's alarms.
  'functions/shared/metric-names.ts',
];

/** Longest domain file, in lines: a capability's rules and use cases each fit in one reading. */
const MAX_DOMAIN_LINES = 450;

/**
 * Domain files allowed over {@link MAX_DOMAIN_LINES}, each with its reason in a comment (none today).
 * Each entry must still be over the limit: a stale entry fails.
 */
const OVERSIZED_ALLOWED: readonly string[] = [];

/** True for a model file (see the file comment). */
function isModelFile(file: string): boolean {
  return /^functions\/domain\/[^/]+\/(?:model|[a-z0-9-]+-model)\.ts$/.test(file);
}

/** Package specifiers (anything not relative) of `import … from`, `export … from`, bare and dynamic imports, outside comments. */
function packageSpecifiers(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found = [
    ...text.matchAll(/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? '');
  return [...new Set(found.filter((s) => s !== '' && !s.startsWith('.')))].sort();
}

/** Edges `from -> to` of the graph where a port imports anything but a port, an allowed shared module or a model. */
function portViolations(graph: ReadonlyMap<string, readonly string[]>, sharedAllowed: readonly string[]): string[] {
  return [...graph]
    .filter(([file]) => file.startsWith('functions/ports/'))
    .flatMap(([file, targets]) =>
      targets
        .filter((target) => !target.startsWith('functions/ports/') && !sharedAllowed.includes(target) && !isModelFile(target))
        .map((target) => `${file} -> ${target}`),
    );
}

/** Edges `from -> to` where a model file imports a file that is not a model. */
function modelViolations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  return [...graph]
    .filter(([file]) => isModelFile(file))
    .flatMap(([file, targets]) => targets.filter((target) => !isModelFile(target)).map((target) => `${file} -> ${target}`));
}

/**
 * `file: package` for each package a file imports that it may not: a model file may import no
 * package at all, any other domain file only `node:` builtins.
 */
function domainPackageViolations(packages: ReadonlyMap<string, readonly string[]>): string[] {
  return [...packages].flatMap(([file, specifiers]) =>
    specifiers.filter((specifier) => isModelFile(file) || !specifier.startsWith('node:')).map((specifier) => `${file}: ${specifier}`),
  );
}

/**
 * The files over `limit` lines that are not allowed to be, and the allowed ones that no longer
 * are (a stale allowance hides the next file that grows), each with its reason.
 */
function lengthViolations(lines: ReadonlyMap<string, number>, limit: number, allowed: readonly string[]): string[] {
  const over = [...lines].filter(([file, count]) => count > limit && !allowed.includes(file)).map(([file, count]) => `${file}: ${count} lines (limit ${limit})`);
  const stale = allowed.filter((file) => (lines.get(file) ?? 0) <= limit).map((file) => `${file}: allowed over ${limit} lines but has ${lines.get(file) ?? 'no file'}; remove it from the list`);
  return [...over, ...stale];
}

function lineCount(file: string): number {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

describe('layer rules (synthetic graphs, so each rule can fail)', () => {
  it('names model files: model.ts or <topic>-model.ts directly under a capability of functions/domain', () => {
    expect(isModelFile('functions/domain/failover/model.ts')).toBe(true);
    expect(isModelFile('functions/domain/verification/bracket-model.ts')).toBe(true);
    expect(isModelFile('functions/domain/verification/bracket.ts')).toBe(false);
    expect(isModelFile('functions/domain/model.ts')).toBe(false);
    expect(isModelFile('functions/domain/verification/sub/model.ts')).toBe(false);
    expect(isModelFile('functions/ports/model.ts')).toBe(false);
    expect(isModelFile('functions/domain/verification/model.test.ts')).toBe(false);
  });

  it('flags a port importing a rule, a handler or an unlisted shared module, and passes ports, models and the listed shared modules', () => {
    const graph = new Map([
      ['functions/ports/a.ts', ['functions/ports/b.ts', 'functions/domain/x/model.ts', 'functions/domain/x/y-model.ts', 'functions/shared/errors.ts']],
      ['functions/ports/b.ts', ['functions/domain/x/rules.ts', 'functions/shared/env.ts', 'functions/handlers/h.ts']],
      ['functions/adapters/c.ts', ['functions/domain/x/rules.ts']],
    ]);

    expect(portViolations(graph, ['functions/shared/errors.ts'])).toEqual([
      'functions/ports/b.ts -> functions/domain/x/rules.ts',
      'functions/ports/b.ts -> functions/shared/env.ts',
      'functions/ports/b.ts -> functions/handlers/h.ts',
    ]);
    expect(portViolations(new Map([['functions/ports/a.ts', ['functions/domain/x/model.ts']]]), [])).toEqual([]);
  });

  it('flags a model importing a rule, a port or a shared module, and passes a model importing models', () => {
    const graph = new Map([
      ['functions/domain/x/model.ts', ['functions/domain/y/model.ts', 'functions/domain/x/z-model.ts']],
      ['functions/domain/x/z-model.ts', ['functions/domain/x/rules.ts', 'functions/ports/p.ts', 'functions/shared/errors.ts']],
      ['functions/domain/x/rules.ts', ['functions/ports/p.ts']],
    ]);

    expect(modelViolations(graph)).toEqual([
      'functions/domain/x/z-model.ts -> functions/domain/x/rules.ts',
      'functions/domain/x/z-model.ts -> functions/ports/p.ts',
      'functions/domain/x/z-model.ts -> functions/shared/errors.ts',
    ]);
  });

  it('reads package specifiers (type-only and dynamic too) outside comments, and flags every package in a model and non-node: ones elsewhere', () => {
    const source = [
      "import { createHash } from 'node:crypto';",
      "import type { ClientBase } from 'pg';",
      "import {\n  RDSClient,\n} from '@aws-sdk/client-rds';",
      "export { v } from 'valibot';",
      "const m = await import('middy');",
      "import { a } from './a.ts';",
      "// import { b } from 'b-package';",
      "/* import { c } from 'c-package'; */",
    ].join('\n');
    expect(packageSpecifiers(source)).toEqual(['@aws-sdk/client-rds', 'middy', 'node:crypto', 'pg', 'valibot']);

    const packages = new Map([
      ['functions/domain/x/rules.ts', ['node:crypto', 'pg']],
      ['functions/domain/x/model.ts', ['node:crypto']],
      ['functions/domain/x/run.ts', ['node:crypto']],
    ]);
    expect(domainPackageViolations(packages)).toEqual(['functions/domain/x/rules.ts: pg', 'functions/domain/x/model.ts: node:crypto']);
  });

  it('flags a long file not allowed, and an allowance that is no longer needed', () => {
    const lines = new Map([
      ['functions/domain/a.ts', 451],
      ['functions/domain/b.ts', 450],
      ['functions/domain/c.ts', 600],
      ['functions/domain/d.ts', 300],
    ]);

    expect(lengthViolations(lines, 450, ['functions/domain/c.ts', 'functions/domain/d.ts', 'functions/domain/gone.ts'])).toEqual([
      'functions/domain/a.ts: 451 lines (limit 450)',
      'functions/domain/d.ts: allowed over 450 lines but has 300; remove it from the list',
      'functions/domain/gone.ts: allowed over 450 lines but has no file; remove it from the list',
    ]);
    expect(lengthViolations(lines, 450, ['functions/domain/a.ts', 'functions/domain/c.ts'])).toEqual([]);
  });
});

describe('the layers of functions/', () => {
  const files = sourceFiles(ROOT, 'functions');
  const graph = importGraph(ROOT, files);
  const domain = files.filter((file) => file.startsWith('functions/domain/'));

  it('every port imports only ports, the listed shared modules and domain models', () => {
    // The walker sees real port edges (a graph without them would pass vacuously).
    expect(graph.get('functions/ports/write-statistics.ts')).toEqual(expect.arrayContaining(['functions/domain/verification/bracket-model.ts']));
    expect(portViolations(graph, PORT_SHARED_IMPORTS)).toEqual([]);
    // The shared modules a port may import import nothing themselves.
    expect(PORT_SHARED_IMPORTS.flatMap((file) => graph.get(file) ?? ['missing'])).toEqual([]);
    expect(PORT_SHARED_IMPORTS.flatMap((file) => packageSpecifiers(readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('every model file imports only model files', () => {
    const models = domain.filter(isModelFile);
    expect(models).toEqual(expect.arrayContaining(['functions/domain/failover/model.ts', 'functions/domain/verification/model.ts', 'functions/domain/verification/report-model.ts']));
    expect(modelViolations(graph)).toEqual([]);
  });

  it('functions/domain imports no package but node: builtins, and a model file none at all', () => {
    const packages = new Map(domain.map((file) => [file, packageSpecifiers(readFileSync(join(ROOT, file), 'utf8'))]));
    // The reader sees real package imports (manifest.ts hashes with node:crypto).
    expect(packages.get('functions/domain/verification/manifest.ts')).toContain('node:crypto');
    expect(domainPackageViolations(packages)).toEqual([]);
  });

  it(`no file under functions/domain is over ${MAX_DOMAIN_LINES} lines, but for the allowed ones`, () => {
    const lines = new Map(domain.map((file) => [file, lineCount(file)]));
    expect(lengthViolations(lines, MAX_DOMAIN_LINES, OVERSIZED_ALLOWED)).toEqual([]);
  });

  it('every arrow points down the layers: handlers → contracts, adapters → domain → ports → shared', () => {
    // Which layers each layer may import (its own included); nothing imports a handler but its own folder.
    const allowed: Record<string, readonly string[]> = {
      handlers: ['handlers', 'contracts', 'adapters', 'domain', 'ports', 'shared'],
      contracts: ['contracts', 'domain', 'ports', 'shared'],
      adapters: ['adapters', 'domain', 'ports', 'shared'],
      domain: ['domain', 'ports', 'shared'],
      ports: ['ports', 'domain', 'shared'],
      shared: ['shared'],
    };
    const layerOf = (file: string): string => file.split('/')[1] ?? '';
    const upward = [...graph].flatMap(([from, tos]) => tos.filter((to) => !(allowed[layerOf(from)] ?? []).includes(layerOf(to))).map((to) => `${from} -> ${to}`));
    expect(upward).toEqual([]);
    // A handler imports only its own function's files among the handlers.
    const functionOf = (file: string): string => file.replace(/^functions\/handlers\//, '').split('/')[0]!.replace(/\.ts$/, '');
    const crossed = [...graph].flatMap(([from, tos]) => (layerOf(from) !== 'handlers' ? [] : tos.filter((to) => layerOf(to) === 'handlers' && functionOf(to) !== functionOf(from)).map((to) => `${from} -> ${to}`)));
    expect(crossed).toEqual([]);
    // The walker sees every layer (an empty graph would pass vacuously).
    expect(new Set([...graph.keys()].map(layerOf))).toEqual(new Set(Object.keys(allowed)));
  });

  it('a handler imports its own environment contract, never the index of all of them (a bundle carries only its own)', () => {
    const handlers = files.filter((file) => file.startsWith('functions/handlers/'));
    const index = 'functions/contracts/environment.ts';
    expect(handlers.filter((file) => (graph.get(file) ?? []).includes(index))).toEqual([]);
    // The walker sees the real edges: the retention handler reads its own contract module.
    expect(graph.get('functions/handlers/retention.ts')).toContain('functions/contracts/env/retention.ts');
    // And no contract module reaches the index or another function's module.
    const modules = files.filter((file) => file.startsWith('functions/contracts/env/'));
    expect(modules.filter((file) => (graph.get(file) ?? []).some((to) => to === index || (to.startsWith('functions/contracts/env/') && to !== 'functions/contracts/env/common.ts')))).toEqual([]);
  });
});
