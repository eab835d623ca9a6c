import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The import graph of the project's own TypeScript sources: which file imports which (relative
 * specifiers only; packages are outside the graph). Type-only imports count too: a cycle of types
 * is still a design cycle, even if it vanishes at run time.
 */

/** Files under `dir` (repository-relative) ending in `.ts`, as repository-relative paths. */
export function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** Relative module specifiers of `import … from`, `export … from`, bare `import '…'` and `import('…')`. */
export function importSpecifiers(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found = [
    ...text.matchAll(/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? '');
  return [...new Set(found.filter((s) => s.startsWith('.')))];
}

/** The graph over `files`: each file to the files of that set it imports. */
export function importGraph(root: string, files: readonly string[]): Map<string, string[]> {
  const inSet = new Set(files);
  return new Map(
    files.map((file) => {
      const targets = importSpecifiers(readFileSync(join(root, file), 'utf8'))
        .map((spec) => relative(root, resolve(root, dirname(file), spec)))
        .filter((target) => inSet.has(target));
      return [file, [...new Set(targets)].sort()];
    }),
  );
}

/**
 * The import cycles of a graph, as its strongly connected components with more than one file (or
 * a file importing itself), each sorted, sorted by first file (Tarjan's algorithm).
 */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}
