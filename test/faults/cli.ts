/**
 * `npm run faults -- [--runs N] [--seed N] [--max-commands N] [--only id,id | --all] [--no-shrink]`:
 * runs the fault-sequence project with more sequences than `npm test` does.
 * `--all` also enforces the KNOWN_OPEN invariants; `--only` enforces just the ones named.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string', default: String(Date.now() % 2_147_483_647) },
    'max-commands': { type: 'string', default: '20' },
    only: { type: 'string' },
    all: { type: 'boolean', default: false },
    'no-shrink': { type: 'boolean', default: false },
  },
});
const env = {
  ...process.env,
  FAULTS_RUNS: values.runs,
  FAULTS_SEED: values.seed,
  FAULTS_MAX_COMMANDS: values['max-commands'],
  FAULTS_INVARIANTS: values.all ? 'all' : (values.only ?? ''),
  FAULTS_SHRINK: values['no-shrink'] ? '0' : '1',
};
console.log(`[faults] seed ${values.seed}, ${values.runs} runs, up to ${values['max-commands']} commands, invariants: ${env.FAULTS_INVARIANTS || 'all but KNOWN_OPEN'}`);
const started = Date.now();
const result = spawnSync('npx', ['vitest', 'run', '--config', 'test/vitest.config.ts', '--project', 'faults'], { stdio: 'inherit', env });
console.log(`[faults] done in ${((Date.now() - started) / 1000).toFixed(1)} s, exit ${result.status}`);
process.exit(result.status ?? 1);
