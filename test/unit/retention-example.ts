import type { RetentionPolicy, SnapshotRecord } from '../../functions/domain/retention/model.ts';
import { readDoc } from '../support/docs.ts';

/** One row of the worked example's table: what the planner must decide for a snapshot. */
export interface ExampleRow {
  readonly id: string;
  readonly action: 'keep' | 'delete';
  /** The reason codes, in the planner's order (the text before any parenthesis). */
  readonly codes: readonly string[];
}

/** The worked example of docs/backups.md, read from the page itself. */
export interface WorkedExample {
  readonly now: Date;
  readonly policy: RetentionPolicy;
  readonly snapshots: readonly SnapshotRecord[];
  readonly expected: readonly ExampleRow[];
}

function required(match: RegExpExecArray | null, what: string): RegExpExecArray {
  if (match === null) throw new Error(`docs/backups.md, worked example: ${what} not found`);
  return match;
}

/**
 * Parses the "Worked example" section of docs/backups.md: the policy line, the run time, and the
 * table (snapshot, created, dr:verified, other tags, decision, reason). Managed snapshots get the
 * tags the page says every one carries (`dr:managed`, `dr:tier` from the id, `dr:policy`); a row
 * whose other tags say "no `dr:managed`" gets none. Anything the parser cannot read throws.
 */
export function parseWorkedExample(markdown: string = readDoc('docs/backups.md')): WorkedExample {
  const start = markdown.indexOf('### Worked example');
  if (start === -1) throw new Error('docs/backups.md: no "### Worked example" section');
  const section = markdown.slice(start, markdown.indexOf('\n## ', start) === -1 ? undefined : markdown.indexOf('\n## ', start));

  const p = required(
    /Policy: daily (\d+), weekly (\d+), monthly (\d+), yearly (\d+), minimum (\d+), max verified age (\d+) h, quota (\d+) with headroom (\d+)\./.exec(section),
    'the policy line',
  );
  const n = (i: number): number => Number(p[i]);
  const policy: RetentionPolicy = {
    name: 'swifteats-gfs',
    daily: n(1),
    weekly: n(2),
    monthly: n(3),
    yearly: n(4),
    minimumCount: n(5),
    maxVerifiedAgeHours: n(6),
    quota: { max: n(7), headroom: n(8) },
  };
  const now = new Date(required(/Run at (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\./.exec(section), 'the run time')[1] as string);

  const rows = section.split('\n').filter((line) => /^\| [a-z]/.test(line) && !line.startsWith('| snapshot |'));
  if (rows.length === 0) throw new Error('docs/backups.md, worked example: no table rows');
  const snapshots: SnapshotRecord[] = [];
  const expected: ExampleRow[] = [];
  for (const row of rows) {
    const cells = row.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 6) throw new Error(`docs/backups.md, worked example: a row needs 6 cells: ${row}`);
    const [id, created, verified, other, decision, reason] = cells as [string, string, string, string, string, string];
    const tags: Record<string, string> = {};
    if (other !== 'no `dr:managed`') {
      const tier = required(/^swifteats-(daily|weekly|monthly|yearly)-\d{12}$/.exec(id), `the tier of ${id}`)[1] as string;
      Object.assign(tags, { 'dr:managed': 'true', 'dr:tier': tier, 'dr:policy': policy.name });
      for (const tag of other.match(/`[^`]+`/g) ?? []) {
        const [key, value] = tag.slice(1, -1).split('=') as [string, string | undefined];
        if (value === undefined) throw new Error(`docs/backups.md, worked example: tag ${tag} of ${id} has no value`);
        tags[key] = value;
      }
      if (verified === 'passed' || verified === 'failed') tags['dr:verified'] = verified;
      else if (verified !== '(not yet tested)') throw new Error(`docs/backups.md, worked example: dr:verified "${verified}" of ${id}`);
    }
    snapshots.push({ id, database: 'swifteats', createdAt: created, status: 'available', type: 'manual', tags });
    const action = decision.replaceAll('*', '');
    if (action !== 'keep' && action !== 'delete') throw new Error(`docs/backups.md, worked example: decision "${decision}" of ${id}`);
    expected.push({ id, action, codes: (reason.split('(')[0] as string).split(',').map((c) => c.trim()).filter((c) => c !== '') });
  }
  return { now, policy, snapshots, expected };
}

const example = parseWorkedExample();
/** The run time of the worked example (docs/backups.md). */
export const EXAMPLE_NOW = example.now;
/** The policy of the worked example (docs/backups.md). */
export const EXAMPLE_POLICY = example.policy;
/** The snapshots of the worked example (docs/backups.md). */
export const EXAMPLE_SNAPSHOTS = example.snapshots;
/** What the worked example's table says the planner decides (docs/backups.md). */
export const EXAMPLE_EXPECTED = example.expected;
