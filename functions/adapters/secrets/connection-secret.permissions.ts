/**
 * The authorizations of {@link SecretsManagerConnectionSecret} (connection-secret.ts). The
 * connection secret uses the account's `aws/secretsmanager` key (no customer key): no KMS
 * authorization of the caller's. Test-only: see ../shared.permissions.ts.
 */
import type { AwsAuthorization } from '../shared.permissions.ts';

export function connectionSecretPermissions(secretArn: string): { read: () => AwsAuthorization[]; write: () => AwsAuthorization[] } {
  return {
    read: () => [{ command: 'GetSecretValueCommand', action: 'secretsmanager:GetSecretValue', resource: secretArn }],
    write: () => [{ command: 'PutSecretValueCommand', action: 'secretsmanager:PutSecretValue', resource: secretArn }],
  };
}
