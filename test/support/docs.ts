import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A documentation file of the repository, as text. */
export function readDoc(path: string): string {
  return readFileSync(`${ROOT}${path}`, 'utf8');
}

const WORDS: Readonly<Record<string, number>> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };

/** The number in `text` matched by `pattern`'s first group, a numeral or a number word; throws when absent. */
export function countIn(text: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(text);
  if (match?.[1] === undefined) throw new Error(`no ${what} found (${pattern})`);
  const token = match[1].toLowerCase();
  const value = /^\d+$/.test(token) ? Number(token) : WORDS[token];
  if (value === undefined) throw new Error(`${what}: "${match[1]}" is not a number`);
  return value;
}

/** The counts README.md states for the default deployment (its cost table, Deploy and Destroy). */
export interface ReadmeCounts {
  readonly alarms: number;
  readonly compositeAlarms: number;
  readonly dashboards: number;
  readonly functions: number;
  readonly kmsKeys: number;
  readonly interfaceEndpoints: number;
  readonly stacks: number;
  readonly terminationProtected: number;
  readonly archiveLockDays: number;
}

/** Parses {@link ReadmeCounts} out of README.md; a sentence reworded beyond recognition fails loudly. */
export function readmeCounts(readme: string = readDoc('README.md')): ReadmeCounts {
  const row = (name: string): string => {
    const line = readme.split('\n').find((l) => l.startsWith(`| ${name} |`));
    if (line === undefined) throw new Error(`README.md: no "${name}" row in the cost table`);
    return line;
  };
  const N = '(\\d+|one|two|three|four|five|six|seven|eight|nine|ten)';
  return {
    alarms: countIn(row('monitoring'), new RegExp(`${N} alarms`), 'alarm count'),
    compositeAlarms: countIn(row('monitoring'), new RegExp(`${N} composite alarms?`), 'composite alarm count'),
    dashboards: countIn(row('monitoring'), new RegExp(`${N} dashboards?`), 'dashboard count'),
    functions: countIn(row('functions and schedules'), new RegExp(`${N} Lambda functions`), 'function count'),
    kmsKeys: countIn(row('KMS'), new RegExp(`${N} customer-managed keys`), 'KMS key count'),
    interfaceEndpoints: countIn(row('VPC'), new RegExp(`${N} interface endpoints?`), 'interface endpoint count'),
    stacks: countIn(readme, new RegExp(`deploys ${N} stacks`), 'stack count'),
    terminationProtected: countIn(readme, new RegExp(`Of the \\d+ stacks, ${N} have termination protection`), 'termination-protected stack count'),
    archiveLockDays: countIn(readme, new RegExp(`cannot be deleted for up to ${N} days`), 'archive Object Lock days'),
  };
}
