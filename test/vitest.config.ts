import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = { POWERTOOLS_TRACE_ENABLED: 'false', POWERTOOLS_DEV: 'false', AWS_REGION: 'eu-west-1' };

/**
 * One vitest project per test layer (the folders under test/), so `npm test` runs them all and
 * `npm test -- --project sql` runs one.
 */
export default defineConfig({
  test: {
    root,
    env,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'functions', include: ['test/functions/**/*.test.ts'] } },
      { extends: true, test: { name: 'statemachines', include: ['test/statemachines/**/*.test.ts'] } },
      { extends: true, test: { name: 'sql', include: ['test/sql/**/*.test.ts'], testTimeout: 30_000 } },
      // Port contracts: one suite per port, run against each memory double and the real adapter (PostgreSQL for some).
      { extends: true, test: { name: 'contracts', include: ['test/contracts/**/*.test.ts'], testTimeout: 30_000 } },
      // Synthesis in beforeAll takes long on a loaded machine (it runs beside the artifacts project's bundling).
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      // What `cdk deploy` ships: the default configuration synthesized with bundling (once, in the
      // globalSetup; cached by a hash of the sources), its bundles run in child processes.
      {
        extends: true,
        test: { name: 'artifacts', include: ['test/artifacts/**/*.test.ts'], globalSetup: ['test/artifacts/global-setup.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
      },
      { extends: true, test: { name: 'iam', include: ['test/iam/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      // Randomized fault sequences run after the other layers (group 1), so their load does not starve the synth hooks.
      { extends: true, test: { name: 'faults', include: ['test/faults/**/*.test.ts'], testTimeout: 600_000, sequence: { groupOrder: 1 } } },
    ],
  },
});
