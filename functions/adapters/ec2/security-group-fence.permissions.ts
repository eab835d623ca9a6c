/**
 * The authorizations of {@link SecurityGroupFence} (security-group-fence.ts). Test-only: see
 * ../shared.permissions.ts.
 */
import type { AwsAuthorization, AwsLocation } from '../shared.permissions.ts';

export function fencePermissions(at: AwsLocation, securityGroupId: string): { ingress: () => AwsAuthorization[]; revoke: () => AwsAuthorization[] } {
  return {
    // No resource-level permissions (Service Authorization Reference, Amazon EC2).
    ingress: () => [{ command: 'DescribeSecurityGroupRulesCommand', action: 'ec2:DescribeSecurityGroupRules', resource: '*' }],
    revoke: () => [
      { command: 'RevokeSecurityGroupIngressCommand', action: 'ec2:RevokeSecurityGroupIngress', resource: `arn:${at.partition}:ec2:${at.region}:${at.account}:security-group/${securityGroupId}` },
    ],
  };
}
