import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, importSpecifiers, sourceFiles } from '../support/import-graph.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('import cycles', () => {
  it('finds a cycle, and only the files on it, in a graph that has one', () => {
    // Prepare: a → b → c → a, c → d, d → d (a self-import), e alone.
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', ['d']],
      ['e', []],
    ]);

    // Act / Assess
    expect(importCycles(graph)).toEqual([['a', 'b', 'c'], ['d']]);
    expect(importCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('reads relative import, export-from, side-effect and dynamic specifiers, and skips comments and packages', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type {\n  B,\n} from '../b.ts';",
      "export { c } from './c.ts';",
      "import './d.ts';",
      "const e = await import('./e.ts');",
      "import { App } from 'aws-cdk-lib';",
      "// import { f } from './f.ts';",
      "/* import { g } from './g.ts'; */",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts']);
  });

  it('infra/ has no import cycle', () => {
    const graph = importGraph(ROOT, sourceFiles(ROOT, 'infra'));
    // The walker sees the app's real edges (a graph without them would pass vacuously).
    expect(graph.get('infra/build-app.ts')).toEqual(expect.arrayContaining(['infra/nag.ts', 'infra/stacks/automation-stack.ts']));
    expect(importCycles(graph)).toEqual([]);
  });

  it('functions/ has no import cycle (the schema model is functions/domain/verification/model.ts, which imports no port)', () => {
    const graph = importGraph(ROOT, sourceFiles(ROOT, 'functions'));
    expect(graph.get('functions/domain/verification/manifest.ts')).toEqual(expect.arrayContaining(['functions/ports/database-inspector.ts', 'functions/domain/verification/model.ts']));
    expect(importCycles(graph)).toEqual([]);
  });
});
