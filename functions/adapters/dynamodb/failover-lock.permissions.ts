/**
 * The authorizations of {@link DynamoDbFailoverLock} (failover-lock.ts): item operations on
 * the lock table, its customer key through DynamoDB. Test-only: see ../shared.permissions.ts.
 */
import { viaService, type AwsAuthorization, type AwsLocation } from '../shared.permissions.ts';

type Method = 'read' | 'acquire' | 'markStep' | 'release' | 'cooldown';

export function failoverLockPermissions(at: AwsLocation, tableArn: string, keyArn: string): Record<Method, () => AwsAuthorization[]> {
  const op = (name: string): AwsAuthorization[] => [
    { command: `${name}Command`, action: `dynamodb:${name}`, resource: tableArn },
    { command: `${name}Command`, action: 'kms:Decrypt', resource: keyArn, context: viaService('dynamodb', at.region), why: 'table encrypted with a customer key' },
    { command: `${name}Command`, action: 'kms:GenerateDataKey', resource: keyArn, context: viaService('dynamodb', at.region), why: 'table encrypted with a customer key' },
  ];
  return { read: () => op('GetItem'), acquire: () => op('PutItem'), markStep: () => op('UpdateItem'), release: () => op('DeleteItem'), cooldown: () => op('UpdateItem') };
}
