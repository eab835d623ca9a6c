/**
 * Execution timeouts as deployed. `DefinitionBody.fromFile` ships the ASL file as an S3 asset and
 * ignores the construct's `timeout`, so the timeout is the definition's top-level `TimeoutSeconds`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html). What assumes
 * it is tied to it here: the CLI's default wait bound, the failover lock's lease, and an alarm on
 * ExecutionsTimedOut for each state machine.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/dr.ts';
import { templates } from '../support/assembly.ts';
import { bundleOf, resolvedEnvironment, resolvedStateMachines } from '../support/bundles.ts';

/** The intended execution timeouts, in seconds. */
const EXPECTED: Record<string, number> = {
  'swifteats-backup': 24 * 3600,
  'swifteats-verify': 6 * 3600,
  'swifteats-pitr-restore': 8 * 3600,
  'swifteats-failover': 3600,
};

const machines = resolvedStateMachines();
const timeoutOf = (name: string): unknown => machines.find((m) => m.name === name)?.definition['TimeoutSeconds'];

describe('state machine timeouts as deployed', () => {
  it('each deployed definition (the asset after substitutions) carries its TimeoutSeconds', () => {
    expect(Object.fromEntries(machines.map((m) => [m.name, m.definition['TimeoutSeconds']]))).toEqual(EXPECTED);
  });

  it("the CLI's default wait bound of each command is its state machine's timeout", () => {
    for (const spec of Object.values(COMMANDS)) {
      expect(spec.timeoutMinutes * 60, spec.workflow).toBe(timeoutOf(`swifteats-${spec.workflow}`));
    }
  });

  it("the failover lock's lease is the failover state machine's timeout", () => {
    expect(Number(resolvedEnvironment(bundleOf('failover'))['LOCK_LEASE_SECONDS'])).toBe(timeoutOf('swifteats-failover'));
  });

  it('an alarm counts ExecutionsTimedOut of every state machine', () => {
    const automation = templates().find((t) => t.stackName.endsWith('-Automation'));
    if (!automation) throw new Error('no automation stack');
    const watched = Object.values(automation.resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .flatMap((r) => (r.Properties?.['Metrics'] ?? []) as { MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: { Ref?: string } }[] } } }[])
      .filter((m) => m.MetricStat?.Metric.MetricName === 'ExecutionsTimedOut')
      .map((m) => m.MetricStat?.Metric.Dimensions.find((d) => d.Name === 'StateMachineArn')?.Value.Ref)
      .map((id) => automation.resources[id ?? '']?.Properties?.['StateMachineName'])
      .sort();
    expect(watched).toEqual(Object.keys(EXPECTED).sort());
  });
});
