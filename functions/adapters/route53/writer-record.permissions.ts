/**
 * The authorizations of {@link Route53WriterRecord} (writer-record.ts). Test-only: see
 * ../shared.permissions.ts.
 */
import type { AwsAuthorization, AwsLocation } from '../shared.permissions.ts';

export function writerRecordPermissions(at: AwsLocation, zoneId: string, recordName: string): Record<'read' | 'upsert' | 'changeStatus', () => AwsAuthorization[]> {
  const zone = `arn:${at.partition}:route53:::hostedzone/${zoneId}`;
  return {
    read: () => [{ command: 'ListResourceRecordSetsCommand', action: 'route53:ListResourceRecordSets', resource: zone }],
    upsert: () => [
      {
        command: 'ChangeResourceRecordSetsCommand',
        action: 'route53:ChangeResourceRecordSets',
        resource: zone,
        // Route 53 Developer Guide, "Using IAM policy conditions for fine-grained access control".
        context: {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': [recordName.toLowerCase()],
          'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
          'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
        },
      },
    ],
    changeStatus: () => [{ command: 'GetChangeCommand', action: 'route53:GetChange', resource: `arn:${at.partition}:route53:::change/C0123456789ABC` }],
  };
}
