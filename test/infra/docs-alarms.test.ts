import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readDoc } from '../support/docs.ts';
import { synthesize } from '../support/synth.ts';

type Alarm = { Properties: { AlarmName: string; TreatMissingData: string; EvaluationPeriods: number } };

/** The rows of the Alarms table of docs/architecture.md: name patterns and the "missing data" cell. */
function documentedAlarms(): { row: string; names: RegExp[]; missing: string }[] {
  const text = readDoc('docs/architecture.md');
  const start = text.indexOf('| alarm | metric, statistic |');
  expect(start).toBeGreaterThan(-1);
  const rows = text.slice(start).split('\n').slice(2);
  const out: { row: string; names: RegExp[]; missing: string }[] = [];
  for (const row of rows) {
    if (!row.startsWith('| `')) break;
    const cells = row.split('|').map((c) => c.trim());
    const first = cells[1] as string;
    const tokens = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string).filter((t) => !t.includes('.'));
    const base = (tokens[0] as string).replace(/-[^-]*$/, '');
    const names = tokens.map((t) => (t.startsWith('-') ? `${base}${t}` : t)).map((t) => new RegExp(`^swifteats-${t.replace(/<[^>]+>/g, '.+')}$`));
    const cell = (cells[5] as string).toLowerCase();
    const missing = cell.startsWith('not breaching') ? 'notBreaching' : cell.startsWith('breaching') ? 'breaching' : cell.startsWith('ignore') ? 'ignore' : `unknown: ${cell}`;
    out.push({ row: first, names, missing });
  }
  return out;
}

describe('docs/architecture.md alarm table against the synthesized alarms', () => {
  it('states each alarm\'s missing-data treatment as deployed, and covers every alarm', () => {
    // Prepare: the default deployment with a replica configured, so ReplicaLagHigh exists too.
    const synth = synthesize({ dr: { readReplica: true }, objectives: { region: { rpoSeconds: 60, rtoSeconds: 3600 } } });
    const alarms = Object.values(Template.fromStack(synth.stacks.automation).findResources('AWS::CloudWatch::Alarm')) as Alarm[];
    const documented = documentedAlarms();
    // Act
    const mismatches: string[] = [];
    const covered = new Set<string>();
    for (const doc of documented) {
      const matching = alarms.filter((a) => doc.names.some((n) => n.test(a.Properties.AlarmName)));
      if (matching.length === 0) mismatches.push(`${doc.row}: no such alarm`);
      for (const a of matching) {
        covered.add(a.Properties.AlarmName);
        if (a.Properties.TreatMissingData !== doc.missing) mismatches.push(`${a.Properties.AlarmName}: documented ${doc.missing}, deployed ${a.Properties.TreatMissingData}`);
      }
    }
    // Assess
    expect(documented.length).toBeGreaterThanOrEqual(13);
    expect(mismatches).toEqual([]);
    expect(alarms.map((a) => a.Properties.AlarmName).filter((n) => !covered.has(n))).toEqual([]);
  });

  it('every metric the runbook finds "on the dashboard" is on the synthesized dashboard (replica widgets with a replica)', () => {
    const synth = synthesize({ dr: { readReplica: true }, objectives: { region: { rpoSeconds: 60, rtoSeconds: 3600 } } });
    const dashboards = Object.values(Template.fromStack(synth.stacks.automation).findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboards);
    const claimed = [...readDoc('docs/runbook.md').matchAll(/`([A-Za-z]+)` on the dashboard/g)].map((m) => m[1] as string);
    expect(claimed.length).toBeGreaterThan(0);
    expect(claimed.filter((metric) => !body.includes(`\\"${metric}\\"`))).toEqual([]);
  });
});
