/**
 * The {@link Fence} port on the old writer's VPC security group: its inbound rules are listed with
 * DescribeSecurityGroupRules and revoked by rule id with RevokeSecurityGroupIngress (EC2 API
 * reference). With no inbound rule left, no new connection reaches the database; connections open
 * at that moment survive (security groups are stateful), which is why the workflow fences before it
 * promotes and the runbook says to reboot the old writer when its region is back.
 */
import { DescribeSecurityGroupRulesCommand, RevokeSecurityGroupIngressCommand, type EC2Client, type SecurityGroupRule } from '@aws-sdk/client-ec2';
import type { Fence, IngressRule } from '../../ports/fence.ts';
import { FenceFailedError, FenceUnreachableError } from '../../shared/errors.ts';
import { send } from '../sdk-errors.ts';

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

  /**
   * Throttling is ThrottledError; a region that could not be reached (any error without an HTTP
   * answer, a server error) FenceUnreachableError; any other answer refused the fence
   * (InvalidGroup.NotFound, InvalidGroupId.Malformed, UnauthorizedOperation, ...): FenceFailedError.
   */
  #send<T>(action: string, fn: () => Promise<T>): Promise<T> {
    return send(
      { service: 'ec2', action: `${action} ${this.securityGroupId}`, unreachable: FenceUnreachableError, otherwise: FenceFailedError, noAnswerIsUnreachable: true },
      fn,
    );
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
      if (!(error instanceof FenceFailedError) || !(error.cause instanceof Error) || error.cause.name !== 'InvalidSecurityGroupRuleId.NotFound') throw error;
      const left = new Set((await this.ingress()).map((r) => r.ruleId));
      return wanted.filter((r) => !left.has(r.ruleId));
    }
  }
}
