/**
 * Every named `ErrorEquals` of every deployed state machine is an error the bundled handler
 * bound to that Task really throws under that name. Step Functions matches Retry and Catch on
 * the errorType Lambda reports, which is the thrown error's `name`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html); the
 * bundles are minified, so a name taken from the class would not survive.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { allStates } from '../support/asl.ts';
import { bundleOf, loadBundle, resolvedEnvironment, resolvedStateMachines, runtimeEnvironment, type HostedBundle } from '../support/bundles.ts';

const machines = resolvedStateMachines();

/** Error names a Task's Retry and Catch match on, by the bundle the Task invokes. */
function namesByFunction(): Map<string, { handler: string; bundle: string; names: Set<string>; where: Set<string> }> {
  const out = new Map<string, { handler: string; bundle: string; names: Set<string>; where: Set<string> }>();
  for (const machine of machines) {
    for (const [stateName, state] of Object.entries(allStates(machine.definition))) {
      if (state.Type !== 'Task' || state.Resource !== 'arn:aws:states:::lambda:invoke') continue;
      const arn = String((state.Parameters as Record<string, unknown> | undefined)?.['FunctionName']);
      const fn = machine.functionsByArn.get(arn);
      if (!fn) throw new Error(`${machine.name} / ${stateName}: ${arn} is no bundled function of the assembly`);
      const entry = out.get(fn.bundle) ?? { handler: fn.handler, bundle: fn.bundle, names: new Set<string>(), where: new Set<string>() };
      for (const rule of [...((state.Retry ?? []) as { ErrorEquals: string[] }[]), ...((state.Catch ?? []) as { ErrorEquals: string[] }[])]) {
        for (const name of rule.ErrorEquals) entry.names.add(name);
      }
      entry.where.add(machine.name);
      out.set(fn.bundle, entry);
    }
  }
  return out;
}

const PREDEFINED = /^(States|Lambda)\.[A-Za-z.]+$/;

describe('error names in the shipped bundles', () => {
  it('binds every Lambda task of the four state machines to a bundle', () => {
    expect(machines.map((m) => m.name).sort()).toEqual(['swifteats-backup', 'swifteats-failover', 'swifteats-pitr-restore', 'swifteats-verify']);
    expect([...namesByFunction().values()].map((e) => e.handler).sort()).toEqual(['failover', 'manifest', 'probe', 'restore', 'retention', 'snapshot', 'verify']);
  });

  it('finds each named ErrorEquals as a literal error name in the bundle of the function the Task invokes', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const { handler, bundle, names, where } of namesByFunction().values()) {
      const code = readFileSync(bundle, 'utf8');
      for (const name of [...names].filter((n) => !PREDEFINED.test(n))) {
        checked += 1;
        // An Error subclass whose first member is the `name` field (errors.ts), as esbuild emits it minified.
        const declared = new RegExp(`extends [\\w$]+\\{name="${name}"`).test(code);
        if (!declared) missing.push(`${name} (${handler}, in ${[...where].join(', ')})`);
      }
    }
    expect(missing).toEqual([]);
    // 47 (name, bundle) pairs when this was written: the check cannot pass vacuously.
    expect(checked).toBeGreaterThanOrEqual(40);
  });
});

// The ValidationError thrown by each bundle on an invalid event is checked in cold-start.test.ts
// (the same processes); here, an error raised deeper in a handler.
describe('error names thrown by the bundled handlers', () => {
  let bundle: HostedBundle | undefined;
  afterAll(async () => {
    await bundle?.stop();
  });

  it('snapshot: a copy without a DR region throws ConfigurationError by that name', async () => {
    const fn = bundleOf('snapshot');
    const loaded = await loadBundle(fn, { ...runtimeEnvironment(fn, 'eu-west-1'), ...resolvedEnvironment(fn), POWERTOOLS_TRACE_ENABLED: 'false', DR_REGION: 'none' });
    if (!loaded.ok) throw new Error(`snapshot did not load: ${loaded.error.name}: ${loaded.error.message}`);
    bundle = loaded.bundle;
    await expect(bundle.invoke({ action: 'copy', snapshotId: 'swifteats-daily-202612020200' })).rejects.toMatchObject({ name: 'ConfigurationError' });
  });
});
