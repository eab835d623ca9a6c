/**
 * The {@link Fence} port on the old writer's VPC security group: its inbound rules are listed with
 * DescribeSecurityGroupRules and revoked by rule id with RevokeSecurityGroupIngress (EC2 API
 * reference). With no inbound rule left, no new connection reaches the database; connections open
 * at that moment survive (security groups are stateful), which is why the workflow fences before it
 * promotes and the runbook says to reboot the old writer when its region is back.
 */
import { DescribeSecurityGroupRulesCommand, RevokeSecurityGroupIngressCommand, type EC2Client, type SecurityGroupRule } from '@aws-sdk/client-ec2';
import type { Fence, IngressRule } from '../../ports/fence.ts';
import { FenceFailedError, FenceUnreachableError, ThrottledError } from '../../shared/errors.ts';

/** EC2 server-side error codes meaning the service did not do its part (EC2 API reference, "Error codes"). */
const SERVER_ERRORS = new Set(['Unavailable', 'InternalError', 'ServiceUnavailable', 'InsufficientInstanceCapacity']);

/** True when the old region's EC2 API could not be reached or did not answer: no HTTP response, a 5xx, a timeout. */
export function unreachable(error: Error & { $metadata?: { httpStatusCode?: number } }): boolean {
  const status = error.$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || SERVER_ERRORS.has(error.name) || error.name === 'TimeoutError';
}

function toRule(rule: SecurityGroupRule): IngressRule {
  return {
    ruleId: rule.SecurityGroupRuleId ?? '',
    protocol: rule.IpProtocol ?? '-1',
    fromPort: rule.FromPort ?? null,
    toPort: rule.ToPort ?? null,
    source: rule.ReferencedGroupInfo?.GroupId ?? rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId ?? 'unknown',
    description: rule.Description ?? null,
  };
}

/** The fence of one security group in one region. */
export class SecurityGroupFence implements Fence {
  readonly securityGroupId: string;
  readonly #client: EC2Client;

  constructor(client: EC2Client, securityGroupId: string) {
    this.#client = client;
    this.securityGroupId = securityGroupId;
  }

  async #send<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      const message = `${action} ${this.securityGroupId}: ${error.name}: ${error.message}`;
      if (error.name === 'RequestLimitExceeded' || error.name === 'Throttling') throw new ThrottledError(message, { cause: error });
      if (unreachable(error)) throw new FenceUnreachableError(message, { cause: error });
      // InvalidGroup.NotFound, InvalidGroupId.Malformed, UnauthorizedOperation, ...: the region answered and refused.
      throw new FenceFailedError(message, { cause: error });
    }
  }

  async ingress(): Promise<IngressRule[]> {
    const rules: IngressRule[] = [];
    let token: string | undefined;
    do {
      const out = await this.#send('DescribeSecurityGroupRules', () =>
        this.#client.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [this.securityGroupId] }], MaxResults: 100, NextToken: token })),
      );
      for (const rule of out.SecurityGroupRules ?? []) if (rule.IsEgress !== true && rule.GroupId === this.securityGroupId) rules.push(toRule(rule));
      token = out.NextToken;
    } while (token !== undefined);
    return rules;
  }

  async revoke(ruleIds: readonly string[]): Promise<IngressRule[]> {
    const before = await this.ingress();
    const wanted = before.filter((r) => ruleIds.includes(r.ruleId));
    if (wanted.length === 0) return [];
    try {
      await this.#send('RevokeSecurityGroupIngress', () =>
        this.#client.send(new RevokeSecurityGroupIngressCommand({ GroupId: this.securityGroupId, SecurityGroupRuleIds: wanted.map((r) => r.ruleId) })),
      );
      return wanted;
    } catch (error) {
      // A concurrent (retried) revoke took some first: what is gone now is revoked.
      if (!(error instanceof FenceFailedError) || !/InvalidSecurityGroupRuleId\.NotFound/.test(error.message)) throw error;
      const left = new Set((await this.ingress()).map((r) => r.ruleId));
      return wanted.filter((r) => !left.has(r.ruleId));
    }
  }
}
