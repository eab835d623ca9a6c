/**
 * A stateful EC2 fake for security groups: DescribeSecurityGroupRules and RevokeSecurityGroupIngress
 * by rule id, with EC2's error codes (EC2 API reference, "Error codes for the Amazon EC2 API":
 * `InvalidGroup.NotFound`, `InvalidSecurityGroupRuleId.NotFound`, `InvalidParameterValue`,
 * `RequestLimitExceeded`). EC2 models no exception classes: the SDK throws its base
 * `EC2ServiceException` named after the code, as the fake does.
 *
 * An unreachable region is the base's {@link AwsFake.makeUnreachable}.
 * Not modelled: egress rules beyond listing, IPv6 and prefix-list sources, security group references
 * across VPCs, tags.
 */
import {
  EC2Client,
  EC2ServiceException,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { AwsFake, metadata, type FakeClock } from './aws-fake.ts';

/** An EC2 error as the SDK throws it (name = EC2's error code). */
export function ec2Error(code: string, message: string, status = 400): EC2ServiceException {
  return new EC2ServiceException({ name: code, $fault: status >= 500 ? 'server' : 'client', message, $metadata: metadata(status) });
}

/** An inbound rule to seed. */
export interface SeedIngress {
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  /** A source security group id, or a CIDR. */
  readonly source: string;
  readonly description?: string;
}

/** The EC2 fake. */
export class Ec2Fake extends AwsFake<EC2Client> {
  readonly #groups = new Map<string, SecurityGroupRule[]>();
  #ruleCounter = 0;

  constructor(clock: FakeClock) {
    super({ clock, source: 'test/support/ec2-fake.ts', client: EC2Client, operations: ['DescribeSecurityGroupRules', 'RevokeSecurityGroupIngress'], mutating: ['RevokeSecurityGroupIngress'], throttlingError: () => ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503) });
  }


  /** Adds a security group with inbound rules (and the default allow-all egress). */
  addSecurityGroup(groupId: string, ingress: readonly SeedIngress[]): void {
    const rules: SecurityGroupRule[] = ingress.map((r) => ({
      SecurityGroupRuleId: this.#nextRuleId(),
      GroupId: groupId,
      GroupOwnerId: '123456789012',
      IsEgress: false,
      IpProtocol: r.protocol,
      FromPort: r.fromPort,
      ToPort: r.toPort,
      ...(r.source.startsWith('sg-') ? { ReferencedGroupInfo: { GroupId: r.source, UserId: '123456789012' } } : { CidrIpv4: r.source }),
      ...(r.description === undefined ? {} : { Description: r.description }),
    }));
    rules.push({ SecurityGroupRuleId: this.#nextRuleId(), GroupId: groupId, GroupOwnerId: '123456789012', IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' });
    this.#groups.set(groupId, rules);
  }

  /** The inbound rules of a group now. */
  ingress(groupId: string): SecurityGroupRule[] {
    return structuredClone((this.#groups.get(groupId) ?? []).filter((r) => r.IsEgress !== true));
  }

  #nextRuleId(): string {
    this.#ruleCounter += 1;
    return `sgr-${String(this.#ruleCounter).padStart(17, '0')}`;
  }

  protected dispatch(command: string, input: Record<string, unknown>): object {
    switch (command) {
      case 'DescribeSecurityGroupRules': {
        const max = input['MaxResults'];
        if (max !== undefined && (typeof max !== 'number' || max < 5 || max > 1000)) throw ec2Error('InvalidParameterValue', `Value ( ${String(max)} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
        let rules = [...this.#groups.values()].flat();
        for (const filter of (input['Filters'] ?? []) as { Name?: string; Values?: string[] }[]) {
          const values = new Set(filter.Values ?? []);
          if (filter.Name === 'group-id') rules = rules.filter((r) => values.has(r.GroupId ?? ''));
          else if (filter.Name === 'security-group-rule-id') rules = rules.filter((r) => values.has(r.SecurityGroupRuleId ?? ''));
          else throw ec2Error('InvalidParameterValue', `The filter '${String(filter.Name)}' is invalid`);
        }
        const ids = input['SecurityGroupRuleIds'] as string[] | undefined;
        if (ids !== undefined) rules = rules.filter((r) => ids.includes(r.SecurityGroupRuleId ?? ''));
        const start = typeof input['NextToken'] === 'string' ? Number(input['NextToken']) : 0;
        const size = typeof max === 'number' ? max : 1000;
        const page = rules.slice(start, start + size);
        return { SecurityGroupRules: page, ...(start + size < rules.length ? { NextToken: String(start + size) } : {}) };
      }
      case 'RevokeSecurityGroupIngress': {
        const groupId = input['GroupId'];
        const rules = typeof groupId === 'string' ? this.#groups.get(groupId) : undefined;
        if (rules === undefined) throw ec2Error('InvalidGroup.NotFound', `The security group '${String(groupId)}' does not exist`);
        const ids = (input['SecurityGroupRuleIds'] ?? []) as string[];
        if (ids.length === 0) throw ec2Error('MissingParameter', 'Either IpPermissions or SecurityGroupRuleIds must be specified');
        for (const id of ids) {
          if (!rules.some((r) => r.SecurityGroupRuleId === id && r.IsEgress !== true)) throw ec2Error('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
        }
        const revoked = rules.filter((r) => ids.includes(r.SecurityGroupRuleId ?? ''));
        this.#groups.set(groupId as string, rules.filter((r) => !ids.includes(r.SecurityGroupRuleId ?? '')));
        return {
          Return: true,
          RevokedSecurityGroupRules: revoked.map((r) => ({
            SecurityGroupRuleId: r.SecurityGroupRuleId,
            GroupId: r.GroupId,
            IsEgress: false,
            IpProtocol: r.IpProtocol,
            FromPort: r.FromPort,
            ToPort: r.ToPort,
            ...(r.ReferencedGroupInfo?.GroupId === undefined ? {} : { ReferencedGroupId: r.ReferencedGroupInfo.GroupId }),
            ...(r.CidrIpv4 === undefined ? {} : { CidrIpv4: r.CidrIpv4 }),
          })),
        };
      }
      default:
        throw new Error(`Ec2Fake does not implement ${command}`);
    }
  }
}
