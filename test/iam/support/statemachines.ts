/**
 * The state machine roles: every Task of each ASL file (statemachines/*.asl.json, with the
 * template's definitionSubstitutions applied) is an AWS call made with the state machine's
 * role. `arn:aws:states:::lambda:invoke` is lambda:InvokeFunction on its FunctionName; an SDK
 * integration `arn:aws:states:::aws-sdk:<service>:<action>` is `<service>:<Action>` (Step
 * Functions Developer Guide, "AWS SDK service integrations"), which must then be modelled here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AwsAuthorization } from '../../../functions/adapters/shared.permissions.ts';
import { principalOf, type Principal } from './simulate.ts';
import type { ResolvedStack } from './templates.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The ASL files, by the suffix of their state machine's name. */
export const WORKFLOWS = ['backup', 'verify', 'pitr-restore', 'failover'];

type State = { Type: string; Resource?: string; Parameters?: Record<string, unknown>; Branches?: Machine[]; ItemProcessor?: Machine; Iterator?: Machine };
type Machine = { States: Record<string, State> };

/** Every Task's authorization, walking Parallel branches and Map processors. */
export function taskCalls(machine: Machine, file: string): AwsAuthorization[] {
  const out: AwsAuthorization[] = [];
  for (const [name, state] of Object.entries(machine.States)) {
    for (const inner of [...(state.Branches ?? []), ...(state.ItemProcessor ? [state.ItemProcessor] : []), ...(state.Iterator ? [state.Iterator] : [])]) out.push(...taskCalls(inner, file));
    if (state.Type !== 'Task') continue;
    const resource = state.Resource ?? '';
    if (/^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.test(resource)) {
      const fn = String(state.Parameters?.FunctionName ?? state.Parameters?.['FunctionName.$'] ?? '');
      out.push({ command: `${file}: ${name}`, action: 'lambda:InvokeFunction', resource: fn });
    } else {
      throw new Error(`${file}: ${name}: Task resource ${resource} is not modelled by this test: add its IAM action and resources`);
    }
  }
  return out;
}

/** A workflow's Task calls (substitutions from the template applied) and its role. */
export function workflow(stack: ResolvedStack, file: string): { calls: AwsAuthorization[]; principal: Principal } {
  const entry = Object.entries(stack.template.Resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && String(stack.resolve(r.Properties?.StateMachineName)).endsWith(`-${file}`));
  if (!entry) throw new Error(`no state machine for ${file}`);
  const [, r] = entry;
  const substitutions = stack.resolve(r.Properties?.DefinitionSubstitutions ?? {}) as Record<string, string>;
  const text = readFileSync(`${ROOT}statemachines/${file}.asl.json`, 'utf8').replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, key: string) => substitutions[key] ?? whole);
  const roleArn = String(stack.resolve(r.Properties?.RoleArn));
  const roleId = Object.keys(stack.template.Resources).find((id) => stack.template.Resources[id]?.Type === 'AWS::IAM::Role' && stack.getAtt(id, 'Arn') === roleArn);
  if (!roleId) throw new Error(`no role for ${file}`);
  return { calls: taskCalls(JSON.parse(text) as Machine, file), principal: principalOf(stack, roleId) };
}
