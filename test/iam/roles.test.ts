/**
 * IAM as a tested contract: for every function role of the synthesized deployments (default
 * configuration: DB instance with snapshot copies and replicated backups; cluster configuration),
 * every authorization its code needs is Allowed, and the dangerous ones are denied, evaluated
 * by @cloud-copilot/iam-simulate against the role's policies and the key and bucket policies.
 * The state machine roles likewise, for every Task of their ASL files (one synth per
 * configuration serves both).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { handlerEntry } from '../../infra/constructs/dr-function.ts';
import { forbidden, forbiddenFor, factsOf, functionRoles, type Facts, type FunctionRole } from './support/contract.ts';
import { mismatches } from './support/simulate.ts';
import { WORKFLOWS, workflow } from './support/statemachines.ts';
import { deploy, type Deployment } from './support/templates.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIGS = {
  default: {},
  cluster: JSON.parse(readFileSync(`${ROOT}infra/config/swifteats-cluster.json`, 'utf8')) as unknown,
};

describe.each(Object.entries(CONFIGS))('%s configuration', (_name, input) => {
  let deployment: Deployment;
  let roles: FunctionRole[];
  let facts: Facts;
  beforeAll(() => {
    deployment = deploy(input);
    roles = functionRoles(deployment);
    facts = factsOf(deployment);
  });

  it('covers every Lambda role of the automation stack', () => {
    const stack = deployment.stack(deployment.synth.stacks.automation);
    const lambdaRoles = Object.values(stack.template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => String(stack.resolve(r.Properties?.Role)))
      .sort();
    expect(roles.map((r) => r.principal.arn).sort()).toEqual(lambdaRoles);
  });

  it('each handler constructs exactly the adapters whose declarations its role is held to', () => {
    for (const role of roles) {
      // The composition root: the handler file, or the index.ts of a handler folder.
      const source = readFileSync(handlerEntry(role.handler), 'utf8');
      const imported = [...source.matchAll(/from '(?:\.\.\/)+adapters\/([a-z0-9-]+\/[a-z0-9-]+)\.ts'/g)].map((m) => m[1] ?? '');
      const aws = imported.filter((m) => !m.startsWith('pg/') && !m.startsWith('env/'));
      expect({ handler: role.handler, adapters: [...new Set(aws)].sort() }).toEqual({ handler: role.handler, adapters: [...role.adapters].sort() });
    }
  });

  it.each(['snapshot', 'manifest', 'retention', 'restore', 'verify', 'probe', 'rpo-monitor', 'failover'])('%s: every call its code makes is allowed', async (handler) => {
    const role = roles.find((r) => r.handler === handler);
    expect(role).toBeDefined();
    if (!role) return;
    expect(role.needed.length).toBeGreaterThan(0);
    expect(await mismatches(deployment, role.principal, role.needed, 'Allowed')).toEqual([]);
  });

  it.each(['snapshot', 'manifest', 'retention', 'restore', 'verify', 'probe', 'rpo-monitor', 'failover'])('%s: the dangerous calls are denied', async (handler) => {
    const role = roles.find((r) => r.handler === handler);
    if (!role) throw new Error(`no role ${handler}`);
    const auths = [...forbidden(facts).filter((x) => !(x.except ?? []).includes(handler)).map((x) => ({ ...x.auth, why: x.name })), ...forbiddenFor(facts, handler)];
    expect(await mismatches(deployment, role.principal, auths, 'Denied')).toEqual([]);
  });

  it.each(WORKFLOWS)('state machine %s: every Task is allowed', async (file) => {
    const { calls, principal } = workflow(deployment.stack(deployment.synth.stacks.automation), file);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.resource.startsWith('arn:aws:lambda:'))).toBe(true);
    expect(await mismatches(deployment, principal, calls, 'Allowed')).toEqual([]);
  });

  it.each(WORKFLOWS)('state machine %s: invokes no function outside its own workflow', async (file) => {
    const stack = deployment.stack(deployment.synth.stacks.automation);
    const { calls, principal } = workflow(stack, file);
    const own = new Set(calls.map((c) => c.resource));
    const others = WORKFLOWS.filter((f) => f !== file)
      .flatMap((f) => workflow(stack, f).calls)
      .filter((c) => !own.has(c.resource))
      .map((c) => ({ ...c, command: `${file} must not: ${c.command}` }));
    expect(others.length).toBeGreaterThan(0);
    expect(await mismatches(deployment, principal, others, 'Denied')).toEqual([]);
  });
});
