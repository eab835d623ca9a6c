import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = { POWERTOOLS_TRACE_ENABLED: 'false', POWERTOOLS_DEV: 'false', AWS_REGION: 'eu-west-1' };

/**
 * One vitest project per test layer of DESIGN.md, so `npm test` runs them all and
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
      { extends: true, test: { name: 'faults', include: ['test/faults/**/*.test.ts'], testTimeout: 600_000, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000 } },
    ],
  },
});
