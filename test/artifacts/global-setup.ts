import { synthesizeAssembly } from '../support/assembly.ts';

/**
 * Synthesizes the shipped assembly once for every file of the `artifacts` project (bundling
 * 8 functions takes several seconds) and hands its directory to the test workers.
 */
export default function setup(): void {
  const started = Date.now();
  const dir = synthesizeAssembly();
  process.env['ARTIFACTS_ASSEMBLY'] = dir;
  process.stderr.write(`artifacts: assembly ${dir} (${Date.now() - started} ms)\n`);
}
